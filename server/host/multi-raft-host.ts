// The multi-raft host: drives every Raft group on this node.
//
// The program runs at its own pace (TigerBeetle style): callbacks only ENQUEUE (messages,
// proposals, reads, ticks); one "pass" at a time drains the queues into the cores, collects
// every group's Ready, persists them all in ONE fsynced storage batch (group commit), then
// sends the messages that depend on it, applies committed entries and advances. Only the
// pass touches a core, so no core ever sees a call between its ready() and advance().

import { RawNode } from '../raft';
import type { ConfChange, Message, NodeId, RaftConfig, RaftInitialState, Ready, Snapshot } from '../raft/types';
import { NONE } from '../raft/types';
import { assert } from '../util/assert';
import { CorralError } from '../util/errors';
import { GroupReplica } from './group-replica';
import type { GroupId, GroupMessage, GroupStateMachine, GroupWrite, HostStorage, HostTransport } from './ports';

export interface HostOptions {
  readonly nodeId: NodeId;
  readonly tickMs: number;
  /** Raft config for a group (the host supplies id and randomness). */
  readonly raftConfig: (groupId: GroupId) => RaftConfig;
  /** Bound on inputs queued between passes (messages + proposals + reads). */
  readonly inputQueueMax: number;
  /** Bound on proposals waiting for commit, per group. */
  readonly pendingProposalsMax: number;
  /** Take a snapshot after this many applied entries... */
  readonly snapshotEntries: number;
  /** ...and keep this many entries behind it for followers that lag a little. */
  readonly catchUpEntries: number;
  /** Ticks applied at most per pass: a stalled process must not jump several timeouts at once. */
  readonly ticksPerPassMax: number;
}

export interface HostEvents {
  /** After an entry is applied on this replica (every replica, not only the leader). */
  onApplied?(groupId: GroupId, index: number, result: unknown): void;
  onLeaderChange?(groupId: GroupId, leader: NodeId, term: number): void;
  /** After a snapshot from the leader replaced the state machine. */
  onSnapshotInstalled?(groupId: GroupId, index: number): void;
}

type Input =
  | { kind: 'message'; groupId: GroupId; message: Message }
  | { kind: 'propose'; groupId: GroupId; data: Uint8Array; settle: Settle<{ index: number; result: unknown }> }
  | { kind: 'conf-change'; groupId: GroupId; change: ConfChange; settle: Settle<{ index: number; result: unknown }> }
  | { kind: 'read'; groupId: GroupId; context: string }
  | { kind: 'transfer'; groupId: GroupId; to: NodeId; settle: Settle<void> }
  | { kind: 'report-snapshot'; groupId: GroupId; to: NodeId; ok: boolean }
  | { kind: 'unreachable'; to: NodeId };

interface Settle<T> {
  resolve(value: T): void;
  reject(error: CorralError): void;
}

export interface HostStats {
  passes: number;
  fsyncs: number;
  entriesPersisted: number;
  messagesSent: number;
  inputsDropped: number;
  lastFsyncMs: number;
}

export class MultiRaftHost {
  private readonly groups = new Map<GroupId, GroupReplica>();
  private inputs: Input[] = [];
  private ticksPending = 0;
  private passRunning = false;
  private passRequested = false;
  private tickTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly snapshotsInFlight = new Set<string>();
  private unknownGroupHandler: ((groupId: GroupId, message: Message) => boolean) | null = null;
  /** Read contexts not answered yet, by group: sent to the leader, or parked because no
   *  leader was known. When the leader changes they are stepped again (a request the old
   *  leader dropped would otherwise wait for its timeout); their waiters' timeouts still bound
   *  them. A duplicate answer finds no waiter and is ignored. */
  private readonly readsUnanswered = new Map<GroupId, Set<string>>();
  readonly stats: HostStats = { passes: 0, fsyncs: 0, entriesPersisted: 0, messagesSent: 0, inputsDropped: 0, lastFsyncMs: 0 };
  /** Settles when the current pass (if any) ends; used by stop(). */
  private passDone: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: HostOptions,
    private readonly storage: HostStorage,
    private readonly transport: HostTransport,
    private readonly events: HostEvents = {},
  ) {
    assert(options.tickMs > 0, 'tickMs must be positive');
    transport.onReceive((_from, messages) => this.receive(messages));
    transport.onSnapshot((_from, groupId, message, data) => this.receiveSnapshot(groupId, message, data));
    transport.onUnreachable?.((nodeId) => this.enqueue({ kind: 'unreachable', to: nodeId }));
  }

  get nodeId(): NodeId {
    return this.options.nodeId;
  }

  start(): void {
    assert(this.tickTimer === null, 'host already started');
    this.tickTimer = setInterval(() => {
      this.ticksPending = Math.min(this.ticksPending + 1, this.options.ticksPerPassMax);
      this.schedulePass();
    }, this.options.tickMs);
  }

  /** Stops ticking and passes; fails everything waiting. Storage is closed by the owner. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.tickTimer !== null) clearInterval(this.tickTimer);
    this.tickTimer = null;
    await this.passDone;
    const error = new CorralError('unavailable', 'node is shutting down');
    for (const replica of this.groups.values()) replica.failAll(error);
    this.readsUnanswered.clear();
    for (const input of this.inputs) if ('settle' in input) input.settle.reject(error);
    this.inputs = [];
  }

  /** Adds a group replica built from what storage (or bootstrap) holds. */
  addGroup(groupId: GroupId, sm: GroupStateMachine, initial: RaftInitialState, snapshotData: Uint8Array | null): GroupReplica {
    assert(!this.groups.has(groupId), `group ${groupId} already hosted`);
    // The bootstrap snapshot at index 0 carries the initial state too (e.g. the meta layout).
    if (snapshotData !== null) sm.restore(snapshotData, initial.snapshot.index);
    assert(sm.appliedIndex === initial.applied, `group ${groupId}: state machine at ${sm.appliedIndex}, raft applied ${initial.applied}`);
    const node = new RawNode(this.options.raftConfig(groupId), initial);
    const replica = new GroupReplica(groupId, this.options.nodeId, node, sm, initial.snapshot);
    this.groups.set(groupId, replica);
    this.schedulePass();
    return replica;
  }

  /** Removes a replica (after it was removed from the group): fails its waiters, deletes its data. */
  async removeGroup(groupId: GroupId): Promise<void> {
    const replica = this.groups.get(groupId);
    if (replica === undefined) return;
    this.groups.delete(groupId);
    this.readsUnanswered.delete(groupId);
    replica.failAll(new CorralError('unavailable', `group ${groupId} no longer has a replica on node ${this.nodeId}`));
    // A pass in progress may still write (or snapshot) this group; later passes no longer
    // see it. Deleting after that pass keeps its writes from resurrecting the group's data.
    await this.passDone;
    await this.storage.deleteGroup(groupId);
  }

  /**
   * Messages for a group this node does not host go to `handler` (inside the pass, so it must
   * be synchronous). It may create the replica with addGroup (e.g. an empty replica that
   * waits for the leader's snapshot) and return true; the message is then stepped into it.
   * Otherwise the message is dropped.
   */
  onUnknownGroup(handler: (groupId: GroupId, message: Message) => boolean): void {
    this.unknownGroupHandler = handler;
  }

  group(groupId: GroupId): GroupReplica | undefined {
    return this.groups.get(groupId);
  }

  groupIds(): GroupId[] {
    return [...this.groups.keys()];
  }

  /** Proposes application data to a group led by this node. Rejects with 'not-leader'
   *  (with a hint) when another node leads; the API layer forwards. */
  propose(groupId: GroupId, data: Uint8Array): Promise<{ index: number; result: unknown }> {
    return new Promise((resolve, reject) => {
      this.enqueue({ kind: 'propose', groupId, data, settle: { resolve, reject } });
    });
  }

  proposeConfChange(groupId: GroupId, change: ConfChange): Promise<{ index: number; result: unknown }> {
    return new Promise((resolve, reject) => {
      this.enqueue({ kind: 'conf-change', groupId, change, settle: { resolve, reject } });
    });
  }

  /** Resolves once this replica's state machine may serve a linearizable read (ReadIndex);
   *  works on followers too. `timeoutMs` bounds the wait (the core drops reads silently on a
   *  leader change). */
  readBarrier(groupId: GroupId, timeoutMs: number): Promise<number> {
    const replica = this.requireGroup(groupId);
    const context = replica.nextReadContext();
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        replica.dropReadWaiter(context)?.reject(new CorralError('unavailable', `group ${groupId}: read index not confirmed within ${timeoutMs} ms (no leader?)`));
      }, timeoutMs);
      replica.addReadWaiter(context, {
        resolve: (index) => { clearTimeout(timer); resolve(index); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      });
      this.enqueue({ kind: 'read', groupId, context });
    });
  }

  transferLeadership(groupId: GroupId, to: NodeId): Promise<void> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'transfer', groupId, to, settle: { resolve, reject } }));
  }

  private requireGroup(groupId: GroupId): GroupReplica {
    const replica = this.groups.get(groupId);
    if (replica === undefined) throw new CorralError('not-found', `group ${groupId} has no replica on node ${this.nodeId}`);
    return replica;
  }

  private receive(messages: GroupMessage[]): void {
    for (const { groupId, message } of messages) this.enqueue({ kind: 'message', groupId, message });
  }

  private receiveSnapshot(groupId: GroupId, message: Message, data: Uint8Array): Promise<void> {
    assert(message.snapshot !== null, 'snapshot message without snapshot');
    const filled: Message = { ...message, snapshot: { meta: message.snapshot.meta, data } };
    this.enqueue({ kind: 'message', groupId, message: filled });
    return Promise.resolve();
  }

  private enqueue(input: Input): void {
    if (this.stopped) {
      if ('settle' in input) input.settle.reject(new CorralError('unavailable', 'node is shutting down'));
      return;
    }
    if (this.inputs.length >= this.options.inputQueueMax) {
      this.stats.inputsDropped += 1;
      if ('settle' in input) input.settle.reject(new CorralError('resource-exhausted', `node ${this.nodeId} input queue full (${this.options.inputQueueMax}); retry later`));
      else if (input.kind === 'read') this.groups.get(input.groupId)?.dropReadWaiter(input.context)?.reject(new CorralError('resource-exhausted', 'input queue full'));
      return;
    }
    this.inputs.push(input);
    this.schedulePass();
  }

  private schedulePass(): void {
    if (this.stopped) return;
    if (this.passRunning) {
      this.passRequested = true;
      return;
    }
    this.passRunning = true;
    this.passDone = new Promise<void>((done) => {
      setImmediate(() => {
        this.runPasses().then(done, (error: unknown) => {
          // A failed fsync or a broken invariant: the node cannot continue safely.
          process.nextTick(() => { throw error; });
        });
      });
    });
  }

  private async runPasses(): Promise<void> {
    try {
      do {
        this.passRequested = false;
        await this.runPass();
      } while (this.passRequested && !this.stopped);
    } finally {
      this.passRunning = false;
    }
  }

  private async runPass(): Promise<void> {
    this.stats.passes += 1;
    this.drainInputs();
    const readies: { replica: GroupReplica; ready: Ready }[] = [];
    for (const replica of this.groups.values()) {
      if (replica.node.hasReady()) readies.push({ replica, ready: replica.node.ready() });
    }
    if (readies.length === 0) return;
    // A leader's appends and heartbeats do not depend on its own disk (Raft §10.2.1: the
    // leader writes its log in parallel with replicating it; its own match counts only after
    // advance). Committed entries are already durable on a quorum, so they apply now unless
    // they overlap what this Ready persists. Everything else waits for the fsync.
    // Decided once, before applying changes any role.
    const sentEarly = new Set<Message>();
    for (const { replica, ready } of readies) {
      if (replica.role !== 'leader') continue;
      for (const message of ready.messages) if (message.type === 'app' || message.type === 'heartbeat') sentEarly.add(message);
    }
    this.sendAll(readies, (_replica, message) => sentEarly.has(message));
    const early = readies.filter(({ ready }) => canApplyBeforePersist(ready));
    for (const { replica, ready } of early) this.applyReady(replica, ready);
    await this.persist(readies);
    this.sendAll(readies, (_replica, message) => !sentEarly.has(message));
    for (const item of readies) if (!early.includes(item)) this.applyReady(item.replica, item.ready);
    for (const { replica, ready } of readies) replica.node.advance(ready);
    await this.maybeSnapshot(readies.map((r) => r.replica));
    this.passRequested = true; // advance may have produced more work (e.g. the next apply batch)
    for (const { replica } of readies) if (replica.node.hasReady()) return;
    this.passRequested = this.inputs.length > 0 || this.ticksPending > 0;
  }

  private drainInputs(): void {
    const ticks = this.ticksPending;
    this.ticksPending = 0;
    if (ticks > 0) for (const replica of this.groups.values()) for (let i = 0; i < ticks; i++) replica.node.tick();
    const inputs = this.inputs;
    this.inputs = [];
    for (const input of inputs) this.stepInput(input);
  }

  private stepInput(input: Input): void {
    if (input.kind === 'unreachable') {
      for (const replica of this.groups.values()) if (replica.role === 'leader') replica.node.reportUnreachable(input.to);
      return;
    }
    let replica = this.groups.get(input.groupId);
    if (replica === undefined && input.kind === 'message' && this.unknownGroupHandler?.(input.groupId, input.message) === true) {
      replica = this.groups.get(input.groupId); // the handler created it (addGroup)
    }
    if (replica === undefined) {
      if ('settle' in input) input.settle.reject(new CorralError('not-found', `group ${input.groupId} has no replica on node ${this.nodeId}`));
      return;
    }
    switch (input.kind) {
      case 'message': replica.node.step(input.message); return;
      case 'report-snapshot': replica.node.reportSnapshot(input.to, input.ok); return;
      case 'read': return this.stepRead(replica, input.context);
      case 'propose': return this.stepProposal(replica, replica.node.propose(input.data), input.settle);
      case 'conf-change': return this.stepProposal(replica, replica.node.proposeConfChange(input.change), input.settle);
      case 'transfer': {
        const result = replica.node.transferLeadership(input.to);
        if (result.ok) input.settle.resolve();
        else input.settle.reject(notLeaderError(replica, result.reason, result.leader));
        return;
      }
    }
  }

  private stepRead(replica: GroupReplica, context: string): void {
    const result = replica.node.readIndex(context);
    // With no leader (an election, a leadership transfer) the read waits for the next one.
    if (result.ok || result.reason === 'no-leader') return this.noteUnanswered(replica, context);
    replica.dropReadWaiter(context)?.reject(notLeaderError(replica, result.reason, result.leader));
  }

  /** Bounded: past READS_UNANSWERED_MAX the oldest unanswered read fails (it would time out first). */
  private noteUnanswered(replica: GroupReplica, context: string): void {
    let unanswered = this.readsUnanswered.get(replica.groupId);
    if (unanswered === undefined) this.readsUnanswered.set(replica.groupId, (unanswered = new Set()));
    if (unanswered.size >= READS_UNANSWERED_MAX) {
      const oldest = unanswered.values().next().value as string;
      unanswered.delete(oldest);
      replica.dropReadWaiter(oldest)?.reject(new CorralError('unavailable', `group ${replica.groupId}: too many reads waiting for a leader; retry`, { groupId: replica.groupId }));
    }
    unanswered.add(context);
  }

  /** The leader changed: unanswered reads go back to the input queue (the core is not called
   *  between ready() and advance()) once a leader is known. */
  private retryUnansweredReads(replica: GroupReplica): void {
    const unanswered = this.readsUnanswered.get(replica.groupId);
    if (unanswered === undefined || replica.leader === NONE) return;
    this.readsUnanswered.delete(replica.groupId);
    for (const context of unanswered) this.enqueue({ kind: 'read', groupId: replica.groupId, context });
  }

  private stepProposal(
    replica: GroupReplica,
    result: ReturnType<RawNode['propose']>,
    settle: Settle<{ index: number; result: unknown }>,
  ): void {
    if (!result.ok) return settle.reject(notLeaderError(replica, result.reason, result.leader));
    if (replica.proposals.size >= this.options.pendingProposalsMax) {
      // Already appended; the outcome is unknown to the caller, so say so.
      return settle.reject(new CorralError('resource-exhausted', `group ${replica.groupId}: too many pending proposals`));
    }
    replica.proposals.set(result.index, { term: result.term, resolve: settle.resolve, reject: settle.reject });
  }

  /** Step 1 of the Ready contract: one fsynced batch for every group that has state to persist. */
  private async persist(readies: readonly { replica: GroupReplica; ready: Ready }[]): Promise<void> {
    const batch: GroupWrite[] = [];
    let entries = 0;
    let sync = false;
    for (const { replica, ready } of readies) {
      if (ready.hardState === null && ready.entries.length === 0 && ready.snapshot === null) continue;
      // Only entries, snapshots, terms and votes need an fsync: a lost commit index is
      // learned again from the leader.
      const previous = replica.persistedHardState;
      if (ready.entries.length > 0 || ready.snapshot !== null) sync = true;
      if (ready.hardState !== null && (previous === null || ready.hardState.term !== previous.term || ready.hardState.vote !== previous.vote)) sync = true;
      if (ready.hardState !== null) replica.persistedHardState = ready.hardState;
      batch.push({
        groupId: replica.groupId,
        ...(ready.hardState !== null ? { hardState: ready.hardState } : {}),
        ...(ready.entries.length > 0 ? { entries: ready.entries } : {}),
        ...(ready.snapshot !== null ? { snapshot: ready.snapshot } : {}),
      });
      entries += ready.entries.length;
    }
    if (batch.length === 0) return;
    const startMs = performance.now();
    await this.storage.write(batch, { sync });
    if (!sync) return;
    this.stats.lastFsyncMs = performance.now() - startMs;
    this.stats.fsyncs += 1;
    this.stats.entriesPersisted += entries;
  }

  /** Step 2: messages, batched per destination node (the transport coalesces per turn). */
  private sendAll(readies: readonly { replica: GroupReplica; ready: Ready }[], select: (replica: GroupReplica, message: Message) => boolean): void {
    const byNode = new Map<NodeId, GroupMessage[]>();
    for (const { replica, ready } of readies) {
      for (const message of ready.messages) {
        if (!select(replica, message)) continue;
        if (message.type === 'snap') {
          this.sendSnapshot(replica.groupId, message);
          continue;
        }
        let list = byNode.get(message.to);
        if (list === undefined) byNode.set(message.to, (list = []));
        list.push({ groupId: replica.groupId, message });
      }
    }
    for (const [to, messages] of byNode) {
      this.transport.send(to, messages);
      this.stats.messagesSent += messages.length;
    }
  }

  /** Streams the stored snapshot; its meta replaces the core's (the stored one is newer or equal). */
  private sendSnapshot(groupId: GroupId, message: Message): void {
    const key = `${groupId}/${message.to}`;
    if (this.snapshotsInFlight.has(key)) return;
    this.snapshotsInFlight.add(key);
    const report = (ok: boolean): void => {
      this.snapshotsInFlight.delete(key);
      this.enqueue({ kind: 'report-snapshot', groupId, to: message.to, ok });
    };
    this.storage.loadSnapshot(groupId).then(async (snapshot: Snapshot | null) => {
      if (snapshot === null) return report(false);
      const withMeta: Message = { ...message, snapshot: { meta: snapshot.meta, data: new Uint8Array(0) } };
      const result = await this.transport.sendSnapshot(message.to, groupId, withMeta, chunksOf(snapshot.data, SNAPSHOT_CHUNK_BYTES));
      report(result.ok);
    }).catch(() => report(false));
  }

  /** Steps 3 and 4: install, apply, serve reads. */
  private applyReady(replica: GroupReplica, ready: Ready): void {
    if (replica.noteSoftState(ready)) {
      this.events.onLeaderChange?.(replica.groupId, replica.leader, replica.node.status().term);
      this.retryUnansweredReads(replica);
    }
    if (ready.snapshot !== null && ready.snapshot.meta.index === 0) {
      this.adoptBaseSnapshot(replica, ready.snapshot);
    } else if (ready.snapshot !== null) {
      replica.installSnapshot(ready.snapshot.meta, ready.snapshot.data);
      this.events.onSnapshotInstalled?.(replica.groupId, ready.snapshot.meta.index);
    }
    replica.applyEntries(ready.committedEntries, (entry, result) => this.events.onApplied?.(replica.groupId, entry.index, result));
    const unanswered = this.readsUnanswered.get(replica.groupId);
    for (const state of ready.readStates) unanswered?.delete(state.context);
    replica.acceptReadStates(ready);
  }

  /** A replica created empty (a node that joins a group) receives the group's index-0
   *  snapshot: its initial configuration and state, from which the log at index 1 goes on. */
  private adoptBaseSnapshot(replica: GroupReplica, snapshot: Snapshot): void {
    assert(replica.sm.appliedIndex === 0 && replica.lastSnapshotIndex === 0, `group ${replica.groupId}: base snapshot into a replica at ${replica.sm.appliedIndex}`);
    if (snapshot.data.length > 0) replica.sm.restore(snapshot.data, 0);
    replica.appliedConf = snapshot.meta.conf;
    this.events.onSnapshotInstalled?.(replica.groupId, 0);
  }

  private async maybeSnapshot(replicas: readonly GroupReplica[]): Promise<void> {
    for (const replica of replicas) {
      const applied = replica.sm.appliedIndex;
      if (applied - replica.lastSnapshotIndex < this.options.snapshotEntries) continue;
      const meta = { index: applied, term: replica.appliedTerm, conf: replica.appliedConf };
      await this.storage.saveSnapshot(replica.groupId, meta, replica.sm.snapshot());
      replica.lastSnapshotIndex = applied;
      const compactTo = applied - this.options.catchUpEntries;
      if (compactTo > replica.node.status().firstIndex) {
        replica.node.compact(compactTo);
        await this.storage.compact(replica.groupId, compactTo);
      }
    }
  }
}

const SNAPSHOT_CHUNK_BYTES = 1024 * 1024;

/** Committed entries may be applied before this Ready is persisted when none of them is
 *  among the entries it persists, and no snapshot is being installed. */
function canApplyBeforePersist(ready: Ready): boolean {
  if (ready.snapshot !== null || ready.committedEntries.length === 0) return false;
  if (ready.entries.length === 0) return true;
  return ready.committedEntries[ready.committedEntries.length - 1].index < ready.entries[0].index;
}
/** Unanswered reads tracked per group (see readsUnanswered). */
const READS_UNANSWERED_MAX = 10_000;

async function* chunksOf(data: Uint8Array, chunkBytes: number): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < data.length || offset === 0; offset += chunkBytes) {
    yield data.subarray(offset, offset + chunkBytes);
    if (data.length === 0) return;
  }
}

function notLeaderError(replica: GroupReplica, reason: string, leader: NodeId): CorralError {
  const groupId = replica.groupId;
  switch (reason) {
    case 'not-leader':
      return new CorralError('not-leader', `group ${groupId}: node ${replica.nodeId} is not the leader (leader is node ${leader})`, { leaderHint: leader, groupId });
    case 'no-leader':
      return new CorralError('unavailable', `group ${groupId}: no leader elected yet; retry`, { groupId });
    case 'transferring':
      return new CorralError('unavailable', `group ${groupId}: leadership transfer in progress; retry`, { groupId, ...(leader !== NONE ? { leaderHint: leader } : {}) });
    case 'uncommitted-limit':
      return new CorralError('resource-exhausted', `group ${groupId}: too much uncommitted data; retry later`, { groupId });
    case 'entry-too-large':
      return new CorralError('invalid-argument', `group ${groupId}: request too large for one log entry`, { groupId });
    default:
      return new CorralError('failed-precondition', `group ${groupId}: ${reason}`, { groupId });
  }
}
