// The Raft state machine: terms and roles, elections (with pre-vote, check-quorum and leader
// stickiness), log replication with flow control, commitment, ReadIndex, leadership
// transfer, membership changes and snapshots. Etcd's raft library is the model; the Raft
// paper and Ongaro's dissertation are the specification.
//
// Pure and synchronous: input is `tick()`, `step(message)` and the local requests; output
// is the outbox (`msgs`), `readStates` and the log's cursors, which RawNode turns into Ready.
//
// Choices worth knowing:
// - The leader counts its own entries as replicated only once persisted: its own progress
//   moves when the Ready carrying them is advanced (`onEntriesPersisted`), etcd's classic
//   behaviour. A single-voter cluster therefore commits one Ready after appending.
// - A configuration takes effect when its entry is appended, and reverts if it is truncated.
// - Leader stickiness (ignore (pre-)votes while a leader was heard from within the minimum
//   election timeout) is on when checkQuorum or preVote is; with both off this is plain Raft.
// - A learner still answers vote requests (its configuration may be stale: it may already be
//   a voter in the candidate's), but only votes of the candidate's voters count.

import { assert } from '../util/assert';
import { applyConfChange, checkConfState, decodeConfChange, encodeConfChange, isValidNodeId } from './conf-change';
import { ConfHistory } from './conf-history';
import { validateRaftConfig } from './config';
import { EMPTY_BYTES, EMPTY_ENTRIES, TRANSFER_CONTEXT, entriesBytes, makeMessageFrom, type MessageFields } from './messages';
import type { Progress } from './progress';
import { ProgressTracker } from './progress-tracker';
import { RaftLog, TERM_UNAVAILABLE } from './raft-log';
import { ReadOnly } from './read-only';
import {
  NONE,
  type ConfChange,
  type DropReason,
  type Entry,
  type EntryType,
  type HardState,
  type Message,
  type NodeId,
  type ProposeResult,
  type RaftConfig,
  type RaftInitialState,
  type RaftStatus,
  type ReadIndexResult,
  type ReadState,
  type Role,
  type Snapshot,
  type SoftState,
  type TransferResult,
} from './types';

/** Entries in one 'app' message (besides maxMsgBytes: empty entries weigh 0 bytes). */
const msgEntriesMax = 4096;
/** Committed entries handed out in one Ready (besides maxApplyBytes). */
export const applyEntriesMax = 4096;
/** Reads waiting for the new leader's first commit in its term. */
const queuedReadsMax = 4096;
/** Reads waiting for a heartbeat quorum. */
const pendingReadsMax = 4096;
/** Messages / read states accumulated between two Readies. Bounded in practice by what the
 *  host steps per loop; crossing this means the host stopped draining Ready. */
const outboxMessagesMax = 1_000_000;
const readStatesMax = 1_000_000;
/** Lease reads: ticks of clock drift tolerated between leader and followers. */
const leaseDriftTicks = 1;

type OutgoingFields = Omit<MessageFields, 'from' | 'term'> & { readonly from?: NodeId; readonly term?: number };

interface QueuedRead {
  readonly from: NodeId;
  readonly context: string;
}

const OK: { readonly ok: true } = { ok: true };

export class Raft {
  readonly id: NodeId;
  readonly log: RaftLog;
  private readonly config: RaftConfig;
  private readonly tracker: ProgressTracker;
  private readonly confHistory: ConfHistory;
  private readonly readOnly = new ReadOnly(pendingReadsMax);
  private queuedReads: QueuedRead[] = [];

  private currentTerm: number;
  private votedFor: NodeId;
  private currentRole: Role = 'follower';
  private currentLeader: NodeId = NONE;

  /** Outbox and read states, drained by RawNode.ready(). */
  msgs: Message[] = [];
  readStates: ReadState[] = [];

  /** Follower/candidate: ticks since the last election reset or message from the leader.
   *  Leader: ticks since the last check-quorum round (or since a transfer started). */
  private electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  /** Leader: ticks since becoming leader (stamps heartbeats for lease reads). */
  private leaderTicks = 0;
  private leadTransferee: NodeId = NONE;
  /** A 'timeout-now' went out this term: another node may win at any time, no lease. */
  private timeoutNowSent = false;
  /** Leader: index of the latest conf-change entry; no new change until it commits. */
  private pendingConfIndex = 0;
  /** Leader: payload bytes appended in this term and not committed yet. */
  private uncommittedBytes = 0;
  /** Lease reads: ticks left during which a freshly started node ignores vote requests, as
   *  if it still heard from the leader it may have acknowledged before a restart. */
  private startupLeaseTicks: number;

  constructor(config: RaftConfig, initial: RaftInitialState) {
    const check = validateRaftConfig(config);
    assert(check.ok, `invalid raft config: ${check.ok ? '' : check.problem}`);
    const hardState = initial.hardState;
    const confProblem = checkConfState(initial.snapshot.conf);
    assert(confProblem === null, `invalid initial configuration: ${confProblem ?? ''}`);
    assert(hardState.vote === NONE || isValidNodeId(hardState.vote), `invalid vote ${hardState.vote}`);
    this.id = config.id;
    this.config = config;
    this.log = new RaftLog(initial.snapshot, initial.entries, hardState.commit, initial.applied);
    assert(hardState.term >= this.log.lastTerm(), `term ${hardState.term} below last log term`);
    this.currentTerm = hardState.term;
    this.votedFor = hardState.vote;
    this.confHistory = new ConfHistory(initial.snapshot.conf);
    this.tracker = new ProgressTracker(config);
    for (const entry of initial.entries) if (entry.type === 'conf-change') this.recordConfChange(entry);
    this.tracker.setConf(this.confHistory.current());
    this.startupLeaseTicks = config.readOnlyOption === 'lease-based' ? config.electionTicks : 0;
    this.resetRandomizedElectionTimeout();
  }

  // --- state visible to RawNode ---

  get term(): number {
    return this.currentTerm;
  }
  get role(): Role {
    return this.currentRole;
  }
  get leader(): NodeId {
    return this.currentLeader;
  }

  softState(): SoftState {
    return { leader: this.currentLeader, role: this.currentRole };
  }

  hardState(): HardState {
    return { term: this.currentTerm, vote: this.votedFor, commit: this.log.committed };
  }

  /** Allocation-free comparisons for RawNode.hasReady(), which hosts call every loop. */
  softStateEquals(other: SoftState): boolean {
    return other.leader === this.currentLeader && other.role === this.currentRole;
  }

  hardStateEquals(other: HardState): boolean {
    return other.term === this.currentTerm && other.vote === this.votedFor && other.commit === this.log.committed;
  }

  status(): RaftStatus {
    const progress =
      this.currentRole === 'leader'
        ? [...this.tracker.progress.values()].map((p) => ({
            id: p.id,
            match: p.match,
            next: p.next,
            state: p.state,
            learner: p.learner,
            recentActive: p.recentActive,
          }))
        : [];
    return {
      id: this.id,
      role: this.currentRole,
      term: this.currentTerm,
      vote: this.votedFor,
      leader: this.currentLeader,
      commit: this.log.committed,
      applied: this.log.applied,
      firstIndex: this.log.firstIndex(),
      lastIndex: this.log.lastIndex(),
      conf: this.tracker.conf,
      transferee: this.leadTransferee,
      progress,
    };
  }

  // --- role transitions ---

  private reset(term: number): void {
    if (term !== this.currentTerm) {
      assert(term > this.currentTerm, `term must not decrease: ${this.currentTerm} -> ${term}`);
      this.currentTerm = term;
      this.votedFor = NONE;
    }
    this.currentLeader = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.leadTransferee = NONE;
    this.timeoutNowSent = false;
    this.tracker.resetVotes();
    this.tracker.clearProgress();
    this.readOnly.reset();
    this.queuedReads = [];
    this.uncommittedBytes = 0;
    this.pendingConfIndex = 0;
  }

  private becomeFollower(term: number, leader: NodeId): void {
    this.reset(term);
    this.currentRole = 'follower';
    this.currentLeader = leader;
  }

  private becomePreCandidate(): void {
    assert(this.currentRole !== 'leader', 'a leader does not become pre-candidate');
    // The term and vote stay: a pre-candidate only asks whether it could win (dissertation 9.6).
    this.currentRole = 'pre-candidate';
    this.currentLeader = NONE;
    this.tracker.resetVotes();
    this.electionElapsed = 0;
    this.resetRandomizedElectionTimeout();
  }

  private becomeCandidate(): void {
    assert(this.currentRole !== 'leader', 'a leader does not become candidate');
    this.reset(this.currentTerm + 1);
    this.votedFor = this.id;
    this.currentRole = 'candidate';
  }

  private becomeLeader(): void {
    assert(this.currentRole === 'candidate', `only a candidate becomes leader (was ${this.currentRole})`);
    this.reset(this.currentTerm);
    this.currentRole = 'leader';
    this.currentLeader = this.id;
    this.leaderTicks = 0;
    this.tracker.resetProgress(this.id, this.log.lastIndex(), this.log.stableIndex);
    this.pendingConfIndex = this.confHistory.lastChangeIndex();
    // Raft 5.4.2 / 8: an entry of its own term lets the leader commit earlier terms' entries.
    this.appendLeaderEntry('normal', EMPTY_BYTES);
  }

  private resetRandomizedElectionTimeout(): void {
    const base = this.config.electionTicks;
    this.randomizedElectionTimeout = base + this.config.random.nextInt(base);
    assert(
      this.randomizedElectionTimeout >= base && this.randomizedElectionTimeout < 2 * base,
      `random election timeout ${this.randomizedElectionTimeout} outside [${base}, ${2 * base})`,
    );
  }

  // --- ticks ---

  tick(): void {
    if (this.startupLeaseTicks > 0) this.startupLeaseTicks--;
    if (this.currentRole === 'leader') this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.electionElapsed >= this.randomizedElectionTimeout && this.promotable()) {
      this.electionElapsed = 0;
      this.hup(false);
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    this.leaderTicks++;
    if (this.electionElapsed >= this.config.electionTicks) {
      this.electionElapsed = 0;
      if (this.config.checkQuorum) {
        if (!this.tracker.quorumActive(this.id)) {
          this.becomeFollower(this.currentTerm, NONE);
          return;
        }
        this.tracker.resetRecentActive(this.id);
      }
      // A transfer that did not finish within an election timeout is abandoned.
      this.leadTransferee = NONE;
    }
    if (this.heartbeatElapsed >= this.config.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat(this.readOnly.lastPendingContext(), true);
    }
  }

  // --- elections ---

  /** Starts an election unless leader or not a voter; pre-vote first unless transferring. */
  private hup(transfer: boolean): void {
    if (this.currentRole === 'leader') return;
    if (!this.promotable()) return;
    if (this.config.preVote && !transfer) this.campaignPre();
    else this.campaignReal(transfer);
  }

  campaign(): void {
    this.hup(false);
  }

  /** Whether this node may campaign: it is a voter of its latest configuration. Learners,
   *  removed nodes and nodes that have not joined yet never campaign, with one exception
   *  (dissertation 4.2.2): a voter whose own removal is appended but not committed may be
   *  needed to commit it (it can hold the only up-to-date log), so it still campaigns; its
   *  own vote does not count, and as leader it steps down once the removal commits. */
  private promotable(): boolean {
    if (this.tracker.isVoter(this.id)) return true;
    return (
      this.confHistory.lastChangeIndex() > this.log.committed &&
      this.confHistory.beforeLastChange().voters.includes(this.id)
    );
  }

  private campaignPre(): void {
    this.becomePreCandidate();
    this.tracker.recordVote(this.id, true);
    if (this.tracker.tallyVotes() === 'won') {
      this.campaignReal(false);
      return;
    }
    const term = this.currentTerm + 1;
    const index = this.log.lastIndex();
    const logTerm = this.log.lastTerm();
    for (const voter of this.tracker.conf.voters) {
      if (voter !== this.id) this.send({ type: 'pre-vote', to: voter, term, index, logTerm });
    }
  }

  private campaignReal(transfer: boolean): void {
    this.becomeCandidate();
    this.tracker.recordVote(this.id, true);
    if (this.tracker.tallyVotes() === 'won') {
      this.becomeLeader();
      return;
    }
    const index = this.log.lastIndex();
    const logTerm = this.log.lastTerm();
    const context = transfer ? TRANSFER_CONTEXT : '';
    for (const voter of this.tracker.conf.voters) {
      if (voter !== this.id) this.send({ type: 'vote', to: voter, index, logTerm, context });
    }
  }

  /** Leader stickiness (dissertation 4.2.3 / 9.6): a leader was heard from recently. */
  private inLease(): boolean {
    if (this.startupLeaseTicks > 0) return true;
    const guarded = this.config.checkQuorum || this.config.preVote;
    return guarded && this.currentLeader !== NONE && this.electionElapsed < this.config.electionTicks;
  }

  private handleVoteRequest(m: Message): void {
    const preVote = m.type === 'pre-vote';
    const canVote =
      this.votedFor === m.from ||
      (this.votedFor === NONE && this.currentLeader === NONE) ||
      (preVote && m.term > this.currentTerm);
    const upToDate = this.config.bugs.has('vote-any-log') || this.log.isUpToDate(m.index, m.logTerm);
    const type = preVote ? 'pre-vote-resp' : 'vote-resp';
    if (!canVote || !upToDate) {
      this.send({ type, to: m.from, reject: true });
      return;
    }
    // A grant answers in the request's term; for a pre-vote that is the term the candidate
    // would campaign in, which we do not enter.
    this.send({ type, to: m.from, term: m.term });
    if (!preVote) {
      this.electionElapsed = 0;
      this.votedFor = m.from;
    }
  }

  private handleVoteResponse(m: Message): void {
    if (!this.tracker.isVoter(m.from)) return;
    this.tracker.recordVote(m.from, !m.reject);
    const result = this.tracker.tallyVotes();
    if (result === 'won') {
      if (this.currentRole === 'pre-candidate') this.campaignReal(false);
      else this.becomeLeader();
    } else if (result === 'lost') {
      this.becomeFollower(this.currentTerm, NONE);
    }
  }

  // --- stepping messages ---

  step(m: Message): void {
    assert(m.to === this.id, `message to ${m.to} stepped into node ${this.id}`);
    assert(m.from !== NONE && m.from !== this.id, `message from ${m.from} stepped into node ${this.id}`);
    if (m.term > this.currentTerm) {
      if (!this.stepHigherTerm(m)) return;
    } else if (m.term < this.currentTerm) {
      this.stepLowerTerm(m);
      return;
    }
    switch (m.type) {
      case 'vote':
      case 'pre-vote':
        this.handleVoteRequest(m);
        return;
      case 'read-index-resp':
        // Still valid whatever our role now: the leader confirmed the index after our request.
        this.pushReadState({ index: m.index, context: m.context });
        return;
      default:
        break;
    }
    switch (this.currentRole) {
      case 'leader':
        this.stepLeader(m);
        return;
      case 'candidate':
      case 'pre-candidate':
        this.stepCandidate(m);
        return;
      case 'follower':
        this.stepFollower(m);
        return;
    }
  }

  /** Returns whether the message is processed further. */
  private stepHigherTerm(m: Message): boolean {
    if ((m.type === 'vote' || m.type === 'pre-vote') && m.context !== TRANSFER_CONTEXT && this.inLease()) {
      return false; // leader stickiness: do not even update the term
    }
    if (m.type === 'pre-vote') return true; // answering a pre-vote never changes our term
    if (m.type === 'pre-vote-resp' && !m.reject) return true; // granted in the term we would enter
    const fromLeader = m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap';
    this.becomeFollower(m.term, fromLeader ? m.from : NONE);
    return true;
  }

  private stepLowerTerm(m: Message): void {
    if ((this.config.checkQuorum || this.config.preVote) && (m.type === 'app' || m.type === 'heartbeat')) {
      // A stale leader (its term below ours) would never learn our term from ignored messages;
      // with stickiness nobody may vote it out either. Tell it, so that it steps down.
      this.send({ type: 'app-resp', to: m.from });
    } else if (m.type === 'pre-vote') {
      this.send({ type: 'pre-vote-resp', to: m.from, reject: true });
    }
  }

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'app':
      case 'heartbeat':
      case 'snap':
        this.electionElapsed = 0;
        this.currentLeader = m.from;
        this.handleLeaderMessage(m);
        return;
      case 'timeout-now':
        this.hup(true); // transfer: skip pre-vote, votes bypass stickiness
        return;
      case 'transfer-leader':
        if (this.currentLeader !== NONE && this.currentLeader !== m.from) {
          this.send({ type: 'transfer-leader', to: this.currentLeader, from: m.from });
        }
        return;
      default:
        return; // responses addressed to an earlier role, reads sent to a non-leader: dropped
    }
  }

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'app':
      case 'heartbeat':
      case 'snap':
        // A leader exists in our term (Raft 5.2): give up the election.
        this.becomeFollower(this.currentTerm, m.from);
        this.handleLeaderMessage(m);
        return;
      case 'pre-vote-resp':
        if (this.currentRole === 'pre-candidate') this.handleVoteResponse(m);
        return;
      case 'vote-resp':
        if (this.currentRole === 'candidate') this.handleVoteResponse(m);
        return;
      default:
        return;
    }
  }

  private stepLeader(m: Message): void {
    switch (m.type) {
      case 'app-resp': {
        const progress = this.tracker.progress.get(m.from);
        if (progress !== undefined) this.handleAppendResponse(m, progress);
        return;
      }
      case 'heartbeat-resp': {
        const progress = this.tracker.progress.get(m.from);
        if (progress !== undefined) this.handleHeartbeatResponse(m, progress);
        return;
      }
      case 'read-index':
        this.serveRead(m.from, m.context, true);
        return;
      case 'transfer-leader':
        this.startTransfer(m.from);
        return;
      default:
        // Includes 'app'/'heartbeat'/'snap' of our own term from another node, which election
        // safety rules out; they are ignored rather than trusted.
        return;
    }
  }

  private handleLeaderMessage(m: Message): void {
    if (m.type === 'app') this.handleAppend(m);
    else if (m.type === 'heartbeat') this.handleHeartbeat(m);
    else this.handleSnapshot(m);
  }

  // --- follower side of replication ---

  private handleAppend(m: Message): void {
    const count = m.entries.length;
    assert(
      count === 0 || ((m.entries[0] as Entry).index === m.index + 1 && (m.entries[count - 1] as Entry).index === m.index + count),
      `'app' entries must follow index ${m.index} contiguously`,
    );
    if (m.index < this.log.committed) {
      this.send({ type: 'app-resp', to: m.from, index: this.log.committed });
      return;
    }
    if (m.index === 0 && this.needsBaseConf()) {
      // Entries from index 1 on are meaningless without the configuration they start from.
      // A rejection at index 0 (impossible otherwise) asks the leader for the index-0 snapshot.
      this.send({ type: 'app-resp', to: m.from, index: 0, reject: true });
      return;
    }
    if (this.log.matchTerm(m.index, m.logTerm)) {
      const lastNew = m.index + count;
      const conflict = this.log.findConflict(m.entries);
      if (conflict !== 0) {
        assert(conflict > this.log.committed, `conflict at ${conflict} with committed ${this.log.committed}`);
        this.appendToLog(conflict === m.index + 1 ? m.entries : m.entries.slice(conflict - m.index - 1));
      }
      this.log.commitTo(Math.min(m.commit, lastNew));
      this.send({ type: 'app-resp', to: m.from, index: lastNew });
      return;
    }
    // Leader completeness: the leader holds every committed entry, so a mismatch at or below
    // our commit index means committed entries diverged.
    assert(m.index > this.log.committed, `leader's entry ${m.index}/${m.logTerm} conflicts with our committed log`);
    // Fast back-off: every entry of ours above `hint` has a term greater than m.logTerm, so
    // none of them can match the leader's entries up to m.index.
    const hint = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
    const hintTerm = this.log.term(hint);
    this.send({
      type: 'app-resp',
      to: m.from,
      index: m.index,
      reject: true,
      rejectHint: hint,
      rejectHintTerm: hintTerm === TERM_UNAVAILABLE ? 0 : hintTerm,
    });
  }

  private handleHeartbeat(m: Message): void {
    // The leader caps the commit at what it knows we hold, so it is within our log.
    this.log.commitTo(m.commit);
    this.send({ type: 'heartbeat-resp', to: m.from, index: m.index, context: m.context });
  }

  private handleSnapshot(m: Message): void {
    const snapshot = m.snapshot;
    assert(snapshot !== null, `'snap' from ${m.from} without a snapshot`);
    if (this.restore(snapshot)) {
      this.send({ type: 'app-resp', to: m.from, index: this.log.lastIndex() });
    } else {
      this.send({ type: 'app-resp', to: m.from, index: this.log.committed });
    }
  }

  /** A node that joined with an empty configuration and has no log yet: it cannot interpret
   *  entries until it learns the configuration they start from. */
  private needsBaseConf(): boolean {
    const base = this.confHistory.snapshot();
    return (
      this.log.snapshotIndex === 0 &&
      this.log.lastIndex() === 0 &&
      base.voters.length === 0 &&
      base.learners.length === 0
    );
  }

  /** Returns whether the log (or, for an index-0 snapshot, the base configuration) was
   *  replaced by the snapshot. */
  private restore(snapshot: Snapshot): boolean {
    const { index, term, conf } = snapshot.meta;
    if (index === 0) {
      if (!this.needsBaseConf()) return false;
      const confProblem = checkConfState(conf);
      assert(confProblem === null, `snapshot configuration: ${confProblem ?? ''}`);
      this.log.adoptBaseSnapshot(snapshot);
      this.confHistory.restore(conf);
      this.applyConf();
      return true;
    }
    if (index <= this.log.committed) return false;
    assert(this.currentRole !== 'leader', 'a leader never restores a snapshot');
    if (this.log.matchTerm(index, term)) {
      this.log.commitTo(index); // we have that entry: the snapshot only tells us it committed
      return false;
    }
    const confProblem = checkConfState(conf);
    assert(confProblem === null, `snapshot configuration: ${confProblem ?? ''}`);
    this.log.restore(snapshot);
    this.confHistory.restore(conf);
    this.applyConf();
    return true;
  }

  // --- the log and configuration ---

  private appendToLog(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = (entries[0] as Entry).index;
    const truncating = first <= this.log.lastIndex();
    assert(!(truncating && this.currentRole === 'leader'), 'a leader never truncates its own log');
    this.log.append(entries);
    let confChanged = truncating && this.confHistory.truncateFrom(first);
    for (const entry of entries) {
      if (entry.type === 'conf-change') {
        this.recordConfChange(entry);
        confChanged = true;
      }
    }
    if (confChanged) this.applyConf();
  }

  private recordConfChange(entry: Entry): void {
    const outcome = applyConfChange(this.confHistory.current(), decodeConfChange(entry.data));
    assert(outcome.ok, `conf change at ${entry.index} is invalid: ${outcome.ok ? '' : outcome.problem}`);
    this.confHistory.record(entry.index, outcome.conf);
  }

  /** The configuration in effect changed (append, truncation or snapshot). */
  private applyConf(): void {
    this.tracker.setConf(this.confHistory.current());
    if (this.currentRole !== 'leader') return;
    this.tracker.syncProgress(this.log.lastIndex());
    if (this.leadTransferee !== NONE && !this.tracker.isVoter(this.leadTransferee)) this.leadTransferee = NONE;
    // Removing a voter may shrink the quorum enough to commit at once.
    this.maybeCommitAndBroadcast();
  }

  private appendLeaderEntry(type: EntryType, data: Uint8Array): number {
    const index = this.log.lastIndex() + 1;
    this.uncommittedBytes += data.length;
    this.appendToLog([{ term: this.currentTerm, index, type, data }]);
    if (this.currentRole === 'leader') this.bcastAppend();
    return index;
  }

  /** The Ready that carried entries up to (index, term) was advanced: they are persisted. */
  onEntriesPersisted(index: number, term: number): void {
    this.log.stableTo(index, term);
    if (this.currentRole !== 'leader') return;
    const self = this.tracker.progress.get(this.id);
    if (self === undefined) return; // removed itself: its own log no longer counts
    if (self.maybeUpdate(this.log.stableIndex)) this.maybeCommitAndBroadcast();
  }

  compact(index: number): void {
    if (index <= this.log.snapshotIndex) return;
    this.log.compact(index);
    this.confHistory.compactTo(index);
  }

  // --- leader side of replication ---

  private maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const progress = this.tracker.progress.get(to);
    if (progress === undefined || progress.isPaused()) return false;
    const prevIndex = progress.next - 1;
    const prevTerm = this.log.term(prevIndex);
    if (prevTerm === TERM_UNAVAILABLE || (prevIndex === 0 && progress.baseConfRequested)) {
      return this.maybeSendSnapshot(progress);
    }
    const lastIndex = this.log.lastIndex();
    assert(progress.next <= lastIndex + 1, `progress ${to} next ${progress.next} past last ${lastIndex}`);
    let entries: readonly Entry[] = EMPTY_ENTRIES;
    if (progress.next <= lastIndex) {
      const maxBytes =
        progress.state === 'replicate'
          ? Math.min(this.config.maxMsgBytes, progress.inflights.freeBytes())
          : this.config.maxMsgBytes;
      entries = this.log.slice(progress.next, lastIndex + 1, { maxBytes, maxEntries: msgEntriesMax });
    }
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.send({ type: 'app', to, index: prevIndex, logTerm: prevTerm, entries, commit: this.log.committed });
    progress.sentEntries(entries.length, prevIndex + entries.length, entriesBytes(entries));
    return true;
  }

  /** The follower needs entries we compacted: send the snapshot's meta; the host fills in the
   *  data from its snapshot store. Not to a follower we have not heard from lately. */
  private maybeSendSnapshot(progress: Progress): boolean {
    if (!progress.recentActive) return false;
    const meta = { index: this.log.snapshotIndex, term: this.log.snapshotTerm, conf: this.confHistory.snapshot() };
    assert(meta.conf.voters.length > 0, 'a snapshot to send has voters in its configuration');
    this.send({ type: 'snap', to: progress.id, snapshot: { meta, data: EMPTY_BYTES } });
    progress.becomeSnapshot(meta.index);
    return true;
  }

  private bcastAppend(): void {
    for (const id of this.tracker.progress.keys()) if (id !== this.id) this.maybeSendAppend(id, true);
  }

  private bcastHeartbeat(context: string, periodic: boolean): void {
    const leaseStamp = this.config.readOnlyOption === 'lease-based' ? this.leaderTicks : 0;
    for (const progress of this.tracker.progress.values()) {
      if (progress.id === this.id) continue;
      if (periodic) progress.appRespSinceHeartbeat = false;
      this.send({
        type: 'heartbeat',
        to: progress.id,
        commit: Math.min(progress.match, this.log.committed),
        index: leaseStamp,
        context,
      });
    }
  }

  private handleAppendResponse(m: Message, progress: Progress): void {
    progress.recentActive = true;
    if (m.reject) {
      this.handleAppendRejection(m, progress);
      return;
    }
    // Followers acknowledge only what we sent them or what they committed, which we hold.
    assert(m.index <= this.log.lastIndex(), `${m.from} acknowledged ${m.index} past our last index: committed entries are missing`);
    progress.appRespSinceHeartbeat = true;
    progress.baseConfRequested = false;
    const wasPaused = progress.isPaused();
    const updated = progress.maybeUpdate(m.index);
    const snapshotLanded = progress.state === 'snapshot' && m.index >= progress.pendingSnapshot;
    if (!updated && !snapshotLanded && !(progress.match === m.index && progress.state === 'probe')) return;
    if (progress.state === 'probe') {
      progress.becomeReplicate();
    } else if (progress.state === 'snapshot') {
      if (progress.match + 1 < this.log.firstIndex()) return; // still behind our compaction point
      progress.becomeProbe();
      progress.becomeReplicate();
    } else {
      progress.inflights.freeLE(m.index);
    }
    if (!this.maybeCommitAndBroadcast() && wasPaused) this.maybeSendAppend(m.from, true);
    if (this.currentRole !== 'leader') return; // stepped down: its own removal committed
    // Fill the window: at most maxInflightMsgs messages, each bounded by maxMsgBytes.
    for (let sent = 0; sent < this.config.maxInflightMsgs; sent++) {
      if (!this.maybeSendAppend(m.from, false)) break;
    }
    if (m.from === this.leadTransferee && progress.match === this.log.lastIndex()) this.sendTimeoutNow(m.from);
  }

  private handleAppendRejection(m: Message, progress: Progress): void {
    if (m.index === 0) {
      // A joining node asks for the initial configuration (see handleAppend).
      if (progress.state === 'snapshot') return;
      progress.baseConfRequested = true;
      progress.becomeProbe();
      this.maybeSendAppend(m.from, true);
      return;
    }
    // Leader side of fast back-off: skip every entry of ours whose term is above the
    // follower's term at the hint; those cannot match.
    const probeHint =
      m.rejectHintTerm > 0 ? this.log.findConflictByTerm(m.rejectHint, m.rejectHintTerm) : m.rejectHint;
    if (!progress.maybeDecrTo(m.index, probeHint)) return;
    if (progress.state === 'replicate') progress.becomeProbe();
    this.maybeSendAppend(m.from, true);
  }

  private handleHeartbeatResponse(m: Message, progress: Progress): void {
    progress.recentActive = true;
    progress.probeSent = false;
    if (m.index > progress.leaseAckTick && m.index <= this.leaderTicks) progress.leaseAckTick = m.index;
    if (progress.state === 'replicate' && progress.inflights.full() && !progress.appRespSinceHeartbeat) {
      // The follower is alive yet acknowledged nothing for a heartbeat interval while the
      // window is full: those appends were lost. Probe again from its match.
      progress.becomeProbe();
    }
    if (progress.match < this.log.lastIndex() || progress.state === 'probe') this.maybeSendAppend(m.from, true);
    if (m.context !== '') this.handleReadAck(m.from, m.context);
  }

  private sendTimeoutNow(to: NodeId): void {
    this.send({ type: 'timeout-now', to });
    this.timeoutNowSent = true;
  }

  /** Commits what a quorum of voters holds, if the entry there is of our term (Raft 5.4.2;
   *  never by counting replicas of an older term's entry). Returns whether it acted. */
  private maybeCommit(): boolean {
    const index = this.tracker.committedIndex();
    if (index <= this.log.committed) return false;
    if (!this.config.bugs.has('commit-old-term') && this.log.term(index) !== this.currentTerm) return false;
    const from = this.log.committed + 1;
    this.log.commitTo(index);
    for (let i = from; i <= index; i++) this.uncommittedBytes -= this.log.entryAt(i).data.length;
    if (this.uncommittedBytes < 0) this.uncommittedBytes = 0; // entries of earlier terms were not counted
    return true;
  }

  private maybeCommitAndBroadcast(): boolean {
    if (!this.maybeCommit()) return false;
    this.bcastAppend();
    this.releaseQueuedReads();
    if (!this.tracker.isVoter(this.id) && this.log.committed >= this.confHistory.lastChangeIndex()) {
      // Dissertation 4.2.2: a leader removed from the configuration steps down once the
      // configuration without it is committed.
      this.becomeFollower(this.currentTerm, NONE);
    }
    return true;
  }

  // --- proposals ---

  private drop(reason: DropReason): { readonly ok: false; readonly reason: DropReason; readonly leader: NodeId } {
    return { ok: false, reason, leader: this.currentLeader };
  }

  private checkProposal(bytes: number): ProposeResult | null {
    if (this.currentRole !== 'leader') return this.drop(this.currentLeader === NONE ? 'no-leader' : 'not-leader');
    if (!this.tracker.isMember(this.id)) return { ok: false, reason: 'no-leader', leader: NONE }; // removed itself
    if (this.leadTransferee !== NONE) return this.drop('transferring');
    if (bytes > this.config.maxEntryBytes) return this.drop('entry-too-large');
    const limit = this.config.maxUncommittedBytes;
    if (bytes > 0 && this.uncommittedBytes > 0 && this.uncommittedBytes + bytes > limit) {
      return this.drop('uncommitted-limit');
    }
    return null;
  }

  propose(data: Uint8Array): ProposeResult {
    const dropped = this.checkProposal(data.length);
    if (dropped !== null) return dropped;
    const index = this.appendLeaderEntry('normal', data);
    return { ok: true, index, term: this.currentTerm };
  }

  proposeConfChange(change: ConfChange): ProposeResult {
    if (!isValidNodeId(change.nodeId)) return this.drop('invalid-conf-change');
    const data = encodeConfChange(change);
    const dropped = this.checkProposal(data.length);
    if (dropped !== null) return dropped;
    if (this.log.term(this.log.committed) !== this.currentTerm) return this.drop('no-term-commit');
    if (this.pendingConfIndex > this.log.committed) return this.drop('conf-change-pending');
    if (!applyConfChange(this.tracker.conf, change).ok) return this.drop('invalid-conf-change');
    this.pendingConfIndex = this.log.lastIndex() + 1;
    const term = this.currentTerm;
    const index = this.appendLeaderEntry('conf-change', data);
    assert(index === this.pendingConfIndex || this.currentRole !== 'leader', 'conf change index');
    return { ok: true, index, term };
  }

  // --- reads ---

  readIndex(context: string): ReadIndexResult {
    assert(context !== '', 'readIndex needs a non-empty context');
    if (this.currentRole === 'leader') return this.serveRead(this.id, context, true);
    if (this.currentLeader === NONE) return { ok: false, reason: 'no-leader', leader: NONE };
    this.send({ type: 'read-index', to: this.currentLeader, context });
    return OK;
  }

  /** A read on behalf of `from` (ourselves or a follower). `heartbeat`: start the
   *  confirmation round now (false when the caller batches several reads into one round). */
  private serveRead(from: NodeId, context: string, heartbeat: boolean): ReadIndexResult {
    if (this.config.bugs.has('read-without-quorum')) {
      this.answerRead(from, context, this.log.committed);
      return OK;
    }
    if (this.log.term(this.log.committed) !== this.currentTerm) {
      // Our commit index may lag the cluster's until we commit in our term (dissertation 6.4).
      if (this.queuedReads.length >= queuedReadsMax) return this.drop('no-term-commit');
      this.queuedReads.push({ from, context });
      return OK;
    }
    if (this.tracker.isSoleVoter(this.id) || (this.config.readOnlyOption === 'lease-based' && this.leaseHolds())) {
      this.answerRead(from, context, this.log.committed);
      return OK;
    }
    if (this.readOnly.full()) return this.drop('uncommitted-limit');
    if (this.readOnly.add(this.log.committed, from, context)) {
      this.readOnly.ack(context, this.id);
      if (heartbeat) this.bcastHeartbeat(context, false);
    }
    return OK;
  }

  /** The lease holds while a majority of voters acknowledged a heartbeat sent less than an
   *  election timeout (minus drift) ago: they ignore other candidates until then. */
  private leaseHolds(): boolean {
    if (this.leadTransferee !== NONE || this.timeoutNowSent) return false;
    const stamp = this.tracker.leaseStamp(this.id, this.leaderTicks);
    return stamp >= 0 && this.leaderTicks - stamp < this.config.electionTicks - leaseDriftTicks;
  }

  private handleReadAck(from: NodeId, context: string): void {
    const request = this.readOnly.ack(context, from);
    if (request === null || !this.tracker.hasQuorum(request.acks)) return;
    for (const released of this.readOnly.releaseThrough(context)) {
      this.answerRead(released.from, released.context, released.index);
    }
  }

  private releaseQueuedReads(): void {
    if (this.queuedReads.length === 0 || this.log.term(this.log.committed) !== this.currentTerm) return;
    const queued = this.queuedReads;
    this.queuedReads = [];
    for (const read of queued) this.serveRead(read.from, read.context, false);
    const context = this.readOnly.lastPendingContext();
    if (context !== '') this.bcastHeartbeat(context, false);
  }

  private answerRead(from: NodeId, context: string, index: number): void {
    if (from === this.id) this.pushReadState({ index, context });
    else this.send({ type: 'read-index-resp', to: from, index, context });
  }

  private pushReadState(state: ReadState): void {
    assert(this.readStates.length < readStatesMax, 'read states overflow: the host must drain Ready');
    this.readStates.push(state);
  }

  // --- leadership transfer ---

  transferLeadership(to: NodeId): TransferResult {
    if (this.currentRole === 'leader') return this.startTransfer(to);
    if (this.currentLeader === NONE) return { ok: false, reason: 'no-leader', leader: NONE };
    if (to === this.currentLeader) return OK; // already leading
    // 'transfer-leader' names the transferee in `from` (types.ts), not the sender.
    this.send({ type: 'transfer-leader', to: this.currentLeader, from: to });
    return OK;
  }

  private startTransfer(to: NodeId): TransferResult {
    if (!this.tracker.isVoter(to)) return this.drop('unknown-node');
    if (to === this.id || to === this.leadTransferee) return OK;
    const progress = this.tracker.progress.get(to);
    assert(progress !== undefined, `leader has no progress for voter ${to}`);
    this.leadTransferee = to;
    this.electionElapsed = 0; // the transfer is abandoned after one election timeout
    if (progress.match === this.log.lastIndex()) this.sendTimeoutNow(to);
    else this.maybeSendAppend(to, true);
    return OK;
  }

  // --- reports from the host ---

  reportSnapshot(to: NodeId, ok: boolean): void {
    if (this.currentRole !== 'leader') return;
    const progress = this.tracker.progress.get(to);
    if (progress === undefined || progress.state !== 'snapshot') return;
    if (!ok) progress.pendingSnapshot = 0;
    progress.becomeProbe();
    // Wait for the follower's answer to the snapshot, or the next heartbeat, before probing.
    progress.probeSent = true;
  }

  reportUnreachable(to: NodeId): void {
    if (this.currentRole !== 'leader') return;
    const progress = this.tracker.progress.get(to);
    if (progress !== undefined && progress.state === 'replicate') progress.becomeProbe();
  }

  // --- output ---

  private send(fields: OutgoingFields): void {
    assert(this.msgs.length < outboxMessagesMax, 'outbox overflow: the host must drain Ready every loop');
    this.msgs.push(makeMessageFrom(fields, fields.from ?? this.id, fields.term ?? this.currentTerm));
  }
}
