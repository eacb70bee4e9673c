// Unit tests of the benchmark's pure parts: percentiles, /proc parsing, target verdicts, the
// table, the failover gap, option parsing, namespace balancing, metric and profile parsing.

import { parseBenchOptions } from '../../bench/bench-options';
import { summarizeProfile } from '../../bench/report/cpu-profile-summary';
import { fmt, judge } from '../../bench/report/targets';
import { buildRows, renderTable } from '../../bench/report/table';
import type { CellResult } from '../../bench/runner';
import { corralInternals, parsePrometheusText } from '../../bench/systems/corral-internals';
import { modeOf } from '../../bench/systems/four-letter-word';
import { parseCpuTicks, parsePeakRssBytes, readProcUsage } from '../../bench/systems/proc-usage';
import { LatencyRecorder, percentile } from '../../bench/util/latency-recorder';
import { longestGapMs } from '../../bench/workloads/w6-failover';
import { balancedNamespaces } from '../../bench/workloads/w7-multi-raft';
import { metric } from '../../bench/workloads/workload';
import type { ClusterStatusResponse__Output } from '../../proto/gen/corral/v1/ClusterStatusResponse';
import { groupOfNamespace } from '../../client-sdk/shard-map';

describe('latency recorder', () => {
  it('answers nearest-rank percentiles of the recorded samples', () => {
    const recorder = new LatencyRecorder();
    for (let i = 100; i >= 1; i--) recorder.record(i);
    const summary = recorder.summary();
    expect(summary.count).toBe(100);
    expect(summary.p50Ms).toBe(50);
    expect(summary.p99Ms).toBe(99);
    expect(summary.maxMs).toBe(100);
    expect(summary.meanMs).toBeCloseTo(50.5);
  });

  it('counts samples past its bound as dropped instead of growing', () => {
    const recorder = new LatencyRecorder(3);
    for (const v of [5, 1, 3, 9, 9]) recorder.record(v);
    const summary = recorder.summary();
    expect(summary.count).toBe(5);
    expect(summary.droppedSamples).toBe(2);
    expect(summary.maxMs).toBe(5);
  });

  it('merges recorders and reports NaN when empty', () => {
    const a = new LatencyRecorder();
    const b = new LatencyRecorder();
    a.record(1);
    b.record(2);
    a.merge(b);
    expect(a.summary().count).toBe(2);
    expect(Number.isNaN(new LatencyRecorder().summary().p50Ms)).toBe(true);
    expect(percentile([1, 2, 3, 4], 0.25)).toBe(1);
    expect(() => new LatencyRecorder().record(-1)).toThrow();
  });
});

describe('/proc parsing', () => {
  it('reads utime + stime after a command name with spaces and parentheses', () => {
    const stat = '1234 (my (odd) name) S 1 1234 1234 0 -1 4194560 500 0 0 0 250 75 0 0 20 0 1 0 100 1000 10';
    expect(parseCpuTicks(stat)).toBe(325);
  });

  it('reads VmHWM in bytes, 0 when absent', () => {
    expect(parsePeakRssBytes('Name:\tnode\nVmHWM:\t   2048 kB\nVmRSS:\t 1024 kB\n')).toBe(2048 * 1024);
    expect(parsePeakRssBytes('Name:\tzombie\n')).toBe(0);
  });

  it('reads this process and gives null for a pid that does not exist', () => {
    const usage = readProcUsage(process.pid);
    expect(usage).not.toBeNull();
    expect(usage!.peakRssBytes).toBeGreaterThan(0);
    expect(readProcUsage(2 ** 22 + 12345)).toBeNull();
  });
});

describe('targets', () => {
  it('judges "at least the better of the two"', () => {
    expect(judge({ kind: 'at-least-best' }, 120, [100, 110]).status).toBe('pass');
    const miss = judge({ kind: 'at-least-best' }, 50, [100, 80]);
    expect(miss.status).toBe('miss');
    expect(miss.text).toContain('50% short');
  });

  it('judges "at most the better of the two, times a factor", ignoring missing rivals', () => {
    expect(judge({ kind: 'at-most-best', factor: 1.2 }, 11, [10, undefined]).status).toBe('pass');
    expect(judge({ kind: 'at-most-best', factor: 1.2 }, 13, [10, 20]).status).toBe('miss');
    expect(judge({ kind: 'at-most-best', factor: 1 }, 5, [undefined, Number.NaN]).status).toBe('n/a');
  });

  it('judges an absolute limit and says when Corral has no figure', () => {
    expect(judge({ kind: 'at-most', limit: 0 }, 0, []).status).toBe('pass');
    expect(judge({ kind: 'at-most', limit: 1000 }, 1500, []).text).toContain('MISSED by 500');
    expect(judge({ kind: 'at-most', limit: 0 }, Number.NaN, []).text).toBe('no Corral figure');
    expect(judge({ kind: 'none' }, 1, [2]).status).toBe('n/a');
  });

  it('formats numbers by magnitude', () => {
    expect(fmt(1234.56)).toBe('1235');
    expect(fmt(12.345)).toBe('12.35');
    expect(fmt(0.5)).toBe('0.5');
    expect(fmt(7)).toBe('7');
    expect(fmt(Number.NaN)).toBe('-');
  });
});

function cell(system: CellResult['system'], values: Record<string, number>, status: CellResult['status'] = 'ok'): CellResult {
  return {
    system, workload: 'W1', status, notes: [], serverCpuSeconds: 2, serverPeakRssBytes: 100 * 1024 * 1024, wallSeconds: 1, loadAverage1m: 1,
    metrics: Object.entries(values).map(([key, value]) => metric(key, 'ops/s', value, key === 'c=64 ops/s' ? { kind: 'at-least-best' } : { kind: 'none' })),
  };
}

describe('table', () => {
  it('lines up each metric across systems with ratios, verdicts, CPU and RSS rows', () => {
    const cells = [cell('corral', { 'c=64 ops/s': 200 }), cell('etcd', { 'c=64 ops/s': 100 }), cell('zookeeper', { 'c=64 ops/s': 400 })];
    const rows = buildRows(cells, ['W1', 'W2']);
    expect(rows.map((r) => r.metric)).toEqual(['c=64 ops/s', 'server CPU (3 procs)', 'server peak RSS (max proc)']);
    expect(rows[0].corralOverEtcd).toBe(2);
    expect(rows[0].corralOverZookeeper).toBe(0.5);
    expect(rows[0].verdict.status).toBe('miss');
    expect(rows[2].values.etcd).toBe(100);
    const text = renderTable(rows, cells);
    expect(text.split('\n')).toHaveLength(2 + rows.length);
    expect(text).toContain('| W1');
  });

  it('shows a failed or unavailable system in place of its figures', () => {
    const cells = [cell('corral', { 'c=64 ops/s': 200 }), cell('etcd', {}, 'failed')];
    const text = renderTable(buildRows(cells, ['W1']), cells);
    expect(text).toContain('failed');
    expect(text).toContain('n/a');
  });
});

describe('W6 no-write window', () => {
  it('is the longest gap from the last write before the kill to the next one', () => {
    const { gapMs, resumedAfterKillMs } = longestGapMs([100, 200, 300, 1500, 1510, 1520], 350, 1530);
    expect(gapMs).toBe(1200);
    expect(resumedAfterKillMs).toBe(1150);
  });

  it('reports a window still open at the end as not resumed', () => {
    const { gapMs, resumedAfterKillMs } = longestGapMs([100, 200], 250, 5000);
    expect(gapMs).toBe(4800);
    expect(Number.isNaN(resumedAfterKillMs)).toBe(true);
  });
});

describe('options', () => {
  it('defaults to every system and workload at 10 s, and --quick to 1 s', () => {
    const defaults = parseBenchOptions([], '/tmp/r');
    expect(defaults.durationMs).toBe(10_000);
    expect(defaults.systems).toEqual(['corral', 'etcd', 'zookeeper']);
    expect(defaults.workloads).toHaveLength(7);
    expect(parseBenchOptions(['--quick'], '/tmp/r').durationMs).toBe(1_000);
    expect(parseBenchOptions(['--quick', '--duration', '3'], '/tmp/r').durationMs).toBe(3_000);
  });

  it('keeps the canonical order of named systems and workloads and rejects unknown ones', () => {
    const options = parseBenchOptions(['--systems', 'zookeeper,corral', '--workloads', 'w6,W1'], '/tmp/r');
    expect(options.systems).toEqual(['corral', 'zookeeper']);
    expect(options.workloads).toEqual(['W1', 'W6']);
    expect(() => parseBenchOptions(['--systems', 'consul'], '/tmp/r')).toThrow();
    expect(() => parseBenchOptions(['--duration', '0'], '/tmp/r')).toThrow();
  });
});

describe('W7 namespace balancing', () => {
  it('spreads 8 namespaces 2 per group over 4 groups by the shard map', () => {
    const slots = Array.from({ length: 64 }, (_, i) => (i % 4) + 1);
    const status = { slots, groups: [], members: [], cluster_id: 'c', node_id: 1, slot_count: 64 } as unknown as ClusterStatusResponse__Output;
    const names = balancedNamespaces(status, 8);
    expect(new Set(names).size).toBe(8);
    const perGroup = new Map<number, number>();
    for (const name of names) {
      const group = groupOfNamespace(slots, name)!;
      perGroup.set(group, (perGroup.get(group) ?? 0) + 1);
    }
    expect([...perGroup.values()].sort()).toEqual([2, 2, 2, 2]);
  });
});

describe('Corral internals from /metrics', () => {
  it('sums samples by name across labels and derives per-fsync and per-message figures', () => {
    const before = parsePrometheusText('# HELP x\ncorral_fsync_entries_sum 10\ncorral_fsync_entries_count 5\ncorral_peer_bytes_total{peer="2"} 100\ncorral_peer_bytes_total{peer="3"} 100\ncorral_peer_messages_total 4\n');
    const after = parsePrometheusText('corral_fsync_entries_sum 50\ncorral_fsync_entries_count 9\ncorral_peer_bytes_total{peer="2"} 400\ncorral_peer_bytes_total{peer="3"} 400\ncorral_peer_messages_total 10\n');
    expect(before.get('corral_peer_bytes_total')).toBe(200);
    const internals = corralInternals(before, after);
    expect(internals.entriesPerFsync).toBe(10);
    expect(internals.peerBytesPerMessage).toBe(100);
    expect(Number.isNaN(internals.proposalMsMean)).toBe(true);
  });

  it('reads the Mode line of a ZooKeeper srvr answer', () => {
    expect(modeOf('Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0.1/3\nMode: leader\nNode count: 5\n')).toBe('leader');
    expect(modeOf('This ZooKeeper instance is not currently serving requests\n')).toBe('');
  });
});

describe('cpu profile summary', () => {
  it('adds self time per function and per source area, idle apart', () => {
    const frame = (id: number, functionName: string, url: string) => ({ id, callFrame: { functionName, url, lineNumber: 0 } });
    const profile = {
      nodes: [frame(1, '(root)', ''), frame(2, '(idle)', ''), frame(3, 'step', 'file:///w/server/raft/raft.ts'), frame(4, 'write', 'file:///w/node_modules/rocksdb/leveldown.js')],
      samples: [2, 3, 3, 4],
      timeDeltas: [1000, 2000, 2000, 1000],
    };
    const summary = summarizeProfile(profile);
    expect(summary.totalMs).toBe(6);
    expect(summary.idleMs).toBe(1);
    expect(summary.top[0].name).toContain('step');
    expect(summary.top[0].selfMs).toBe(4);
    expect(summary.areas.find((a) => a.name === 'server/raft')?.selfMs).toBe(4);
    expect(summary.areas.find((a) => a.name === 'rocksdb')?.selfMs).toBe(1);
  });
});
