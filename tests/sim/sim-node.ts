// The simulated host of one Raft node: it drives the production core (`RawNode`) through
// the Ready contract exactly as the real host must: persist (on the simulated disk, which
// may be slow), then send, then apply and serve reads, then advance. Everything in memory
// (the core, the state machine, pending requests, an unpersisted Ready) is lost on crash;
// the disk survives. With the `no-persist-before-send` defect it sends before persisting.

import { RawNode, decodeConfChange } from '../../server/raft';
import type {
  ConfChange,
  ConfState,
  Entry,
  Message,
  NodeId,
  ProposeResult,
  RaftConfig,
  RaftNode,
  RaftStatus,
  Ready,
  Role,
  Snapshot,
  TransferResult,
} from '../../server/raft/types';
import { assert } from '../../server/util/assert';
import { forwardHopsMax, type ClientReply, type ClientRequest } from './client-protocol';
import { decodeCommand, encodeCommand, KvStateMachine } from './kv-state-machine';
import type { SafetyChecker } from './safety-checker';
import type { SimDisk } from './sim-disk';
import type { RunStats } from './sim-stats';
import type { Trace } from './trace';
import { applyConfChange } from './conf-state';

/** What a node needs from the simulated world. */
export interface NodeWorld {
  readonly checker: SafetyChecker;
  readonly trace: Trace;
  readonly stats: RunStats;
  now(): number;
  raftConfig(node: NodeId): RaftConfig;
  sendsBeforePersist(): boolean;
  /** Snapshot once this many entries were applied since the last one. */
  compactEveryEntries(): number;
  sendRaft(message: Message): void;
  forwardClient(from: NodeId, to: NodeId, request: ClientRequest): void;
  replyClient(from: NodeId, reply: ClientReply): void;
  /** Schedules `node.finishPersist(incarnation, readyId)` after the disk's latency. */
  schedulePersist(node: NodeId, incarnation: number, readyId: number): void;
  /** A buggify-style crash point around the disk write; true means "crash here". */
  crashPoint(node: NodeId, site: CrashSite, moment: CrashMoment): boolean;
  crash(node: NodeId): void;
  /** Fault hook: the nemesis may ambush a fresh leader. */
  becameLeader(node: NodeId): void;
  confApplied(node: NodeId, conf: ConfState, index: number): void;
}

export type CrashSite = 'before-persist' | 'after-persist';

/** What the Ready at a crash point carries: 'elected' makes this node leader, 'commit'
 *  advances a leader's commit index, 'other' is anything else. */
export type CrashMoment = 'elected' | 'commit' | 'other';

interface InFlight {
  readonly id: number;
  readonly ready: Ready;
  sent: boolean;
}

/** A read waits for its ReadState, then for the applied index to reach it. */
interface WaitingRead {
  readonly index: number;
  readonly request: ClientRequest;
}

/** Upper bound on client operations a node holds pending at once (clients are few). */
const pendingRequestsMax = 1024;
/** Snapshots kept in memory besides the one on disk, for 'snap' messages built before the
 *  latest compaction. */
const recentSnapshotsMax = 4;

export class SimNode {
  private raw: RaftNode | null = null;
  private incarnationValue = 0;
  private readonly machine = new KvStateMachine();
  private appliedIndex = 0;
  private appliedTerm = 0;
  private appliedConf: ConfState = { voters: [], learners: [] };
  private inFlight: InFlight | null = null;
  private readyIdNext = 1;
  private readonly pendingWrites = new Map<number, { index: number; request: ClientRequest }>();
  private readonly pendingReads = new Map<string, ClientRequest>();
  private waitingReads: WaitingRead[] = [];
  private recentSnapshots: Snapshot[] = [];
  private roleValue: Role = 'follower';
  private leaderValue: NodeId = 0;

  constructor(
    readonly id: NodeId,
    readonly disk: SimDisk,
    private readonly world: NodeWorld,
  ) {}

  get up(): boolean {
    return this.raw !== null;
  }

  get incarnation(): number {
    return this.incarnationValue;
  }

  get role(): Role {
    return this.roleValue;
  }

  get leaderHint(): NodeId {
    return this.leaderValue;
  }

  get applied(): number {
    return this.appliedIndex;
  }

  get conf(): ConfState {
    return this.appliedConf;
  }

  digest(): string {
    return this.machine.digest();
  }

  status(): RaftStatus | null {
    return this.raw === null ? null : this.raw.status();
  }

  /** Boots from the disk: the state machine restarts from the snapshot and replays the log. */
  start(): void {
    assert(this.raw === null, `node ${this.id} started twice`);
    const snapshot = this.disk.snapshot;
    this.machine.restore(snapshot.data);
    this.appliedIndex = snapshot.meta.index;
    this.appliedTerm = snapshot.meta.term;
    this.appliedConf = snapshot.meta.conf;
    this.roleValue = 'follower';
    this.leaderValue = 0;
    const initial = this.disk.initialState();
    if (initial.hardState.commit < initial.applied) {
      this.world.checker.report(
        'invariant',
        `node ${this.id}: disk commit ${initial.hardState.commit} below snapshot index ${initial.applied}`,
      );
    }
    this.raw = new RawNode(this.world.raftConfig(this.id), initial);
  }

  /** Loses everything not on disk. */
  crash(): void {
    this.raw = null;
    this.incarnationValue += 1;
    this.inFlight = null;
    this.pendingWrites.clear();
    this.pendingReads.clear();
    this.waitingReads = [];
    this.recentSnapshots = [];
    this.roleValue = 'follower';
    this.leaderValue = 0;
  }

  tick(): void {
    if (this.raw === null) return;
    this.raw.tick();
    this.pump();
  }

  receive(message: Message): void {
    if (this.raw === null) return;
    if (message.type === 'heartbeat' && message.commit > 0 && this.lostAcknowledged(this.raw, message)) return;
    this.raw.step(message);
    this.pump();
  }

  /** A leader caps a heartbeat's commit at what this follower acknowledged in the leader's
   *  term. If our log (term no newer than the message's) is shorter, entries we acknowledged
   *  were lost: a durability violation, reported before the core trips over it. */
  private lostAcknowledged(raw: RaftNode, message: Message): boolean {
    const status = raw.status();
    if (message.term < status.term || message.commit <= status.lastIndex) return false;
    this.world.checker.report(
      'lost-ack',
      `node ${this.id} (term ${status.term}, last index ${status.lastIndex}) got commit ${message.commit}` +
        ` from leader ${message.from} in term ${message.term}: acknowledged entries were lost`,
    );
    return true;
  }

  reportSnapshot(to: NodeId, ok: boolean): void {
    if (this.raw === null) return;
    this.raw.reportSnapshot(to, ok);
    this.pump();
  }

  reportUnreachable(to: NodeId): void {
    if (this.raw === null) return;
    this.raw.reportUnreachable(to);
    this.pump();
  }

  proposeConfChange(change: ConfChange): ProposeResult | null {
    if (this.raw === null) return null;
    const result = this.raw.proposeConfChange(change);
    this.pump();
    return result;
  }

  transferLeadership(to: NodeId): TransferResult | null {
    if (this.raw === null) return null;
    const result = this.raw.transferLeadership(to);
    this.pump();
    return result;
  }

  handleClient(request: ClientRequest): void {
    if (this.raw === null) {
      this.reply(request, { kind: 'failed', reason: 'unavailable', leaderHint: 0 });
      return;
    }
    if (this.pendingWrites.size + this.pendingReads.size >= pendingRequestsMax) {
      this.reply(request, { kind: 'failed', reason: 'overloaded', leaderHint: 0 });
      return;
    }
    if (request.input.kind === 'get') this.startRead(request, this.raw);
    else this.startWrite(request, this.raw);
    this.pump();
  }

  private startRead(request: ClientRequest, raw: RaftNode): void {
    const context = `r${request.operation}`;
    const result = raw.readIndex(context);
    if (result.ok) this.pendingReads.set(context, request);
    else this.reply(request, { kind: 'failed', reason: result.reason, leaderHint: result.leader });
  }

  private startWrite(request: ClientRequest, raw: RaftNode): void {
    const result = raw.propose(encodeCommand({ operation: request.operation, input: request.input }));
    if (result.ok) {
      this.pendingWrites.set(request.operation, { index: result.index, request });
      return;
    }
    const canForward = result.reason === 'not-leader' && result.leader !== 0 && result.leader !== this.id;
    if (canForward && request.hops < forwardHopsMax) {
      this.world.forwardClient(this.id, result.leader, { ...request, hops: request.hops + 1 });
      return;
    }
    this.reply(request, { kind: 'failed', reason: result.reason, leaderHint: result.leader });
  }

  private reply(request: ClientRequest, result: ClientReply['result']): void {
    this.world.replyClient(this.id, { operation: request.operation, client: request.client, result });
  }

  /** Takes the next Ready if none is in flight and hands it to the disk. */
  private pump(): void {
    const raw = this.raw;
    if (raw === null || this.inFlight !== null || !raw.hasReady()) return;
    const ready = raw.ready();
    const inFlight: InFlight = { id: this.readyIdNext++, ready, sent: false };
    this.inFlight = inFlight;
    if (ready.softState !== null) this.observeSoftState(raw, ready);
    this.world.trace.mix(7, this.id, ready.entries.length, ready.messages.length);
    this.world.trace.line(this.world.now(), () => describeReady(this.id, ready));
    if (this.world.sendsBeforePersist()) {
      this.send(ready.messages);
      inFlight.sent = true;
    }
    this.world.schedulePersist(this.id, this.incarnationValue, inFlight.id);
  }

  private observeSoftState(raw: RaftNode, ready: Ready): void {
    const soft = ready.softState;
    assert(soft !== null, 'observeSoftState without soft state');
    this.roleValue = soft.role;
    this.leaderValue = soft.leader;
    if (soft.role !== 'leader') return;
    this.world.checker.observeLeader(this.id, raw.status().term);
    this.world.stats.elections += 1;
    this.world.becameLeader(this.id);
  }

  /** The disk write of Ready `readyId` completes: persist, send, apply, advance. */
  finishPersist(incarnation: number, readyId: number): void {
    const inFlight = this.inFlight;
    if (incarnation !== this.incarnationValue || inFlight === null || this.raw === null) return;
    assert(inFlight.id === readyId, `node ${this.id}: persist of ready ${readyId}, in flight ${inFlight.id}`);
    const ready = inFlight.ready;
    const moment = this.crashMoment(ready);
    if (this.world.crashPoint(this.id, 'before-persist', moment)) {
      this.world.crash(this.id);
      return;
    }
    const fault = this.disk.persistReady(ready);
    if (fault !== null) {
      this.world.checker.report('invariant', `node ${this.id} ready breaks the log: ${fault.detail}`);
      return;
    }
    this.world.checker.observePersist(this.id, this.disk, ready);
    if (this.world.crashPoint(this.id, 'after-persist', moment)) {
      this.world.crash(this.id);
      return;
    }
    if (!inFlight.sent) this.send(ready.messages);
    this.installSnapshot(ready.snapshot);
    for (const entry of ready.committedEntries) this.applyEntry(entry);
    // Applying this node's own removal stops it (the simulator crashes it for good).
    if (incarnation !== this.incarnationValue || this.raw === null) return;
    for (const readState of ready.readStates) this.queueRead(readState.index, readState.context);
    this.serveReads();
    this.raw.advance(ready);
    this.inFlight = null;
    this.maybeCompact(this.raw);
    this.pump();
  }

  private crashMoment(ready: Ready): CrashMoment {
    if (ready.softState !== null && ready.softState.role === 'leader') return 'elected';
    const commitAdvanced = ready.hardState !== null && ready.hardState.commit > this.disk.hardState.commit;
    return this.roleValue === 'leader' && commitAdvanced ? 'commit' : 'other';
  }

  private send(messages: readonly Message[]): void {
    for (const message of messages) {
      this.world.checker.observeMessage(message);
      this.world.sendRaft(message.type === 'snap' ? this.fillSnapshot(message) : message);
    }
  }

  /** The core sends snapshot metadata only; the host attaches the image from its store. The
   *  message may have been built before the host compacted again (messages stepped while a
   *  Ready was in flight go out with the next one), so the store keeps a few recent ones. */
  private fillSnapshot(message: Message): Message {
    const requested = message.snapshot === null ? null : message.snapshot.meta;
    const exact = requested === null ? undefined : this.findSnapshot(requested.index, requested.term);
    // Failing an exact match, a newer snapshot will do (server/raft/README.md).
    const newer = requested !== null && this.disk.snapshot.meta.index > requested.index ? this.disk.snapshot : undefined;
    const stored = exact ?? newer;
    const meta = stored === undefined ? null : stored === exact ? requested : stored.meta;
    if (meta === null || stored === undefined) {
      const asked = requested === null ? 'without meta' : `at ${requested.index}/${requested.term}`;
      const held = this.disk.snapshot.meta;
      this.world.checker.report(
        'invariant',
        `node ${this.id} sends snap ${asked}` +
          ` but its snapshot store holds ${this.recentSnapshots.map((s) => s.meta.index).join(',')} (disk ${held.index}/${held.term})`,
      );
      return message;
    }
    if (!sameConf(meta.conf, stored.meta.conf)) {
      this.world.checker.report(
        'snapshot-mismatch',
        `node ${this.id} snap at ${meta.index}: core conf ${JSON.stringify(meta.conf)}, store ${JSON.stringify(stored.meta.conf)}`,
      );
    }
    this.world.stats.snapshotsSent += 1;
    return { ...message, snapshot: { meta, data: stored.data } };
  }

  private findSnapshot(index: number, term: number): Snapshot | undefined {
    const onDisk = this.disk.snapshot;
    if (onDisk.meta.index === index && onDisk.meta.term === term) return onDisk;
    return this.recentSnapshots.find((s) => s.meta.index === index && s.meta.term === term);
  }

  private rememberSnapshot(snapshot: Snapshot): void {
    this.recentSnapshots.push(snapshot);
    if (this.recentSnapshots.length > recentSnapshotsMax) this.recentSnapshots.shift();
  }

  private installSnapshot(snapshot: Snapshot | null): void {
    if (snapshot === null) return;
    const { index, term, conf } = snapshot.meta;
    // Equal is fine: a node that joined later installs the founders' snapshot at index 0.
    if (index < this.appliedIndex) {
      this.world.checker.report('invariant', `node ${this.id} told to install snapshot ${index} < applied ${this.appliedIndex}`);
      return;
    }
    this.world.checker.observeSnapshot(this.id, index, term, snapshot.data);
    this.world.stats.snapshotsInstalled += 1;
    this.machine.restore(snapshot.data);
    this.appliedIndex = index;
    this.appliedTerm = term;
    this.appliedConf = conf;
    this.world.confApplied(this.id, conf, index);
    this.forgetCovered(index);
  }

  /** Pending writes at or below an installed snapshot may or may not be inside it: the node
   *  cannot tell, so it forgets them and their clients see a timeout (indeterminate). */
  private forgetCovered(index: number): void {
    for (const [operation, pending] of this.pendingWrites) {
      if (pending.index <= index) this.pendingWrites.delete(operation);
    }
  }

  private applyEntry(entry: Entry): void {
    if (entry.index !== this.appliedIndex + 1) {
      this.world.checker.report('invariant', `node ${this.id} applies ${entry.index} after ${this.appliedIndex}`);
      return;
    }
    this.world.checker.observeApply(this.id, entry, this.disk.hardState.term);
    this.appliedIndex = entry.index;
    this.appliedTerm = entry.term;
    if (entry.type === 'conf-change') {
      this.world.stats.confChanges += this.id === this.leaderValue ? 1 : 0;
      this.appliedConf = applyConfChange(this.appliedConf, decodeConfChange(entry.data));
      this.world.confApplied(this.id, this.appliedConf, entry.index);
      this.failSuperseded(entry.index, -1);
      return;
    }
    if (entry.data.length === 0) {
      this.failSuperseded(entry.index, -1);
      return;
    }
    const command = decodeCommand(entry.data);
    const output = this.machine.apply(command);
    this.failSuperseded(entry.index, command.operation);
    const pending = this.pendingWrites.get(command.operation);
    if (pending !== undefined) {
      this.pendingWrites.delete(command.operation);
      this.reply(pending.request, { kind: 'ok', output });
    }
  }

  /** A different entry was applied where a pending write was appended: that write can never
   *  commit (its (index, term) slot is taken by a committed entry), so fail it definitely. */
  private failSuperseded(index: number, operation: number): void {
    for (const [pendingOperation, pending] of this.pendingWrites) {
      if (pending.index > index || pendingOperation === operation) continue;
      this.pendingWrites.delete(pendingOperation);
      this.reply(pending.request, { kind: 'failed', reason: 'superseded', leaderHint: this.leaderValue });
    }
  }

  private queueRead(index: number, context: string): void {
    const request = this.pendingReads.get(context);
    if (request === undefined) return;
    this.pendingReads.delete(context);
    this.waitingReads.push({ index, request });
  }

  private serveReads(): void {
    if (this.waitingReads.length === 0) return;
    const still: WaitingRead[] = [];
    for (const read of this.waitingReads) {
      if (read.index > this.appliedIndex) {
        still.push(read);
        continue;
      }
      assert(read.request.input.kind === 'get', 'only gets wait for a read index');
      const value = this.machine.read(read.request.input.key);
      this.reply(read.request, { kind: 'ok', output: { kind: 'get', value } });
    }
    this.waitingReads = still;
  }

  private maybeCompact(raw: RaftNode): void {
    const snapshotIndex = this.disk.snapshot.meta.index;
    if (this.appliedIndex - snapshotIndex < this.world.compactEveryEntries()) return;
    const data = this.machine.snapshot();
    const meta = { index: this.appliedIndex, term: this.appliedTerm, conf: this.appliedConf };
    this.world.checker.observeSnapshot(this.id, meta.index, meta.term, data);
    this.rememberSnapshot(this.disk.snapshot);
    this.disk.saveSnapshot({ meta, data });
    raw.compact(this.appliedIndex);
    this.world.stats.compactions += 1;
    this.world.trace.line(this.world.now(), () => `n${this.id} compact to ${meta.index}`);
  }
}

function sameConf(a: ConfState, b: ConfState): boolean {
  const key = (conf: ConfState): string =>
    `${[...conf.voters].sort((x, y) => x - y)}|${[...conf.learners].sort((x, y) => x - y)}`;
  return key(a) === key(b);
}

function describeReady(id: NodeId, ready: Ready): string {
  const parts = [`n${id} ready`];
  if (ready.softState !== null) parts.push(`soft=${ready.softState.role}/${ready.softState.leader}`);
  if (ready.hardState !== null) {
    parts.push(`hard=${ready.hardState.term}/${ready.hardState.vote}/${ready.hardState.commit}`);
  }
  if (ready.snapshot !== null) parts.push(`snap=${ready.snapshot.meta.index}/${ready.snapshot.meta.term}`);
  if (ready.entries.length > 0) {
    const first = ready.entries[0];
    const last = ready.entries[ready.entries.length - 1];
    parts.push(`append=${first.index}/${first.term}..${last.index}/${last.term}`);
  }
  if (ready.committedEntries.length > 0) {
    const last = ready.committedEntries[ready.committedEntries.length - 1];
    parts.push(`apply=${ready.committedEntries[0].index}..${last.index}`);
  }
  if (ready.readStates.length > 0) parts.push(`reads=${ready.readStates.map((r) => r.index).join(',')}`);
  if (ready.messages.length > 0) parts.push(`msgs=${ready.messages.length}`);
  return parts.join(' ');
}
