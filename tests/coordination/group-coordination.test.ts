// The node-side coordination of one KV group replica, driven deterministically: a real state
// machine, a fake host (role, term, proposals captured), explicit clock values. Covers the
// tracker's activation rule, keepalive answers, the leader loop's proposals, lock waits and
// observers, and watcher wake-ups.

import { decodeCommand, encodeCommand, type KvCommand } from '../../server/kv/commands';
import { KvGroupStateMachine } from '../../server/kv/kv-group';
import { defaultSessionTrackerConfig } from '../../server/kv/session-tracker';
import type { LockInfo } from '../../server/kv/lock-table';
import { GroupCoordination, type CoordinationHost } from '../../server/node/group-coordination';
import { silentLogger } from '../../server/ops/logger';
import type { RaftStatus, Role } from '../../server/raft/types';
import { cmd, testLimits } from '../kv/helpers';

const GROUP = 1;
const GRACE_MS = 1_000;

class FakeHost implements CoordinationHost {
  role: Role = 'follower';
  leader = 0;
  term = 1;
  lastIndex = 0;
  readonly proposed: KvCommand[] = [];

  groupIds(): number[] {
    return [GROUP];
  }

  group(groupId: number): { role: Role; leader: number; node: { status(): RaftStatus } } | undefined {
    if (groupId !== GROUP) return undefined;
    const status: RaftStatus = {
      id: 1, role: this.role, term: this.term, vote: 1, leader: this.leader, commit: this.lastIndex, applied: 0,
      firstIndex: 1, lastIndex: this.lastIndex, conf: { voters: [1, 2, 3], learners: [] }, transferee: 0, progress: [],
    };
    return { role: this.role, leader: this.leader, node: { status: () => status } };
  }

  propose(_groupId: number, data: Uint8Array): Promise<{ index: number; result: unknown }> {
    const decoded = decodeCommand(data);
    if (!decoded.ok) throw new Error(decoded.message);
    this.proposed.push(decoded.command);
    return new Promise(() => undefined); // settled by nobody: the test applies by hand
  }
}

class Replica {
  readonly host = new FakeHost();
  readonly machine = new KvGroupStateMachine(testLimits());
  readonly coordination: GroupCoordination;
  index = 0;

  constructor() {
    this.coordination = new GroupCoordination({
      groupId: GROUP, machine: this.machine, host: this.host,
      trackerConfig: { ...defaultSessionTrackerConfig(), reconnectGraceMs: GRACE_MS },
      lockWaitsMax: 4, trackerProposalsMax: 8, logger: silentLogger,
    });
  }

  apply(command: KvCommand, nowMs: number): ReturnType<KvGroupStateMachine['applyEntry']> {
    this.index += 1;
    const applied = this.machine.applyEntry(this.index, this.host.term, encodeCommand(command));
    this.coordination.onApplied(applied, nowMs);
    return applied;
  }

  /** A leader no-op (or conf change): no data, applied as null. */
  skip(nowMs: number): void {
    this.index += 1;
    this.machine.skipEntry(this.index);
    this.coordination.onApplied(null, nowMs);
  }

  becomeLeader(nowMs: number, pendingEntries = 0): void {
    this.host.role = 'leader';
    this.host.leader = 1;
    this.host.lastIndex = this.index + 1 + pendingEntries; // its term's no-op, after what is pending
    this.coordination.reconcile(nowMs);
  }

  /** Applies what the leader loop proposed (as a healthy log would) and clears the list. */
  applyProposals(nowMs: number): KvCommand[] {
    const proposals = this.host.proposed.splice(0);
    for (const command of proposals) this.apply(command, nowMs);
    return proposals;
  }
}

describe('GroupCoordination', () => {
  it('activates the tracker only once the new leader has applied up to its term start', () => {
    const replica = new Replica();
    const opened = replica.apply(cmd.open(5_000, 0), 0);
    expect(opened.result).toMatchObject({ ok: true, kind: 'sessionOpen' });
    expect(replica.coordination.keepalive([1], 10)).toEqual({ ok: false, reason: 'not-leader', leader: 0 });
    replica.host.leader = 3;
    expect(replica.coordination.keepalive([1], 10)).toEqual({ ok: false, reason: 'not-leader', leader: 3 });

    replica.becomeLeader(100, 1); // one entry of the old term still to apply, then the no-op
    expect(replica.coordination.keepalive([1], 100)).toEqual({ ok: false, reason: 'catching-up' });
    replica.apply(cmd.open(5_000, 50), 120); // the old leader's last entry
    expect(replica.coordination.keepalive([1], 120)).toEqual({ ok: false, reason: 'catching-up' });
    replica.skip(130); // the term's no-op: now every earlier entry is applied
    const answer = replica.coordination.keepalive([1, 2, 99], 140);
    expect(answer).toEqual({
      ok: true,
      outcomes: [
        // The lease held whatever happens to this leader: TTL less one batch interval.
        { id: 1, ok: true, ttlMs: 5_000, remainingMs: 3_750 },
        { id: 2, ok: true, ttlMs: 5_000, remainingMs: 3_750 },
        { id: 99, ok: false, reason: 'session-not-found' },
      ],
    });
    // Losing leadership empties the tracker: a keepalive is refused again.
    replica.host.role = 'follower';
    replica.host.leader = 2;
    replica.coordination.tick(200);
    expect(replica.coordination.keepalive([1], 200)).toEqual({ ok: false, reason: 'not-leader', leader: 2 });
  });

  it('proposes expiry of a session that stops keeping alive, and not of one that keeps alive', () => {
    const replica = new Replica();
    replica.becomeLeader(0);
    replica.skip(0);
    const quiet = Number((replica.apply(cmd.open(2_000, 0), 0).result as { sessionId: number }).sessionId);
    const live = Number((replica.apply(cmd.open(2_000, 0), 0).result as { sessionId: number }).sessionId);
    const expired: number[] = [];
    for (let nowMs = 100; nowMs <= 4_000; nowMs += 100) {
      replica.coordination.keepalive([live], nowMs);
      replica.coordination.tick(nowMs);
      for (const command of replica.applyProposals(nowMs)) if (command.type === 'sessionExpire') expired.push(...command.sessionIds);
    }
    expect(expired).toEqual([quiet]);
    expect(replica.machine.state.session(quiet)).toBeNull();
    expect(replica.machine.state.session(live)).not.toBeNull();
    // Its renewals were replicated in batches: the replicated deadline followed.
    expect(replica.machine.state.session(live)!.deadlineMs).toBeGreaterThanOrEqual(3_000 + 2_000);
    expect(replica.coordination.remainingMs(live, 4_000)).toBe(2_000 - 500); // less the batch interval
  });

  it('a new term of the same leader restarts the tracker from the replicated deadlines plus grace', () => {
    const replica = new Replica();
    replica.becomeLeader(0);
    replica.skip(0);
    const id = Number((replica.apply(cmd.open(10_000, 0), 0).result as { sessionId: number }).sessionId);
    replica.coordination.keepalive([id], 5_000); // in memory only: deadline 15 000
    expect(replica.coordination.remainingMs(id, 5_000)).toBe(10_000 - 2_500); // less the batch interval
    replica.host.term = 2; // re-elected: another leader may have served in between
    replica.host.lastIndex = replica.index + 1;
    replica.coordination.tick(6_000);
    expect(replica.coordination.remainingMs(id, 6_000)).toBeNull(); // catching up
    replica.skip(6_000);
    // Replicated deadline 10 000 (opened at 0), grace: max(10 000, 6 000 + 1 000), less the
    // 2 500 ms batch interval.
    expect(replica.coordination.remainingMs(id, 6_000)).toBe(1_500);
  });

  it('resolves lock waits from grants; ends armed waits whose request left the queue', async () => {
    const replica = new Replica();
    replica.becomeLeader(0);
    replica.skip(0);
    const holder = Number((replica.apply(cmd.open(10_000, 0), 0).result as { sessionId: number }).sessionId);
    const waiter = Number((replica.apply(cmd.open(10_000, 0), 0).result as { sessionId: number }).sessionId);
    const third = Number((replica.apply(cmd.open(10_000, 0), 0).result as { sessionId: number }).sessionId);
    const granted = replica.apply(cmd.acquire('/l/a', holder, 1), 0).result as { token: number };

    const waitGrant = replica.coordination.lockWaits.add('/l/a', waiter, 7)!;
    const waitGone = replica.coordination.lockWaits.add('/l/a', third, 8)!;
    replica.apply(cmd.acquire('/l/a', waiter, 7, { waitTimeoutMs: 60_000 }), 0);
    // Not armed yet: an unrelated change of the lock does not end it.
    replica.apply(cmd.acquire('/l/a', third, 8, { waitTimeoutMs: 60_000 }), 0);
    waitGrant.arm(replica.machine.state);
    waitGone.arm(replica.machine.state);
    expect(replica.coordination.lockWaits.size).toBe(2);
    replica.apply(cmd.cancelWait('/l/a', third, 8), 0);
    await expect(waitGone.outcome).resolves.toEqual({ kind: 'gone' });
    const release = replica.apply(cmd.release('/l/a', granted.token), 0);
    await expect(waitGrant.outcome).resolves.toEqual({ kind: 'granted', token: release.index });
    expect(replica.coordination.lockWaits.size).toBe(0);
    // Bounded: lockWaitsMax waits, then null.
    const handles = [1, 2, 3, 4].map((n) => replica.coordination.lockWaits.add('/l/b', holder, n));
    expect(handles.every((handle) => handle !== null)).toBe(true);
    expect(replica.coordination.lockWaits.add('/l/b', holder, 5)).toBeNull();
    for (const handle of handles) handle!.dispose();
    replica.coordination.stop();
  });

  it('hands lock changes to observers and wakes ready watchers', () => {
    const replica = new Replica();
    const seen: (number | null)[] = [];
    const unobserve = replica.coordination.lockObservers.add('/l/o', (info: LockInfo | null) => seen.push(info?.holder?.token ?? null));
    const subscribed = replica.machine.hub.subscribe({ path: '/w', kind: 'subtree' });
    if (!subscribed.ok) throw new Error(subscribed.message);
    let wakes = 0;
    const unregister = replica.coordination.registerWatcher(subscribed.watcher, () => { wakes += 1; });
    const session = Number((replica.apply(cmd.open(10_000, 0), 0).result as { sessionId: number }).sessionId);
    const acquired = replica.apply(cmd.acquire('/l/o', session, 1), 0);
    replica.apply(cmd.create('/w', 'x'), 0);
    replica.apply(cmd.create('/elsewhere', 'y'), 0);
    replica.apply(cmd.close(session, 0), 0);
    expect(seen).toEqual([acquired.index, null]);
    expect(wakes).toBe(1);
    expect(subscribed.watcher.next()).toMatchObject({ kind: 'events', events: [{ type: 'ADD', path: '/w' }] });
    unobserve();
    unregister();
  });
});
