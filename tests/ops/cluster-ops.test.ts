// Operations against a live 3-node cluster of real processes:
// 1. /metrics under write load: every Corral family is there, with sane values;
// 2. /readyz and gRPC health flip to not-ready when a node loses both peers, and back;
// 3. SIGTERM of a KV group leader during a client write loop: leadership is handed over
//    (not lost to an election), the process exits 0, and no client write fails.

import { readFileSync } from 'node:fs';
import { groupForNamespace } from '../../server/meta/shard-map';
import { TestCluster, call, waitFor } from '../cluster/harness';
import { CoordinationActivity, WriteLoop, healthClient, healthStatus, httpGet } from './ops-client';
import { parsePrometheusText, samplesOf, sumOf, type Family } from './prom-text';

jest.setTimeout(180_000);

/** Every family docs/operations.md promises (process defaults sampled by two of them). */
const FAMILIES = [
  'corral_node_info', 'corral_node_draining', 'corral_group_role', 'corral_group_leader', 'corral_group_has_leader', 'corral_group_term',
  'corral_group_commit_index', 'corral_group_applied_index', 'corral_group_apply_lag_entries', 'corral_group_leader_changes_total',
  'corral_proposals_total', 'corral_proposal_failures_total', 'corral_proposal_duration_seconds', 'corral_fsync_entries', 'corral_fsync_duration_seconds',
  'corral_snapshots_total', 'corral_snapshot_size_bytes', 'corral_snapshot_duration_seconds', 'corral_storage_synced_batches_total',
  'corral_storage_written_bytes_total', 'corral_storage_queued_calls', 'corral_host_passes_total', 'corral_host_inputs_dropped_total',
  'corral_peer_batches_total', 'corral_peer_messages_total', 'corral_peer_bytes_total', 'corral_peer_dropped_messages_total', 'corral_peer_connected',
  'corral_peer_queued_messages', 'corral_rpc_handled_total', 'corral_rpc_duration_seconds', 'corral_rpc_in_flight', 'corral_sessions',
  'corral_sessions_expired_total', 'corral_ephemeral_nodes', 'corral_watchers', 'corral_watch_events_sent_total', 'corral_watch_slow_consumer_cancels_total',
  'corral_lock_holders', 'corral_lock_waiters', 'process_cpu_user_seconds_total', 'nodejs_heap_size_used_bytes',
];

async function scrape(cluster: TestCluster, id: number): Promise<Map<string, Family>> {
  const response = await httpGet(cluster.spec(id).metricsPort, '/metrics');
  expect(response.status).toBe(200);
  return parsePrometheusText(response.body);
}

async function leaderOf(cluster: TestCluster, askId: number, namespace: string): Promise<{ groupId: number; leader: number }> {
  const status = await cluster.status(askId);
  const groupId = groupForNamespace(status.slots.map(Number), namespace);
  return { groupId, leader: Number(status.groups.find((g) => Number(g.id) === groupId)?.leader ?? 0) };
}

describe('operations of a live 3-node cluster', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    // Small snapshotEntries so that the load below takes snapshots. The placement loop is
    // slowed to never act during the test: it moves leaderships to preferred leaders, which
    // would race the choice of the leader to SIGTERM (see the report on drain vs placement).
    cluster = await TestCluster.start({
      nodes: 3, kvGroups: 2, args: ['--snapshot-entries', '100', '--catch-up-entries', '20', '--placement-interval-ms', '600000'],
    });
    await cluster.waitForLeaders();
  });

  afterAll(async () => {
    await cluster?.stop(process.env.CORRAL_KEEP_TEST_DATA === '1');
  });

  test('/metrics under write load has every family with sane values', async () => {
    const coordination = await CoordinationActivity.start(cluster, 'coord', 2);
    try {
      await checkMetricsUnderLoad(cluster, coordination);
    } finally {
      coordination.stop();
    }
  });

  async function checkMetricsUnderLoad(cluster: TestCluster, coordination: CoordinationActivity): Promise<void> {
    const coordGroup = String((await leaderOf(cluster, 1, 'coord')).groupId);
    // The 2 s session expires on every replica of its group (applied everywhere).
    await waitFor('the unrenewed session to expire', async () => {
      const all = await Promise.all([1, 2, 3].map((id) => scrape(cluster, id)));
      return all.every((families) => sumOf(samplesOf(families, 'corral_sessions_expired_total', { group: coordGroup })) >= 1);
    }, 60_000, 250);
    const loops = ['alpha', 'beta', 'gamma', 'delta'].map((ns) => new WriteLoop(cluster, () => [1, 2, 3], `/${ns}/load`, 2_000));
    await waitFor('300 writes', () => loops.reduce((n, l) => n + l.written, 0) >= 300, 90_000, 50);
    // State gauges (leader known, peers connected) may flicker on a loaded machine: take the
    // first scrape of all three nodes in which they are settled, then check everything on it.
    const scrapes = await waitFor('a scrape with every group led and every peer connected', async () => {
      const all = await Promise.all([1, 2, 3].map((id) => scrape(cluster, id)));
      const settled = all.every((families) =>
        samplesOf(families, 'corral_group_has_leader').every((s) => s.value === 1) && samplesOf(families, 'corral_peer_connected').every((s) => s.value === 1));
      return settled ? all : undefined;
    }, 60_000, 200);
    const reports = await Promise.all(loops.map((l) => l.stop()));
    expect(reports.flatMap((r) => r.failures)).toEqual([]);
    const writes = reports.reduce((n, r) => n + r.acked.size, 0);

    for (const [i, families] of scrapes.entries()) {
      const id = i + 1;
      for (const name of FAMILIES) expect([id, name, families.has(name)]).toEqual([id, name, true]);
      expect(samplesOf(families, 'corral_node_info', { node: String(id) })[0].value).toBe(1);
      // Meta group 0 and both KV groups live on every node (replication 3).
      for (const group of ['0', '1', '2']) {
        const one = (family: string): number => samplesOf(families, family, { group })[0]?.value ?? Number.NaN;
        const roles = samplesOf(families, 'corral_group_role', { group });
        const commit = one('corral_group_commit_index');
        const applied = one('corral_group_applied_index');
        const where = `node ${id} group ${group}`;
        expect([where, roles.map((s) => s.value), one('corral_group_has_leader')]).toEqual([where, [1], 1]);
        expect([where, applied > 0, commit >= applied, one('corral_group_term') >= 1, one('corral_group_leader_changes_total') >= 1]).toEqual([where, true, true, true, true]);
      }
      const fsyncs = samplesOf(families, 'corral_fsync_duration_seconds', {}, 'corral_fsync_duration_seconds_count')[0].value;
      const fsyncSeconds = samplesOf(families, 'corral_fsync_duration_seconds', {}, 'corral_fsync_duration_seconds_sum')[0].value;
      // Mean fsync under a second: sane, not a speed test.
      expect([`node ${id} fsyncs`, fsyncs > 10, fsyncSeconds / fsyncs < 1]).toEqual([`node ${id} fsyncs`, true, true]);
      expect(sumOf(samplesOf(families, 'corral_fsync_entries', {}, 'corral_fsync_entries_sum'))).toBeGreaterThan(0);
      // Raft traffic flows between a leader and its followers (never follower to follower):
      // every node exchanges with someone; a node leading a group sends to every peer.
      const peerTotal = (family: string, direction: string): number => sumOf(samplesOf(families, family, { direction }));
      expect([`node ${id} peer traffic`, peerTotal('corral_peer_batches_total', 'sent') > 0, peerTotal('corral_peer_bytes_total', 'received') > 0])
        .toEqual([`node ${id} peer traffic`, true, true]);
      if (samplesOf(families, 'corral_group_role', { role: 'leader' }).length > 0) {
        for (const peer of [1, 2, 3].filter((p) => p !== id).map(String)) {
          const sent = samplesOf(families, 'corral_peer_batches_total', { peer, direction: 'sent' })[0]?.value ?? 0;
          expect([`leader node ${id} to peer ${peer}`, sent > 0]).toEqual([`leader node ${id} to peer ${peer}`, true]);
        }
      }
      expect(samplesOf(families, 'corral_storage_written_bytes_total')[0].value).toBeGreaterThan(0);
      for (const group of ['1', '2']) {
        for (const gauge of ['corral_sessions', 'corral_ephemeral_nodes', 'corral_watchers', 'corral_lock_holders', 'corral_lock_waiters']) {
          expect(samplesOf(families, gauge, { group })[0].value).toBeGreaterThanOrEqual(0);
        }
      }
      expect(samplesOf(families, 'process_cpu_user_seconds_total')[0].value).toBeGreaterThan(0);
      // Two live sessions, one ephemeral node, one holder and one waiter: replicated state.
      const coord = (family: string): number => samplesOf(families, family, { group: coordGroup })[0]?.value ?? Number.NaN;
      expect([`node ${id}`, coord('corral_sessions'), coord('corral_ephemeral_nodes'), coord('corral_lock_holders'), coord('corral_lock_waiters')])
        .toEqual([`node ${id}`, 2, 1, 1, 1]);
      expect(coord('corral_sessions_expired_total')).toBeGreaterThanOrEqual(1);
    }
    // The watch is served by node 2: its watcher and the events it sent are counted there.
    const watchNode = scrapes[1];
    expect(samplesOf(watchNode, 'corral_watchers', { group: coordGroup })[0].value).toBe(1);
    expect(coordination.watchEventsReceived).toBeGreaterThanOrEqual(21);
    expect(samplesOf(watchNode, 'corral_watch_events_sent_total', { group: coordGroup })[0].value).toBeGreaterThanOrEqual(coordination.watchEventsReceived);
    const all = scrapes.flatMap((families) => [...families.values()]);
    const fromAll = (family: string, labels: Record<string, string> = {}, sample = family): number => sumOf(all.filter((f) => f.name === family).flatMap((f) => samplesOf(new Map([[family, f]]), family, labels, sample)));
    // Leaders made the proposals: at least one per write acknowledged before the scrape.
    expect(fromAll('corral_proposals_total')).toBeGreaterThanOrEqual(300);
    expect(fromAll('corral_proposal_duration_seconds', {}, 'corral_proposal_duration_seconds_count')).toBe(fromAll('corral_proposals_total'));
    expect(fromAll('corral_rpc_handled_total', { method: 'corral.v1.KV/Put', code: 'OK' })).toBeGreaterThanOrEqual(300);
    expect(fromAll('corral_rpc_duration_seconds', { method: 'corral.v1.KV/Put', code: 'OK' }, 'corral_rpc_duration_seconds_count')).toBeGreaterThanOrEqual(300);
    // 300+ entries spread over two KV groups with snapshotEntries 100: each replica took some.
    expect(fromAll('corral_snapshots_total', { kind: 'taken' })).toBeGreaterThan(0);
    expect(Math.max(...all.filter((f) => f.name === 'corral_snapshot_size_bytes').flatMap((f) => f.samples.map((s) => s.value)))).toBeGreaterThan(0);
    process.stdout.write(`metrics: ${writes} writes; proposals ${fromAll('corral_proposals_total')}, fsyncs ${fromAll('corral_fsync_duration_seconds', {}, 'corral_fsync_duration_seconds_count')}, snapshots ${fromAll('corral_snapshots_total')}, watch events ${coordination.watchEventsReceived}\n`);
  }

  test('/readyz and gRPC health go not-ready when a node loses its peers, and ready when they return', async () => {
    const health = healthClient(cluster.address(1));
    try {
      const ready = await httpGet(cluster.spec(1).metricsPort, '/readyz');
      expect([ready.status, JSON.parse(ready.body).ready]).toEqual([200, true]);
      expect(await healthStatus(health)).toBe('SERVING');
      expect((await httpGet(cluster.spec(1).metricsPort, '/healthz')).status).toBe(200);

      await Promise.all([cluster.signal(2, 'SIGKILL'), cluster.signal(3, 'SIGKILL')]);
      const notReady = await waitFor('node 1 not ready', async () => {
        const response = await httpGet(cluster.spec(1).metricsPort, '/readyz');
        return response.status === 503 ? (JSON.parse(response.body) as { ready: boolean; reason: string; groups: { problem: string }[] }) : undefined;
      }, 60_000, 100);
      expect(notReady.ready).toBe(false);
      expect(notReady.groups.map((g) => g.problem)).toContain('no-leader');
      expect(await healthStatus(health)).toBe('NOT_SERVING');
      expect((await httpGet(cluster.spec(1).metricsPort, '/healthz')).status).toBe(200); // alive all along

      await Promise.all([cluster.startNode(2), cluster.startNode(3)]);
      await waitFor('node 1 ready again', async () => (await httpGet(cluster.spec(1).metricsPort, '/readyz')).status === 200, 60_000, 100);
      expect(await healthStatus(health)).toBe('SERVING');
    } finally {
      health.close();
    }
  });

  test('SIGTERM of a KV group leader under client writes: leadership handed over, exit 0, no failed write', async () => {
    await cluster.waitForLeaders();
    const { groupId, leader } = await leaderOf(cluster, 1, 'omega');
    expect(leader).toBeGreaterThan(0);
    const child = cluster.processes.get(leader)!;
    // Clients keep using every node, the one shutting down included.
    const loop = new WriteLoop(cluster, () => [1, 2, 3], '/omega/drain', 5_000);
    let exitCode: number | null = null;
    let shutdownMs = 0;
    try {
      await waitFor('writes before the SIGTERM', () => loop.written >= 50, 60_000, 20);
      expect(await leaderOf(cluster, leader, 'omega')).toEqual({ groupId, leader }); // still the leader, by its own account
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const signalledAtMs = Date.now();
      child.kill('SIGTERM');
      exitCode = await exited;
      shutdownMs = Date.now() - signalledAtMs;
      const writtenAtExit = loop.written;
      await waitFor('writes continue after the exit', () => loop.written >= writtenAtExit + 50 || loop.failures.length > 0, 60_000, 20);
    } finally {
      await loop.stop();
    }
    const report = await loop.stop();

    expect(report.failures).toEqual([]);
    expect(exitCode).toBe(0);
    const survivors = [1, 2, 3].filter((id) => id !== leader);
    const after = await leaderOf(cluster, survivors[0], 'omega');
    expect(survivors).toContain(after.leader);
    // The node handed the group over rather than leaving the others to time out and elect.
    const drained = readFileSync(cluster.logPath(leader), 'utf8').split('\n').filter((l) => l.includes('"msg":"drained"')).map((l) => JSON.parse(l) as { leadershipsMoved: number[]; leadershipsStuck: number[] });
    expect(drained).toHaveLength(1);
    expect(drained[0].leadershipsMoved).toContain(groupId);
    expect(drained[0].leadershipsStuck).toEqual([]);
    for (const [path, value] of report.acked) {
      const response = await call<{ value: Buffer }>((cb) => cluster.kv(survivors[0]).Get({ path }, { deadline: Date.now() + 10_000 }, cb));
      expect([path, response.value.toString()]).toEqual([path, value]);
    }
    process.stdout.write(`sigterm: node ${leader} (leader of group ${groupId}) exited ${exitCode} after ${shutdownMs} ms; ${report.acked.size} writes, ${report.retries} retries, slowest write ${report.slowestWriteMs} ms\n`);
    await cluster.startNode(leader);
  });
});
