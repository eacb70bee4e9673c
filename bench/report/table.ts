// The one table: each workload's figures for Corral, etcd and ZooKeeper side by side, the
// ratios Corral/etcd and Corral/ZooKeeper, the target verdict, and per workload the servers'
// CPU seconds and peak RSS.

import type { SystemName } from '../load/adapter';
import type { CellResult } from '../runner';
import type { Target, WorkloadId } from '../workloads/workload';
import { fmt, judge, type Verdict } from './targets';

export interface TableRow {
  readonly workload: WorkloadId;
  readonly metric: string;
  readonly unit: string;
  readonly values: Readonly<Partial<Record<SystemName, number>>>;
  readonly corralOverEtcd: number | undefined;
  readonly corralOverZookeeper: number | undefined;
  readonly verdict: Verdict;
}

function ratio(corral: number | undefined, other: number | undefined): number | undefined {
  if (corral === undefined || other === undefined || !Number.isFinite(corral) || !Number.isFinite(other) || other === 0) return undefined;
  return corral / other;
}

function row(workload: WorkloadId, metric: string, unit: string, values: Partial<Record<SystemName, number>>, target: Target): TableRow {
  return {
    workload, metric, unit, values,
    corralOverEtcd: ratio(values.corral, values.etcd),
    corralOverZookeeper: ratio(values.corral, values.zookeeper),
    verdict: judge(target, values.corral, [values.etcd, values.zookeeper]),
  };
}

/** Rows in workload order, metrics in the order workloads report them. */
export function buildRows(cells: readonly CellResult[], workloadOrder: readonly WorkloadId[]): TableRow[] {
  const rows: TableRow[] = [];
  for (const workload of workloadOrder) {
    const mine = cells.filter((c) => c.workload === workload);
    if (mine.length === 0) continue;
    const keys: { key: string; unit: string; target: Target }[] = [];
    for (const cell of mine) {
      for (const m of cell.metrics) if (!keys.some((k) => k.key === m.key)) keys.push({ key: m.key, unit: m.unit, target: m.target });
    }
    for (const { key, unit, target } of keys) {
      const values: Partial<Record<SystemName, number>> = {};
      for (const cell of mine) {
        const found = cell.metrics.find((m) => m.key === key);
        if (found !== undefined) values[cell.system] = found.value;
      }
      rows.push(row(workload, key, unit, values, target));
    }
    const cpu: Partial<Record<SystemName, number>> = {};
    const rss: Partial<Record<SystemName, number>> = {};
    for (const cell of mine) {
      if (cell.status === 'unavailable') continue;
      cpu[cell.system] = cell.serverCpuSeconds;
      rss[cell.system] = cell.serverPeakRssBytes / (1024 * 1024);
    }
    rows.push(row(workload, 'server CPU (3 procs)', 's', cpu, { kind: 'none' }));
    rows.push(row(workload, 'server peak RSS (max proc)', 'MB', rss, { kind: 'none' }));
  }
  return rows;
}

function statusText(cells: readonly CellResult[], workload: WorkloadId, system: SystemName): string {
  const cell = cells.find((c) => c.workload === workload && c.system === system);
  if (cell === undefined) return 'n/a';
  return cell.status === 'ok' ? '-' : cell.status;
}

export function renderTable(rows: readonly TableRow[], cells: readonly CellResult[]): string {
  const header = ['workload', 'metric', 'unit', 'corral', 'etcd', 'zookeeper', 'corral/etcd', 'corral/zk', 'target (corral)'];
  const lines: string[][] = [header];
  for (const r of rows) {
    const value = (system: SystemName): string => (r.values[system] !== undefined ? fmt(r.values[system]) : statusText(cells, r.workload, system));
    lines.push([r.workload, r.metric, r.unit, value('corral'), value('etcd'), value('zookeeper'), fmt(r.corralOverEtcd), fmt(r.corralOverZookeeper), r.verdict.text]);
  }
  const widths = header.map((_, col) => Math.max(...lines.map((line) => line[col].length)));
  const render = (line: readonly string[]): string => `| ${line.map((cell, col) => (col >= 3 && col <= 7 ? cell.padStart(widths[col]) : cell.padEnd(widths[col]))).join(' | ')} |`;
  return [render(lines[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.slice(1).map(render)].join('\n');
}
