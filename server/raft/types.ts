// The public vocabulary of the Raft core: entries, messages, the Ready contract, config.
//
// The core is a pure, synchronous state machine. It never performs I/O, never reads a clock
// and never draws randomness except from the injected `Random`. The host drives it with
// `tick()`, `step(message)`, `propose(...)`, and drains it with `ready()` / `advance()`.
//
// Node ids are positive integers; 0 means "none" (no leader, no vote).

export type NodeId = number;
export const NONE: NodeId = 0;

export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

export type EntryType = 'normal' | 'conf-change';

/** One log entry. `data` is opaque to the core, except for conf-change entries (see ConfChange). */
export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  /** For 'normal': the application's bytes (an empty array is the leader's no-op entry).
   *  For 'conf-change': `encodeConfChange(cc)`. */
  readonly data: Uint8Array;
}

/** The cluster configuration. Voters count in quorums; learners only receive the log. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

/** Single-server membership changes, one at a time (Raft dissertation, section 4.1).
 *  A configuration takes effect on every node as soon as its entry is APPENDED to the node's
 *  log (not when committed); a truncated conf-change entry reverts the configuration.
 *  The leader proposes a new change only when the previous one is committed and it has
 *  committed an entry of its own term. */
export type ConfChangeType = 'add-learner' | 'promote-learner' | 'remove-node';

export interface ConfChange {
  readonly type: ConfChangeType;
  readonly nodeId: NodeId;
}

/** What must survive a crash besides the log: persist before sending dependent messages. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
}

export interface SnapshotMeta {
  /** Index and term of the last entry the snapshot covers. */
  readonly index: number;
  readonly term: number;
  /** Configuration as of `index`. */
  readonly conf: ConfState;
}

export interface Snapshot {
  readonly meta: SnapshotMeta;
  /** State-machine image. The core never looks inside it. In a 'snap' message emitted by the
   *  core, `data` is EMPTY: the host fills it in from its snapshot store before sending. */
  readonly data: Uint8Array;
}

export type MessageType =
  | 'app' // leader -> follower: append entries (also probes)
  | 'app-resp'
  | 'vote'
  | 'vote-resp'
  | 'pre-vote'
  | 'pre-vote-resp'
  | 'heartbeat'
  | 'heartbeat-resp'
  | 'snap' // leader -> follower: install snapshot
  | 'read-index' // follower -> leader: request a read index on behalf of `context`
  | 'read-index-resp'
  | 'timeout-now' // leader -> transferee: campaign now (leadership transfer)
  | 'transfer-leader'; // follower -> leader: please transfer leadership to `from`

/** A flat message, in the style of etcd's raftpb.Message, so that it serializes simply.
 *  Fields not used by a type are left at their zero values. */
export interface Message {
  readonly type: MessageType;
  readonly from: NodeId;
  readonly to: NodeId;
  /** Sender's term; for 'pre-vote' the term it WOULD campaign in; for 'pre-vote-resp' the
   *  term of the request when granted. */
  readonly term: number;
  /** 'app': term of the entry at `index` (prev log term). 'vote'/'pre-vote': last log term. */
  readonly logTerm: number;
  /** 'app': index preceding `entries` (prev log index). 'vote'/'pre-vote': last log index.
   *  'app-resp': accepted up to this index, or the rejected index. 'read-index-resp': the read index. */
  readonly index: number;
  readonly entries: readonly Entry[];
  /** Leader's commit index ('app', 'heartbeat': capped to what the follower is known to have). */
  readonly commit: number;
  readonly reject: boolean;
  /** 'app-resp' rejection: a hint of the follower's last index (fast back-off). */
  readonly rejectHint: number;
  /** 'app-resp' rejection: term of the follower's entry at `rejectHint` (0 if none). */
  readonly rejectHintTerm: number;
  readonly snapshot: Snapshot | null;
  /** 'read-index', 'read-index-resp', 'heartbeat', 'heartbeat-resp': the read request's context.
   *  'vote' / 'pre-vote': 'transfer' when campaigning because of leadership transfer. */
  readonly context: string;
}

/** A linearizable read is safe to serve once the state machine has applied `index`. */
export interface ReadState {
  readonly index: number;
  readonly context: string;
}

export interface SoftState {
  readonly leader: NodeId;
  readonly role: Role;
}

/**
 * What the host must do next, returned by `ready()`. The ORDER is the contract:
 * 1. Persist `snapshot` (if any), then `entries` (an append that may first truncate the
 *    stored log from `entries[0].index` on), then `hardState` (if not null) — atomically,
 *    with fsync, before step 2. (A crash may lose everything of this Ready, never half of
 *    an entry; the core tolerates losing the whole Ready.)
 * 2. Send `messages`. Vote grants and append acknowledgements in it depend on step 1:
 *    sending them before persisting breaks election safety and durability.
 * 3. Install `snapshot` into the state machine (if any), then apply `committedEntries` in
 *    order. Every entry here is already persisted on a quorum; they may be applied even
 *    while step 1 is in flight only if they do not overlap `entries`.
 * 4. Serve `readStates` once the applied index reaches each one's `index`.
 * 5. Call `advance(ready)`.
 */
export interface Ready {
  readonly softState: SoftState | null; // non-null when leader or role changed
  readonly hardState: HardState | null; // non-null when changed
  readonly entries: readonly Entry[];
  readonly snapshot: Snapshot | null;
  readonly messages: readonly Message[];
  readonly committedEntries: readonly Entry[];
  readonly readStates: readonly ReadState[];
}

/** Expected outcomes are values, not exceptions. */
export type DropReason =
  | 'not-leader' // this node is not the leader (the host forwards or answers NOT_LEADER + hint)
  | 'no-leader' // no leader is known (retry later)
  | 'transferring' // leadership transfer in progress
  | 'uncommitted-limit' // too many bytes proposed but not yet committed
  | 'entry-too-large' // a single proposal exceeds maxEntryBytes
  | 'conf-change-pending' // a previous conf change is not committed yet
  | 'no-term-commit' // the leader has not committed an entry of its own term yet
  | 'invalid-conf-change' // e.g. promoting a node that is not a learner, removing an unknown node
  | 'unknown-node' // transfer target is not a voter
  | 'lease-invalid'; // reserved for lease reads

export type ProposeResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | { readonly ok: false; readonly reason: DropReason; readonly leader: NodeId };

export type ReadIndexResult =
  | { readonly ok: true } // a ReadState with this context will appear in a later Ready
  | { readonly ok: false; readonly reason: DropReason; readonly leader: NodeId };

export type TransferResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: DropReason; readonly leader: NodeId };

/** Deterministic randomness injected by the host (the simulator passes a seeded one). */
export interface Random {
  /** A uniformly distributed integer in [0, maxExclusive). */
  nextInt(maxExclusive: number): number;
}

/** Defects that can be switched on in the core, only so that tests can prove the simulator's
 *  checkers catch them. Never set outside tests. */
export type RaftBug =
  | 'commit-old-term' // commit an entry of a previous term by counting replicas
  | 'vote-any-log' // grant votes without the log up-to-date check
  | 'read-without-quorum' // serve ReadIndex without confirming leadership with a quorum
  | 'no-persist-before-send'; // (host/simulator side) send votes/acks before persisting

export type ReadOnlyOption = 'safe' | 'lease-based';

export interface RaftConfig {
  readonly id: NodeId;
  /** Election timeout is randomized in [electionTicks, 2 * electionTicks). */
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  /** 'lease-based' serves ReadIndex on the leader without a heartbeat round, relying on
   *  bounded clock drift and checkQuorum (which it requires). */
  readonly readOnlyOption: ReadOnlyOption;
  /** Flow control: at most this many 'app' messages in flight per follower... */
  readonly maxInflightMsgs: number;
  /** ...and at most this many entry bytes in flight per follower. */
  readonly maxInflightBytes: number;
  /** Upper bound on entry bytes in one 'app' message (at least one entry is always sent). */
  readonly maxMsgBytes: number;
  /** Upper bound on bytes proposed but not committed; past it proposals are dropped. */
  readonly maxUncommittedBytes: number;
  /** Upper bound on one proposal's data size. */
  readonly maxEntryBytes: number;
  /** Upper bound on committed entry bytes handed out in one Ready (at least one entry). */
  readonly maxApplyBytes: number;
  readonly random: Random;
  readonly bugs: ReadonlySet<RaftBug>;
}

/** What the core is built from on start: everything the host had persisted. */
export interface RaftInitialState {
  readonly hardState: HardState;
  /** The latest snapshot's meta (for a brand-new cluster: index 0, term 0, the initial
   *  configuration; for a node joining later: index 0, term 0, empty configuration). */
  readonly snapshot: SnapshotMeta;
  /** Persisted entries after `snapshot.index`, contiguous. */
  readonly entries: readonly Entry[];
  /** Index the state machine has already applied (>= snapshot.index, <= hardState.commit). */
  readonly applied: number;
}

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

export interface PeerProgress {
  readonly id: NodeId;
  readonly match: number;
  readonly next: number;
  readonly state: ProgressState;
  readonly learner: boolean;
  readonly recentActive: boolean;
}

export interface RaftStatus {
  readonly id: NodeId;
  readonly role: Role;
  readonly term: number;
  readonly vote: NodeId;
  readonly leader: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly conf: ConfState;
  readonly transferee: NodeId;
  /** Only on the leader. */
  readonly progress: readonly PeerProgress[];
}

/** The methods of the core's driver object, `RawNode` (server/raft/raw-node.ts). */
export interface RaftNode {
  /** One logical clock tick. Elections and heartbeats are counted in ticks. */
  tick(): void;
  /** Feed a message received from a peer. Messages from stale terms are handled per Raft. */
  step(message: Message): void;
  propose(data: Uint8Array): ProposeResult;
  proposeConfChange(change: ConfChange): ProposeResult;
  /** Request a linearizable read point. On success a ReadState with `context` appears in a
   *  later Ready (or never, if leadership is lost: the host times it out). */
  readIndex(context: string): ReadIndexResult;
  /** Leader: transfer leadership to `to`. Follower: ask the leader to transfer to `to`. */
  transferLeadership(to: NodeId): TransferResult;
  /** Start an election now (bypasses the randomized timeout, still honours pre-vote). */
  campaign(): void;
  hasReady(): boolean;
  ready(): Ready;
  advance(ready: Ready): void;
  /** The host has taken a snapshot of the state machine at `index` (<= applied): discard
   *  log entries up to `index`. The core keeps no snapshot data, only its meta. */
  compact(index: number): void;
  /** Leader: the snapshot sent to `to` was installed (ok) or failed to send (not ok). */
  reportSnapshot(to: NodeId, ok: boolean): void;
  /** Leader: the transport could not reach `to`; fall back to probing. */
  reportUnreachable(to: NodeId): void;
  status(): RaftStatus;
}
