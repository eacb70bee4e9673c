// Judges Corral's figure against the issue's target for it, given etcd's and ZooKeeper's.

import type { Target } from '../workloads/workload';

export interface Verdict {
  readonly status: 'pass' | 'miss' | 'n/a';
  readonly text: string;
}

const NA: Verdict = { status: 'n/a', text: '' };

function known(values: readonly (number | undefined)[]): number[] {
  return values.filter((v): v is number => v !== undefined && Number.isFinite(v));
}

export function judge(target: Target, corral: number | undefined, others: readonly (number | undefined)[]): Verdict {
  if (target.kind === 'none') return NA;
  if (corral === undefined) return NA;
  if (!Number.isFinite(corral)) return { status: 'n/a', text: 'no Corral figure' };
  switch (target.kind) {
    case 'at-most': {
      const pass = corral <= target.limit;
      return { status: pass ? 'pass' : 'miss', text: `<= ${target.limit}: ${pass ? 'met' : `MISSED by ${fmt(corral - target.limit)}`}` };
    }
    case 'at-least-best': {
      const rivals = known(others);
      if (rivals.length === 0) return { status: 'n/a', text: 'no rival figure' };
      const best = Math.max(...rivals);
      const pass = corral >= best;
      return { status: pass ? 'pass' : 'miss', text: `>= ${fmt(best)}: ${pass ? 'met' : `MISSED, ${percent(1 - corral / best)} short`}` };
    }
    case 'at-most-best': {
      const rivals = known(others);
      if (rivals.length === 0) return { status: 'n/a', text: 'no rival figure' };
      const limit = Math.min(...rivals) * target.factor;
      const pass = corral <= limit;
      const factor = target.factor === 1 ? '' : ` (${target.factor}x best)`;
      return { status: pass ? 'pass' : 'miss', text: `<= ${fmt(limit)}${factor}: ${pass ? 'met' : `MISSED, ${fmt(corral / limit)}x the limit`}` };
    }
  }
}

export function fmt(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Number.isInteger(value)) return value.toFixed(0);
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return value.toFixed(0);
  if (magnitude >= 100) return value.toFixed(1);
  if (magnitude >= 10) return value.toFixed(2);
  return value.toFixed(3).replace(/\.?0+$/, '') || '0';
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(0)}%`;
}
