// Unit tests of the operations building blocks: readiness verdicts, the choice of a
// leadership transferee and the drain loop, the request gate, mirrored counters, the metrics
// render, the backup file format, and the restored layout.

import { Counter, Registry } from 'prom-client';
import { checkReadiness } from '../../server/ops/readiness';
import { chooseTransferee, drainLeadership, type LeadershipHost } from '../../server/ops/leadership-drain';
import { RequestGate } from '../../server/ops/request-gate';
import { MirroredCounter } from '../../server/ops/mirrored-counter';
import { CorralMetrics } from '../../server/ops/metrics';
import type { GroupView, MetricsSources } from '../../server/ops/metric-sources';
import { BackupFileError, decodeBackup, encodeBackup, sha256Hex, type Backup } from '../../server/ops/backup-file';
import { restoredLayout } from '../../server/ops/snapshot-restore';
import { expiredSessionsOf } from '../../server/ops/node-ops';
import { WATCH_METHOD, WatchStreamObserver } from '../../server/ops/watch-stream-observer';
import { initialLayout } from '../../server/meta/layout';
import { silentLogger } from '../../server/ops/logger';
import type { RaftStatus, Role } from '../../server/raft/types';
import { parsePrometheusText, samplesOf } from './prom-text';

function view(groupId: number, leader: number, commit: number, applied: number, role: Role = 'follower'): GroupView {
  return { groupId, role, leader, term: 3, commit, applied, leaderChanges: 1 };
}

describe('readiness', () => {
  test('ready when every group knows a leader and applies close to commit', () => {
    expect(checkReadiness({ draining: false, lagEntriesMax: 10, groups: [view(0, 1, 5, 5), view(1, 2, 100, 95)] })).toEqual({ ready: true, groups: 2 });
  });

  test('not ready without a leader, naming the group', () => {
    const verdict = checkReadiness({ draining: false, lagEntriesMax: 10, groups: [view(0, 1, 5, 5), view(1, 0, 7, 7)] });
    expect(verdict.ready).toBe(false);
    if (verdict.ready) return;
    expect(verdict.groups).toEqual([{ group: 1, problem: 'no-leader', commit: 7, applied: 7 }]);
    expect(verdict.reason).toContain('1 of 2');
  });

  test('not ready while applying more than the bound behind commit, ready at the bound', () => {
    expect(checkReadiness({ draining: false, lagEntriesMax: 10, groups: [view(1, 2, 100, 90)] }).ready).toBe(true);
    const verdict = checkReadiness({ draining: false, lagEntriesMax: 10, groups: [view(1, 2, 100, 89)] });
    expect(verdict).toMatchObject({ ready: false, groups: [{ group: 1, problem: 'applying-behind' }] });
  });

  test('not ready while draining or hosting nothing', () => {
    expect(checkReadiness({ draining: true, lagEntriesMax: 10, groups: [view(0, 1, 5, 5)] })).toMatchObject({ ready: false, reason: 'shutting down' });
    expect(checkReadiness({ draining: false, lagEntriesMax: 10, groups: [] }).ready).toBe(false);
  });
});

function status(progress: { id: number; match: number; recentActive?: boolean; learner?: boolean }[], voters: number[], role: Role = 'leader'): RaftStatus {
  return {
    id: 1, role, term: 2, vote: 1, leader: 1, commit: 10, applied: 10, firstIndex: 1, lastIndex: 10,
    conf: { voters, learners: progress.filter((p) => p.learner === true).map((p) => p.id) }, transferee: 0,
    progress: progress.map((p) => ({ id: p.id, match: p.match, next: p.match + 1, state: 'replicate', learner: p.learner ?? false, recentActive: p.recentActive ?? true })),
  };
}

describe('leadership drain', () => {
  test('chooses the recently active voter with the highest match, never itself or a learner', () => {
    const s = status([{ id: 1, match: 10 }, { id: 2, match: 9 }, { id: 3, match: 10, recentActive: false }, { id: 4, match: 10 }, { id: 5, match: 10, learner: true }], [1, 2, 3, 4]);
    expect(chooseTransferee(s, 1, new Set())).toBe(4);
    expect(chooseTransferee(s, 1, new Set([4]))).toBe(2);
    expect(chooseTransferee(s, 1, new Set([2, 3, 4]))).toBe(4); // all tried: start over
    expect(chooseTransferee(status([{ id: 1, match: 10 }], [1]), 1, new Set())).toBe(0);
  });

  test('spreads groups over equally caught-up voters', () => {
    const s = status([{ id: 1, match: 10 }, { id: 2, match: 10 }, { id: 3, match: 10 }], [1, 2, 3]);
    expect([0, 1, 2, 3].map((group) => chooseTransferee(s, 1, new Set(), group))).toEqual([2, 3, 2, 3]);
  });

  test('moves every led group; retries another voter when a transfer does not land', async () => {
    const roles = new Map<number, Role>([[0, 'leader'], [1, 'leader'], [2, 'follower']]);
    const asked: [number, number][] = [];
    const host: LeadershipHost = {
      groupIds: () => [0, 1, 2],
      group: (id) => ({ role: roles.get(id)!, leader: roles.get(id) === 'leader' ? 1 : 2, node: { status: () => status([{ id: 1, match: 10 }, { id: 2, match: 10 }, { id: 3, match: 8 }], [1, 2, 3], roles.get(id)) } }),
      transferLeadership: (groupId, to) => {
        asked.push([groupId, to]);
        // Group 0 moves at once; group 1 only when asked for node 3 (node 2 "never answers").
        if (groupId === 0 || to === 3) roles.set(groupId, 'follower');
        return Promise.resolve();
      },
    };
    const result = await drainLeadership({ host, nodeId: 1, deadlineMs: Date.now() + 10_000, pollMs: 2, retryMs: 4, logger: silentLogger });
    expect(result).toEqual({ moved: [0, 1], stuck: [] });
    expect(asked.filter(([g]) => g === 1).map(([, to]) => to)).toEqual([2, 3]);
  });

  test('trusts the core, not the replica role that lags it by a pass', async () => {
    // The core stepped down for the transferee; the replica's role still says leader.
    let stepped = false;
    const host: LeadershipHost = {
      groupIds: () => [3],
      group: () => ({ role: 'leader', leader: 1, node: { status: () => (stepped ? status([], [1, 2], 'follower') : status([{ id: 1, match: 5 }, { id: 2, match: 5 }], [1, 2])) } }),
      transferLeadership: () => { stepped = true; return Promise.resolve(); },
    };
    expect(await drainLeadership({ host, nodeId: 1, deadlineMs: Date.now() + 10_000, pollMs: 2, retryMs: 4, logger: silentLogger })).toEqual({ moved: [3], stuck: [] });
  });

  test('does not wait for a group that has no other voter', async () => {
    const host: LeadershipHost = {
      groupIds: () => [5],
      group: () => ({ role: 'leader', leader: 1, node: { status: () => status([{ id: 1, match: 5 }], [1]) } }),
      transferLeadership: () => Promise.reject(new Error('no voter')),
    };
    expect(await drainLeadership({ host, nodeId: 1, deadlineMs: Date.now() + 60_000, pollMs: 2, retryMs: 4, logger: silentLogger })).toEqual({ moved: [], stuck: [5] });
  });

  test('reports groups it could not move by the deadline', async () => {
    const host: LeadershipHost = {
      groupIds: () => [7],
      group: () => ({ role: 'leader', leader: 1, node: { status: () => status([{ id: 1, match: 10 }, { id: 2, match: 10 }], [1, 2]) } }),
      transferLeadership: () => Promise.reject(new Error('refused')),
    };
    expect(await drainLeadership({ host, nodeId: 1, deadlineMs: Date.now() + 30, pollMs: 5, retryMs: 5, logger: silentLogger })).toEqual({ moved: [], stuck: [7] });
  });
});

describe('request gate', () => {
  test('admits until closed, then waits for admitted unary calls only', async () => {
    const gate = new RequestGate();
    expect(gate.enter('unary')).toBe(true);
    expect(gate.enter('stream')).toBe(true);
    gate.close();
    expect(gate.enter('unary')).toBe(false);
    expect(await gate.waitIdle(5)).toBe(false);
    const idle = gate.waitIdle(60_000);
    gate.leave('unary');
    expect(await idle).toBe(true);
    expect(gate.inFlight).toEqual({ unary: 0, streams: 1 });
    expect(() => gate.leave('unary')).toThrow('twice');
  });
});

describe('metrics', () => {
  test('a mirrored counter follows its source and restarts when the source does', async () => {
    const registry = new Registry();
    const counter = new Counter({ name: 'x_total', help: 'x', labelNames: ['peer'], registers: [registry] });
    const mirror = new MirroredCounter(counter);
    mirror.mirror({ peer: '2' }, 5);
    mirror.mirror({ peer: '2' }, 8);
    expect(samplesOf(parsePrometheusText(await registry.metrics()), 'x_total', { peer: '2' })[0].value).toBe(8);
    mirror.mirror({ peer: '2' }, 3);
    expect(samplesOf(parsePrometheusText(await registry.metrics()), 'x_total', { peer: '2' })[0].value).toBe(3);
  });

  test('render reads the sources and the pushed observations', async () => {
    const metrics = new CorralMetrics({ nodeId: 4, clusterId: 'c-1', processMetrics: false });
    const sources: MetricsSources = {
      nodeId: 4,
      groups: () => [view(0, 4, 12, 12, 'leader'), view(1, 0, 30, 20, 'pre-candidate')],
      kvGroups: () => [{ groupId: 1, state: { sessions: () => [{ ephemeralCount: 2 }, { ephemeralCount: 3 }], locks: () => [{ holder: {}, waiters: [1, 2] }, { holder: null, waiters: [] }] }, hub: { watcherCount: 6 } }],
      host: () => ({ passes: 50, fsyncs: 9, entriesPersisted: 40, messagesSent: 70, inputsDropped: 0, lastFsyncMs: 1 }),
      store: () => ({ batchesWritten: 9, entriesWritten: 40, bytesWritten: 4096, lastSyncDurationMs: 1, syncDurationMsTotal: 9, syncDurationMsMax: 2, queuedCalls: 0 }),
      transport: () => ({ peers: [peerStats(5)], droppedUnknownPeer: 0, droppedNoHandler: 0, rejectedAnonymous: 0 }),
    };
    metrics.attach(sources);
    metrics.recordProposal(1, 4, null);
    metrics.recordProposal(1, 9, 'aborted');
    metrics.recordFsync(2, new Map([[0, 0], [1, 3]]));
    metrics.recordRpcStart();
    metrics.recordRpcEnd('corral.v1.KV/Put', 'OK', 3);
    const families = parsePrometheusText(await metrics.render());
    const value = (family: string, labels: Record<string, string> = {}, sample = family): number | undefined => samplesOf(families, family, labels, sample)[0]?.value;
    expect(value('corral_group_role', { group: '1', role: 'pre-candidate' })).toBe(1);
    expect(value('corral_group_has_leader', { group: '1' })).toBe(0);
    expect(value('corral_group_apply_lag_entries', { group: '1' })).toBe(10);
    expect(value('corral_proposals_total', { group: '1' })).toBe(2);
    expect(value('corral_proposal_failures_total', { group: '1', code: 'aborted' })).toBe(1);
    expect(value('corral_proposal_duration_seconds', { group: '1' }, 'corral_proposal_duration_seconds_count')).toBe(2);
    expect(value('corral_fsync_entries', { group: '1' }, 'corral_fsync_entries_sum')).toBe(3);
    expect(samplesOf(families, 'corral_fsync_entries', { group: '0' }, 'corral_fsync_entries_count')).toEqual([]);
    expect(value('corral_ephemeral_nodes', { group: '1' })).toBe(5);
    expect(value('corral_lock_holders', { group: '1' })).toBe(1);
    expect(value('corral_lock_waiters', { group: '1' })).toBe(2);
    expect(value('corral_watchers', { group: '1' })).toBe(6);
    expect(value('corral_peer_bytes_total', { peer: '5', direction: 'sent' })).toBe(500);
    expect(value('corral_rpc_handled_total', { method: 'corral.v1.KV/Put', code: 'OK' })).toBe(1);
    expect(value('corral_rpc_in_flight')).toBe(0);
    expect(value('corral_storage_written_bytes_total')).toBe(4096);
  });

  test('counts watch events sent and slow-consumer cancels per group, from the stream messages', async () => {
    const metrics = new CorralMetrics({ nodeId: 1, clusterId: 'c', processMetrics: false });
    const observer = new WatchStreamObserver(metrics, (path) => (path.startsWith('/jobs') ? 3 : null));
    expect(observer.forCall('corral.v1.KV/Put')).toBeNull();
    const watch = observer.forCall(WATCH_METHOD)!;
    watch.sent({ events: [{}, {}] }); // before the request: group unknown, not counted
    watch.received({ path: '/jobs/a', kind: 'SUBTREE' });
    watch.sent({ events: [], revision: 4 });
    watch.sent({ events: [{}, {}, {}], revision: 7 });
    watch.sent({ events: [], cancelled: 'SLOW_CONSUMER', resume_revision: 8 });
    const unrouted = observer.forCall(WATCH_METHOD)!;
    unrouted.received({ path: '/elsewhere' });
    unrouted.sent({ events: [{}] });
    const families = parsePrometheusText(await metrics.render());
    expect(samplesOf(families, 'corral_watch_events_sent_total').map((x) => [x.labels.group, x.value])).toEqual([['3', 3]]);
    expect(samplesOf(families, 'corral_watch_slow_consumer_cancels_total').map((x) => [x.labels.group, x.value])).toEqual([['3', 1]]);
  });

  test('counts expired sessions from an applied result, wrapped or not', () => {
    const result = { ok: true, kind: 'sessionExpire', revision: 3, expired: [4, 5], missing: [] };
    expect(expiredSessionsOf(result)).toBe(2);
    expect(expiredSessionsOf({ index: 9, result })).toBe(2);
    expect(expiredSessionsOf({ ok: true, kind: 'put' })).toBe(0);
    expect(expiredSessionsOf(null)).toBe(0);
  });
});

function peerStats(nodeId: number) {
  return {
    nodeId, address: '127.0.0.1:1', connected: true, queuedMessages: 0, queuedBytes: 0, lastError: '',
    batchesSent: 10, messagesSent: 20, bytesSent: 500, droppedQueueFull: 0, droppedOversize: 0, reconnects: 0, streamFailures: 0,
    snapshotsSent: 0, snapshotsFailed: 0, snapshotBytesSent: 0,
    batchesReceived: 11, messagesReceived: 21, bytesReceived: 600, rejected: 0, snapshotsReceived: 0, snapshotsRejected: 0, snapshotBytesReceived: 0,
  };
}

describe('backup file', () => {
  function backupOf(images: [number, 'meta' | 'kv', Buffer][]): Backup {
    return {
      manifest: {
        formatVersion: 1, clusterId: 'corral-abc', takenAtMs: 1,
        groups: images.map(([id, kind, data]) => ({ id, kind, appliedIndex: id * 10, sizeBytes: data.length, sha256: sha256Hex(data), servedBy: 1 })),
      },
      images: new Map(images.map(([id, , data]) => [id, data])),
    };
  }

  test('round-trips every image and the manifest', () => {
    const backup = backupOf([[0, 'meta', Buffer.from('{"layout":1}')], [1, 'kv', Buffer.alloc(3000, 7)], [2, 'kv', Buffer.alloc(0)]]);
    const decoded = decodeBackup(encodeBackup(backup));
    expect(decoded.manifest).toEqual(backup.manifest);
    for (const [id, image] of backup.images) expect(Buffer.from(decoded.images.get(id)!)).toEqual(image);
  });

  test('refuses a damaged, truncated or foreign file', () => {
    const bytes = encodeBackup(backupOf([[0, 'meta', Buffer.from('m')], [1, 'kv', Buffer.alloc(100, 1)]]));
    const flipped = Buffer.from(bytes);
    flipped[bytes.length - 50] ^= 1;
    expect(() => decodeBackup(flipped)).toThrow(/damaged/);
    expect(() => decodeBackup(bytes.subarray(0, bytes.length - 10))).toThrow(BackupFileError);
    expect(() => decodeBackup(Buffer.from('not a backup at all, certainly not one of ours, no'))).toThrow(/magic/);
  });

  test('refuses to encode an image that does not match its manifest entry', () => {
    const backup = backupOf([[1, 'kv', Buffer.alloc(10, 1)]]);
    (backup.images as Map<number, Uint8Array>).set(1, Buffer.alloc(10, 2));
    expect(() => encodeBackup(backup)).toThrow(/not matching/);
  });
});

describe('restored layout', () => {
  test('keeps the saved groups and slot map, places replicas on the new members', () => {
    const saved = initialLayout({ clusterId: 'old', members: [{ id: 1, address: 'a:1' }, { id: 2, address: 'b:1' }, { id: 3, address: 'c:1' }], kvGroups: 3, replication: 3, slotCount: 16 });
    const shuffled = { ...saved, groups: saved.groups.map((g) => ({ ...g, id: g.id + 10 })), slots: saved.slots.map((id, i) => (i % 2 === 0 ? id + 10 : 11)) };
    const members = [{ id: 7, address: 'x:1' }, { id: 8, address: 'y:1' }, { id: 9, address: 'z:1' }];
    const layout = restoredLayout(shuffled, { clusterId: 'new', members, replication: 3 });
    expect(layout.clusterId).toBe('new');
    expect(layout.groups.map((g) => g.id)).toEqual([11, 12, 13]);
    expect(layout.slots).toEqual(shuffled.slots);
    expect(layout.members.map((m) => m.id)).toEqual([7, 8, 9]);
    for (const group of layout.groups) expect([...group.voters].sort()).toEqual([7, 8, 9]);
    expect(() => restoredLayout({ ...shuffled, slots: [99] }, { clusterId: 'new', members, replication: 3 })).toThrow(/unknown group 99/);
  });
});
