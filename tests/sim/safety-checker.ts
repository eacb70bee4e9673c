// Raft's safety properties, checked incrementally as the run unfolds (Raft paper, figure 3):
// - election safety: at most one leader per term;
// - log matching: an (index, term) pair identifies the entry and its whole prefix;
// - leader completeness: a new leader's log holds every entry committed before it;
// - committed entries never change, and commit indexes never move backwards;
// - state machine safety: every node applies the same entry at each index, and snapshots
//   taken at the same index are identical.
// The checker sees what nodes persist, send and apply, never the core's private state.

import type { Entry, Message, NodeId, Ready } from '../../server/raft/types';
import { hashBytes } from './trace';
import type { SimDisk } from './sim-disk';

export type ViolationKind =
  | 'two-leaders'
  | 'log-matching'
  | 'leader-completeness'
  | 'committed-changed'
  | 'commit-regressed'
  | 'lost-ack'
  | 'state-machine-safety'
  | 'snapshot-mismatch'
  | 'non-linearizable'
  | 'liveness'
  | 'invariant'
  | 'core-error';

export interface Violation {
  readonly kind: ViolationKind;
  readonly detail: string;
  readonly time: number;
}

/** Lost-committed-data kinds: any of these means an acknowledged entry was not durable. */
export const lostCommitKinds: readonly ViolationKind[] = [
  'leader-completeness',
  'committed-changed',
  'commit-regressed',
  'lost-ack',
  'state-machine-safety',
  'snapshot-mismatch',
  'log-matching',
];

interface EntryRecord {
  readonly term: number;
  readonly hash: number;
  readonly node: NodeId;
  /** The lowest term in which a node was seen holding this entry as committed: leaders of
   *  later terms must have it (Raft's leader completeness). */
  readonly commitTerm: number;
}

interface FragmentRecord {
  readonly prevTerm: number;
  readonly hash: number;
  readonly source: string;
}

export class SafetyChecker {
  readonly violations: Violation[] = [];
  private readonly leaderByTerm = new Map<number, NodeId>();
  /** index -> term -> what an entry with that identity looks like (log matching). */
  private readonly fragments = new Map<number, Map<number, FragmentRecord>>();
  /** index -> the entry known committed there. */
  private readonly committed = new Map<number, EntryRecord>();
  private readonly commitByNode = new Map<NodeId, number>();
  private readonly snapshotDigests = new Map<number, { digest: number; node: NodeId }>();
  private readonly entryHashes = new WeakMap<Entry, number>();
  private committedIndexMax = 0;

  constructor(private readonly now: () => number) {}

  get ok(): boolean {
    return this.violations.length === 0;
  }

  report(kind: ViolationKind, detail: string): void {
    this.violations.push({ kind, detail, time: this.now() });
  }

  observeLeader(node: NodeId, term: number): void {
    const existing = this.leaderByTerm.get(term);
    if (existing === undefined) this.leaderByTerm.set(term, node);
    else if (existing !== node) this.report('two-leaders', `term ${term}: nodes ${existing} and ${node} both leader`);
  }

  /** An 'app' message is a fragment of the sender's log: entries chained after (index, logTerm). */
  observeMessage(message: Message): void {
    if (message.type !== 'app' || message.entries.length === 0) return;
    this.observeFragment(message.index, message.logTerm, message.entries, `app ${message.from}->${message.to}`);
  }

  /** Called after `disk` persisted `ready` on `node`. */
  observePersist(node: NodeId, disk: SimDisk, ready: Ready): void {
    if (ready.entries.length > 0) {
      const prevIndex = ready.entries[0].index - 1;
      const prevTerm = disk.term(prevIndex);
      if (prevTerm !== null) this.observeFragment(prevIndex, prevTerm, ready.entries, `disk ${node}`);
    }
    if (ready.hardState !== null) this.observeCommit(node, disk);
    if (ready.softState !== null && ready.softState.role === 'leader') this.checkLeaderCompleteness(node, disk);
  }

  /** `entry` was applied on `node` (in `term`): it must be the committed entry at its index. */
  observeApply(node: NodeId, entry: Entry, term: number): void {
    const seen = { node, term, commitTerm: term };
    this.recordCommitted(seen, entry.index, entry.term, this.hashOf(entry), 'state-machine-safety', 'applied');
  }

  /** A snapshot at `index` (taken or installed by `node`) must equal every other one there. */
  observeSnapshot(node: NodeId, index: number, term: number, data: Uint8Array): void {
    const digest = hashBytes(data);
    const existing = this.snapshotDigests.get(index);
    if (existing === undefined) this.snapshotDigests.set(index, { digest, node });
    else if (existing.digest !== digest) {
      this.report('snapshot-mismatch', `snapshot at ${index}: node ${node} differs from node ${existing.node}`);
    }
    const committed = this.committed.get(index);
    if (committed !== undefined && committed.term !== term) {
      this.report('committed-changed', `snapshot at ${index} term ${term} on node ${node}, committed term ${committed.term}`);
    }
  }

  private hashOf(entry: Entry): number {
    const cached = this.entryHashes.get(entry);
    if (cached !== undefined) return cached;
    const hash = hashBytes(entry.data, entry.type === 'normal' ? 1 : 2);
    this.entryHashes.set(entry, hash);
    return hash;
  }

  private observeFragment(prevIndex: number, prevTerm: number, entries: readonly Entry[], source: string): void {
    let previousTerm = prevTerm;
    let expectedIndex = prevIndex + 1;
    for (const entry of entries) {
      if (entry.index !== expectedIndex) {
        this.report('invariant', `${source}: entry index ${entry.index}, expected ${expectedIndex}`);
        return;
      }
      if (entry.term < previousTerm) {
        this.report('log-matching', `${source}: term decreases at ${entry.index} (${previousTerm} -> ${entry.term})`);
      }
      this.recordFragment(entry, previousTerm, source);
      previousTerm = entry.term;
      expectedIndex += 1;
    }
  }

  private recordFragment(entry: Entry, prevTerm: number, source: string): void {
    let byTerm = this.fragments.get(entry.index);
    if (byTerm === undefined) {
      byTerm = new Map();
      this.fragments.set(entry.index, byTerm);
    }
    const hash = this.hashOf(entry);
    const existing = byTerm.get(entry.term);
    if (existing === undefined) {
      byTerm.set(entry.term, { prevTerm, hash, source });
      return;
    }
    if (existing.hash !== hash || existing.prevTerm !== prevTerm) {
      this.report(
        'log-matching',
        `entry (${entry.index}, term ${entry.term}) from ${source} differs from ${existing.source}` +
          ` (prev term ${prevTerm} vs ${existing.prevTerm}, same data: ${existing.hash === hash})`,
      );
    }
  }

  private observeCommit(node: NodeId, disk: SimDisk): void {
    const commit = disk.hardState.commit;
    const previous = this.commitByNode.get(node) ?? 0;
    if (commit < previous) {
      this.report('commit-regressed', `node ${node} persisted commit ${commit} after ${previous}`);
      return;
    }
    if (commit > disk.lastIndex) {
      this.report('invariant', `node ${node} persisted commit ${commit} beyond its last index ${disk.lastIndex}`);
      return;
    }
    const seen = { node, commitTerm: disk.hardState.term };
    for (let index = Math.max(previous + 1, disk.snapshot.meta.index); index <= commit; index += 1) {
      const term = disk.term(index);
      if (term === null) continue;
      const entry = disk.entry(index);
      const hash = entry === null ? -1 : this.hashOf(entry);
      this.recordCommitted(seen, index, term, hash, 'committed-changed', 'committed');
    }
    this.commitByNode.set(node, commit);
  }

  private recordCommitted(
    seen: { readonly node: NodeId; readonly commitTerm: number },
    index: number,
    term: number,
    hash: number,
    kind: ViolationKind,
    what: string,
  ): void {
    const existing = this.committed.get(index);
    if (existing === undefined) {
      // A snapshot boundary only tells the term (hash -1); a later entry fills in the data.
      this.committed.set(index, { term, hash, node: seen.node, commitTerm: seen.commitTerm });
      this.committedIndexMax = Math.max(this.committedIndexMax, index);
      return;
    }
    const sameData = existing.hash === -1 || hash === -1 || existing.hash === hash;
    if (existing.term !== term || !sameData) {
      this.report(
        kind,
        `index ${index}: node ${seen.node} ${what} term ${term}, but node ${existing.node} had committed term ${existing.term}` +
          (existing.term === term ? ' (same term, different data)' : ''),
      );
      return;
    }
    if ((existing.hash === -1 && hash !== -1) || seen.commitTerm < existing.commitTerm) {
      this.committed.set(index, {
        term,
        hash: existing.hash === -1 ? hash : existing.hash,
        node: existing.node,
        commitTerm: Math.min(existing.commitTerm, seen.commitTerm),
      });
    }
  }

  /** Raft's leader completeness: a leader's log contains every entry committed in an earlier
   *  term. Checked when the Ready that made `node` leader is durable, so the disk holds the
   *  leader's log (and its term: a slow disk may land it after newer terms committed more). */
  private checkLeaderCompleteness(node: NodeId, disk: SimDisk): void {
    const snapshotIndex = disk.snapshot.meta.index;
    const leaderTerm = disk.hardState.term;
    for (let index = this.committedIndexMax; index >= snapshotIndex && index >= 1; index -= 1) {
      const record = this.committed.get(index);
      if (record === undefined || record.commitTerm >= leaderTerm) continue;
      const term = disk.term(index);
      if (term !== record.term) {
        this.report(
          'leader-completeness',
          `new leader ${node} has ${term === null ? 'no entry' : `term ${term}`} at committed index ${index}` +
            ` (committed term ${record.term} by node ${record.node})`,
        );
        return;
      }
    }
  }
}
