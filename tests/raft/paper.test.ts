// One test per sentence of the Raft paper (Figure 2 and section 5), each against a single
// RawNode fed hand-made messages. Quotes are from "In Search of an Understandable Consensus
// Algorithm (Extended Version)", Ongaro and Ousterhout.

import {
  NONE,
  RawNode,
  defaultRaftConfig,
  type Entry,
  type Message,
  type NodeId,
  type RaftConfig,
} from '../../server/raft';
import { SeededRandom } from '../../server/util/random';

interface NodeOptions {
  readonly id?: NodeId;
  readonly voters?: readonly NodeId[];
  readonly term?: number;
  readonly vote?: NodeId;
  /** Terms of the entries at indexes 1, 2, ... */
  readonly log?: readonly number[];
  readonly commit?: number;
  readonly applied?: number;
  readonly configure?: (c: RaftConfig) => RaftConfig;
}

function entry(index: number, term: number, text = ''): Entry {
  return { index, term, type: 'normal', data: new TextEncoder().encode(text) };
}

/** A node as the host would rebuild it from storage (plain Raft: no pre-vote, no check-quorum). */
function makeNode(options: NodeOptions = {}): RawNode {
  const id = options.id ?? 1;
  const base = { ...defaultRaftConfig(id, new SeededRandom(id)), preVote: false, checkQuorum: false };
  const config = options.configure ? options.configure(base) : base;
  const log = options.log ?? [];
  return new RawNode(config, {
    hardState: { term: options.term ?? (log[log.length - 1] ?? 0), vote: options.vote ?? NONE, commit: options.commit ?? 0 },
    snapshot: { index: 0, term: 0, conf: { voters: [...(options.voters ?? [1, 2, 3])], learners: [] } },
    entries: log.map((term, i) => entry(i + 1, term)),
    applied: options.applied ?? 0,
  });
}

function msg(fields: Partial<Message> & Pick<Message, 'type' | 'from' | 'to' | 'term'>): Message {
  return {
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    rejectHintTerm: 0,
    snapshot: null,
    context: '',
    ...fields,
  };
}

/** Drains every Ready (as a host would: persist, send, apply, advance); returns the messages. */
function drain(node: RawNode): Message[] {
  const out: Message[] = [];
  for (let i = 0; i < 100 && node.hasReady(); i++) {
    const ready = node.ready();
    out.push(...ready.messages);
    node.advance(ready);
  }
  return out;
}

/** Makes node 1 leader of term `term` with followers 2 and 3 whose logs match its own. */
function makeLeader(options: NodeOptions = {}): RawNode {
  const node = makeNode(options);
  node.campaign();
  const term = node.status().term;
  drain(node);
  node.step(msg({ type: 'vote-resp', from: 2, to: 1, term }));
  drain(node);
  return node;
}

describe('Figure 2, all servers', () => {
  test('"If commitIndex > lastApplied: increment lastApplied, apply log[lastApplied] to state machine"', () => {
    const node = makeNode({ log: [1, 1, 1], commit: 3, applied: 1, term: 1 });
    const ready = node.ready();
    expect(ready.committedEntries.map((e) => e.index)).toEqual([2, 3]);
    node.advance(ready);
    expect(node.status().applied).toBe(3);
  });

  test('"If RPC request or response contains term T > currentTerm: set currentTerm = T, convert to follower"', () => {
    const leader = makeLeader({ term: 1 });
    expect(leader.status().role).toBe('leader');
    leader.step(msg({ type: 'app-resp', from: 3, to: 1, term: 7 }));
    expect(leader.status()).toMatchObject({ role: 'follower', term: 7, leader: NONE });
  });
});

describe('Figure 2, followers', () => {
  test('"If election timeout elapses without receiving AppendEntries RPC from current leader ... convert to candidate"', () => {
    const node = makeNode();
    for (let i = 0; i < 15; i++) {
      node.tick();
      node.step(msg({ type: 'heartbeat', from: 2, to: 1, term: 1 })); // the leader keeps talking
    }
    expect(node.status().role).toBe('follower');
    for (let i = 0; i < 20; i++) node.tick();
    expect(node.status().role).toBe('candidate');
  });
});

describe('Figure 2, candidates', () => {
  test('"On conversion to candidate, start election: increment currentTerm, vote for self, send RequestVote RPCs to all other servers"', () => {
    const node = makeNode({ term: 4, log: [1, 4] });
    node.campaign();
    expect(node.status()).toMatchObject({ role: 'candidate', term: 5, vote: 1 });
    const ready = node.ready();
    expect(ready.hardState).toEqual({ term: 5, vote: 1, commit: 0 });
    expect(ready.messages.map((m) => [m.type, m.to, m.term, m.logTerm, m.index])).toEqual([
      ['vote', 2, 5, 4, 2],
      ['vote', 3, 5, 4, 2],
    ]);
  });

  test('"If votes received from majority of servers: become leader"', () => {
    const node = makeNode({ voters: [1, 2, 3, 4, 5] });
    node.campaign();
    node.step(msg({ type: 'vote-resp', from: 2, to: 1, term: 1 }));
    expect(node.status().role).toBe('candidate');
    node.step(msg({ type: 'vote-resp', from: 3, to: 1, term: 1 }));
    expect(node.status().role).toBe('leader');
  });

  test('"If AppendEntries RPC received from new leader: convert to follower"', () => {
    const node = makeNode();
    node.campaign();
    node.step(msg({ type: 'app', from: 3, to: 1, term: 1 }));
    expect(node.status()).toMatchObject({ role: 'follower', term: 1, leader: 3 });
  });

  test('"If election timeout elapses: start new election"', () => {
    const node = makeNode();
    node.campaign();
    for (let i = 0; i < 20; i++) node.tick();
    expect(node.status()).toMatchObject({ role: 'candidate', term: 2 });
  });

  test('"If the term in the RPC is smaller than the candidate\'s current term, then the candidate rejects the RPC and continues in candidate state"', () => {
    const node = makeNode({ term: 3 });
    node.campaign();
    drain(node);
    node.step(msg({ type: 'app', from: 2, to: 1, term: 3, entries: [entry(1, 3)] }));
    expect(node.status()).toMatchObject({ role: 'candidate', term: 4, lastIndex: 0 });
  });
});

describe('Figure 2, leaders', () => {
  test('"Upon election: send initial empty AppendEntries RPCs (heartbeat) to each server; repeat during idle periods"', () => {
    const node = makeNode();
    node.campaign();
    drain(node);
    node.step(msg({ type: 'vote-resp', from: 2, to: 1, term: 1 }));
    const initial = drain(node).filter((m) => m.type === 'app');
    expect(initial.map((m) => m.to)).toEqual([2, 3]);
    node.tick(); // heartbeatTicks 1
    expect(drain(node).map((m) => [m.type, m.to])).toEqual([
      ['heartbeat', 2],
      ['heartbeat', 3],
    ]);
  });

  test('"If command received from client: append entry to local log"', () => {
    const leader = makeLeader();
    expect(leader.propose(new TextEncoder().encode('cmd'))).toEqual({ ok: true, index: 2, term: 1 });
    const ready = leader.ready();
    expect(ready.entries.map((e) => [e.index, e.term])).toEqual([[2, 1]]);
    leader.advance(ready);
  });

  test('"If last log index >= nextIndex for a follower: send AppendEntries RPC with log entries starting at nextIndex"', () => {
    const leader = makeLeader();
    leader.step(msg({ type: 'app-resp', from: 2, to: 1, term: 1, index: 1 }));
    drain(leader);
    leader.propose(new TextEncoder().encode('x'));
    const apps = drain(leader).filter((m) => m.type === 'app' && m.to === 2);
    expect(apps.map((m) => [m.index, m.entries.map((e) => e.index)])).toEqual([[1, [2]]]);
  });

  test('"If successful: update nextIndex and matchIndex for follower"', () => {
    const leader = makeLeader();
    leader.step(msg({ type: 'app-resp', from: 2, to: 1, term: 1, index: 1 }));
    expect(leader.status().progress.find((p) => p.id === 2)).toMatchObject({ match: 1, next: 2 });
  });

  test('"If AppendEntries fails because of log inconsistency: decrement nextIndex and retry"', () => {
    const leader = makeLeader({ term: 3, log: [1, 2, 3] }); // becomes leader of term 4, last index 4
    const before = leader.status().progress.find((p) => p.id === 3);
    expect(before?.next).toBe(4);
    leader.step(msg({ type: 'app-resp', from: 3, to: 1, term: 4, index: 3, reject: true, rejectHint: 2, rejectHintTerm: 2 }));
    expect(leader.status().progress.find((p) => p.id === 3)?.next).toBe(3);
    const retry = drain(leader).filter((m) => m.type === 'app' && m.to === 3);
    expect(retry.map((m) => [m.index, m.logTerm])).toEqual([[2, 2]]);
  });

  test('"If there exists an N such that N > commitIndex, a majority of matchIndex[i] >= N, and log[N].term == currentTerm: set commitIndex = N"', () => {
    const leader = makeLeader({ voters: [1, 2, 3, 4, 5] });
    leader.step(msg({ type: 'vote-resp', from: 3, to: 1, term: 1 }));
    leader.propose(new TextEncoder().encode('x'));
    drain(leader); // leader persisted 1..2
    leader.step(msg({ type: 'app-resp', from: 2, to: 1, term: 1, index: 2 }));
    expect(leader.status().commit).toBe(0);
    leader.step(msg({ type: 'app-resp', from: 3, to: 1, term: 1, index: 1 }));
    expect(leader.status().commit).toBe(1); // 1, 2, 3 hold index 1
    leader.step(msg({ type: 'app-resp', from: 4, to: 1, term: 1, index: 2 }));
    expect(leader.status().commit).toBe(2);
  });
});

describe('Figure 2, AppendEntries receiver', () => {
  test('"Reply false if term < currentTerm"', () => {
    const node = makeNode({ term: 3, configure: (c) => ({ ...c, checkQuorum: true }) });
    node.step(msg({ type: 'app', from: 2, to: 1, term: 2, entries: [entry(1, 2)] }));
    const [reply] = drain(node);
    // The reply carries the newer term, which makes the stale leader step down.
    expect(reply).toMatchObject({ type: 'app-resp', to: 2, term: 3 });
    expect(node.status().lastIndex).toBe(0);
  });

  test('"Reply false if log doesn\'t contain an entry at prevLogIndex whose term matches prevLogTerm"', () => {
    const node = makeNode({ log: [1, 1, 2], term: 2 });
    node.step(msg({ type: 'app', from: 2, to: 1, term: 3, index: 3, logTerm: 3, entries: [entry(4, 3)] }));
    const [reply] = drain(node);
    expect(reply).toMatchObject({ type: 'app-resp', reject: true, index: 3, rejectHint: 3, rejectHintTerm: 2 });
    expect(node.status().lastIndex).toBe(3);
  });

  test('"If an existing entry conflicts with a new one, delete the existing entry and all that follow it"', () => {
    const node = makeNode({ log: [1, 1, 1, 1], term: 1 });
    node.step(msg({ type: 'app', from: 2, to: 1, term: 2, index: 2, logTerm: 1, entries: [entry(3, 2)] }));
    const ready = node.ready();
    expect(ready.entries.map((e) => [e.index, e.term])).toEqual([[3, 2]]); // the host truncates from 3
    node.advance(ready);
    expect(node.status().lastIndex).toBe(3);
  });

  test('"Append any new entries not already in the log"', () => {
    const node = makeNode({ log: [1, 1], term: 1 });
    node.step(msg({ type: 'app', from: 2, to: 1, term: 1, index: 0, logTerm: 0, entries: [entry(1, 1), entry(2, 1), entry(3, 1)] }));
    const ready = node.ready();
    expect(ready.entries.map((e) => e.index)).toEqual([3]);
    expect(ready.messages).toMatchObject([{ type: 'app-resp', index: 3 }]);
    node.advance(ready);
  });

  test('"If leaderCommit > commitIndex, set commitIndex = min(leaderCommit, index of last new entry)"', () => {
    const node = makeNode({ log: [1], term: 1 });
    node.step(msg({ type: 'app', from: 2, to: 1, term: 1, index: 1, logTerm: 1, commit: 9, entries: [entry(2, 1)] }));
    expect(node.status().commit).toBe(2);
  });

  test('"Raft RPCs are idempotent": a duplicate append changes nothing', () => {
    const node = makeNode({ log: [1], term: 1 });
    const append = msg({ type: 'app', from: 2, to: 1, term: 1, index: 1, logTerm: 1, entries: [entry(2, 1)] });
    node.step(append);
    const first = drain(node);
    node.step(append);
    const second = node.ready();
    expect(second.entries).toEqual([]);
    expect(second.messages).toEqual(first.filter((m) => m.type === 'app-resp'));
    node.advance(second);
  });
});

describe('Figure 2, RequestVote receiver', () => {
  test('"Reply false if term < currentTerm"', () => {
    const node = makeNode({ term: 5 });
    node.step(msg({ type: 'vote', from: 2, to: 1, term: 4 }));
    expect(drain(node)).toEqual([]); // ignored rather than answered: the stale candidate gains nothing
    expect(node.status()).toMatchObject({ term: 5, vote: NONE });
  });

  test('"If votedFor is null or candidateId, and candidate\'s log is at least as up-to-date as receiver\'s log, grant vote"', () => {
    const node = makeNode({ log: [1, 2], term: 2 });
    node.step(msg({ type: 'vote', from: 2, to: 1, term: 3, index: 2, logTerm: 2 }));
    expect(drain(node)).toMatchObject([{ type: 'vote-resp', to: 2, term: 3, reject: false }]);
    node.step(msg({ type: 'vote', from: 2, to: 1, term: 3, index: 2, logTerm: 2 })); // same candidate again
    expect(drain(node)).toMatchObject([{ type: 'vote-resp', to: 2, reject: false }]);
  });

  test('"the voter denies its vote if its own log is more up-to-date than that of the candidate" (5.4.1)', () => {
    for (const [index, logTerm] of [
      [5, 1], // lower last term, longer log
      [1, 2], // same last term, shorter log
    ]) {
      const node = makeNode({ log: [1, 2], term: 2 });
      node.step(msg({ type: 'vote', from: 2, to: 1, term: 3, index, logTerm }));
      expect(drain(node)).toMatchObject([{ type: 'vote-resp', reject: true }]);
    }
  });
});

describe('Section 5.2', () => {
  test('"Each server will vote for at most one candidate in a given term, on a first-come-first-served basis"', () => {
    const node = makeNode({ voters: [1, 2, 3, 4, 5] });
    node.step(msg({ type: 'vote', from: 2, to: 1, term: 1 }));
    node.step(msg({ type: 'vote', from: 3, to: 1, term: 1 }));
    expect(drain(node).map((m) => [m.to, m.reject])).toEqual([
      [2, false],
      [3, true],
    ]);
    expect(node.status().vote).toBe(2);
  });

  test('"A candidate wins an election if it receives votes from a majority of the servers in the full cluster for the same term"', () => {
    const node = makeNode({ voters: [1, 2, 3, 4, 5] });
    node.campaign();
    node.step(msg({ type: 'vote-resp', from: 2, to: 1, term: 1 }));
    node.step(msg({ type: 'vote-resp', from: 2, to: 1, term: 1 })); // the same voter twice counts once
    node.step(msg({ type: 'vote-resp', from: 9, to: 1, term: 1 })); // not a member
    expect(node.status().role).toBe('candidate');
    node.step(msg({ type: 'vote-resp', from: 3, to: 1, term: 1 }));
    expect(node.status().role).toBe('leader');
  });
});
