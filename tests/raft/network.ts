// A tiny in-memory network of RawNodes for the Raft core's tests. Each node has a stable store
// (what a host would have persisted) and a state machine (the list of applied payloads), so
// that crash + restart and snapshot install can be exercised. Messages wait in one queue
// until delivered; tests deliver, drop, partition and stabilize explicitly. Everything is
// synchronous and bounded.

import {
  NONE,
  RawNode,
  applyConfChange,
  decodeConfChange,
  defaultRaftConfig,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type NodeId,
  type RaftConfig,
  type ReadState,
  type Ready,
  type Snapshot,
} from '../../server/raft';
import { SeededRandom } from '../../server/util/random';

/** Rounds of (drain every Ready, deliver every message) before `stabilize` gives up. */
const stabilizeRoundsMax = 2_000;
/** Readies drained from one node in one round (a node that never goes quiet is a bug). */
const readiesPerNodeMax = 1_000;

export interface AppliedEntry {
  readonly index: number;
  readonly term: number;
  readonly text: string;
}

/** What a host would hold on disk for one node. */
export interface StableStore {
  hardState: HardState;
  snapshot: Snapshot;
  entries: Entry[];
}

export interface TestNode {
  readonly id: NodeId;
  raw: RawNode;
  config: RaftConfig;
  store: StableStore;
  /** The state machine: applied normal entries (no-ops included, with text ''), in order. */
  applied: AppliedEntry[];
  appliedIndex: number;
  readStates: ReadState[];
  /** Every Ready this node produced (for tests of the Ready contract). */
  readies: Ready[];
  alive: boolean;
}

export interface NetworkOptions {
  readonly voters: readonly NodeId[];
  readonly learners?: readonly NodeId[];
  readonly seed?: number;
  /** Adjusts each node's config (defaults: electionTicks 10, heartbeatTicks 1). */
  readonly configure?: (config: RaftConfig) => RaftConfig;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export class Network {
  readonly nodes = new Map<NodeId, TestNode>();
  /** Sent, not yet delivered. */
  queue: Message[] = [];
  /** Every message ever delivered (tests count round trips with it). */
  readonly delivered: Message[] = [];
  /** Election safety, checked on every Ready that announces a leader (leadership that was
   *  never persisted, say a lone voter that crashed right after winning, does not count). */
  readonly leaderOfTerm = new Map<number, NodeId>();
  /** Snapshots installed from 'snap' messages, over all nodes. */
  snapshotsInstalled = 0;
  /** Record every delivered message and Ready (off for long randomized runs). */
  recording = true;
  private readonly cuts = new Set<string>();
  private readonly random: SeededRandom;
  private readonly configure: (config: RaftConfig) => RaftConfig;

  constructor(options: NetworkOptions) {
    this.random = new SeededRandom(options.seed ?? 1);
    this.configure = options.configure ?? ((c) => c);
    const conf: ConfState = { voters: [...options.voters], learners: [...(options.learners ?? [])] };
    for (const id of [...conf.voters, ...conf.learners]) this.addNode(id, conf);
  }

  /** Adds a node with a fresh store; `conf` is its initial configuration (empty for a
   *  node that joins an existing cluster). */
  addNode(id: NodeId, conf: ConfState = { voters: [], learners: [] }): TestNode {
    const config = this.configure({
      ...defaultRaftConfig(id, this.random.fork()),
      electionTicks: 10,
      heartbeatTicks: 1,
    });
    const store: StableStore = {
      hardState: { term: 0, vote: NONE, commit: 0 },
      snapshot: { meta: { index: 0, term: 0, conf }, data: encodeState([]) },
      entries: [],
    };
    const node: TestNode = {
      id,
      raw: new RawNode(config, { hardState: store.hardState, snapshot: store.snapshot.meta, entries: [], applied: 0 }),
      config,
      store,
      applied: [],
      appliedIndex: 0,
      readStates: [],
      readies: [],
      alive: true,
    };
    this.nodes.set(id, node);
    return node;
  }

  node(id: NodeId): TestNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  raw(id: NodeId): RawNode {
    return this.node(id).raw;
  }

  // --- faults ---

  /** Blocks messages between a and b (both directions). */
  cut(a: NodeId, b: NodeId): void {
    this.cuts.add(`${a}-${b}`);
    this.cuts.add(`${b}-${a}`);
  }

  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) if (other !== id) this.cut(id, other);
  }

  heal(): void {
    this.cuts.clear();
  }

  /** Crash: the node stops; its store survives; messages from and to it are lost. */
  stop(id: NodeId): void {
    this.node(id).alive = false;
    this.drop((m) => m.to === id || m.from === id);
  }

  /** Rebuilds the node from its stable store, as a host does after a crash. */
  restart(id: NodeId): void {
    const node = this.node(id);
    const { store } = node;
    node.raw = new RawNode(node.config, {
      hardState: store.hardState,
      snapshot: store.snapshot.meta,
      entries: store.entries.slice(),
      applied: store.snapshot.meta.index,
    });
    node.applied = decodeState(store.snapshot.data);
    node.appliedIndex = store.snapshot.meta.index;
    node.alive = true;
  }

  // --- driving ---

  tick(id: NodeId, times = 1): void {
    for (let i = 0; i < times; i++) this.node(id).raw.tick();
  }

  /** Ticks every live node `times` times, stabilizing after each tick. */
  tickAll(times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const node of this.nodes.values()) if (node.alive) node.raw.tick();
      this.stabilize();
    }
  }

  /** Ticks every live node (stabilizing in between) until `done()`; throws after `maxTicks`. */
  tickUntil(done: () => boolean, maxTicks: number, onTimeout?: () => void): number {
    for (let ticks = 0; ticks < maxTicks; ticks++) {
      if (done()) return ticks;
      this.tickAll(1);
    }
    if (done()) return maxTicks;
    onTimeout?.();
    throw new Error(`condition not reached within ${maxTicks} ticks`);
  }

  /** Drains one node's Readies: persist, queue messages, apply, advance. */
  flush(id: NodeId): number {
    const node = this.node(id);
    let count = 0;
    while (node.alive && node.raw.hasReady()) {
      if (count >= readiesPerNodeMax) throw new Error(`node ${id} never goes quiet`);
      this.handleReady(node, node.raw.ready());
      count++;
    }
    return count;
  }

  flushAll(): void {
    for (const id of this.nodes.keys()) this.flush(id);
  }

  /** Delivers queued messages matching `filter` (all by default) once, in order; messages
   *  they cause are queued, not delivered. Returns how many were delivered. */
  deliver(filter: (m: Message) => boolean = () => true): number {
    const now = this.queue;
    this.queue = [];
    let count = 0;
    for (const m of now) {
      if (!filter(m)) {
        this.queue.push(m);
        continue;
      }
      if (this.transmit(m)) count++;
    }
    return count;
  }

  /** Delivers (or, when blocked, loses) the queued message at `position`. */
  deliverAt(position: number): void {
    const [m] = this.queue.splice(position, 1);
    if (m === undefined) throw new Error(`no queued message at ${position}`);
    this.transmit(m);
  }

  /** Loses the queued message at `position`. */
  dropAt(position: number): void {
    const [m] = this.queue.splice(position, 1);
    if (m === undefined) throw new Error(`no queued message at ${position}`);
    this.lose(m);
  }

  /** Removes queued messages matching `filter`; returns how many. */
  drop(filter: (m: Message) => boolean): number {
    const kept: Message[] = [];
    let dropped = 0;
    for (const m of this.queue) {
      if (filter(m)) {
        this.lose(m);
        dropped++;
      } else {
        kept.push(m);
      }
    }
    this.queue = kept;
    return dropped;
  }

  /** Drains Readies and delivers messages until nothing is left to do. */
  stabilize(): void {
    for (let round = 0; round < stabilizeRoundsMax; round++) {
      this.flushAll();
      if (this.queue.length === 0) return;
      this.deliver();
    }
    throw new Error(`network did not stabilize within ${stabilizeRoundsMax} rounds`);
  }

  // --- conveniences ---

  campaign(id: NodeId): void {
    this.raw(id).campaign();
    this.stabilize();
  }

  /** Proposes on `id`; returns the propose result (the network is not stabilized). */
  propose(id: NodeId, text: string): ReturnType<RawNode['propose']> {
    return this.raw(id).propose(bytes(text));
  }

  /** The live leader with the highest term, or NONE. */
  leader(): NodeId {
    let best: NodeId = NONE;
    let bestTerm = -1;
    for (const node of this.nodes.values()) {
      const status = node.raw.status();
      if (node.alive && status.role === 'leader' && status.term > bestTerm) {
        best = node.id;
        bestTerm = status.term;
      }
    }
    return best;
  }

  /** Compacts a node's log at `index` after snapshotting its state machine there. */
  compact(id: NodeId, index: number): void {
    const node = this.node(id);
    if (index > node.appliedIndex) throw new Error(`cannot snapshot ${index} above applied ${node.appliedIndex}`);
    const meta = { index, term: this.storedTerm(node, index), conf: this.confAt(node, index) };
    node.raw.compact(index);
    node.store.snapshot = { meta, data: encodeState(node.applied.filter((a) => a.index <= index)) };
    node.store.entries = node.store.entries.filter((e) => e.index > index);
  }

  /** Texts applied on a node, in order (no-op entries left out). */
  texts(id: NodeId): string[] {
    return this.node(id).applied.filter((a) => a.text !== '').map((a) => a.text);
  }

  /** Throws unless every pair of nodes applied the same entry at every index both applied. */
  checkAppliedAgree(): void {
    const byIndex = new Map<number, AppliedEntry>();
    for (const node of this.nodes.values()) {
      for (const entry of node.applied) {
        const seen = byIndex.get(entry.index);
        if (seen === undefined) byIndex.set(entry.index, entry);
        else if (seen.term !== entry.term || seen.text !== entry.text) {
          throw new Error(`state machines disagree at ${entry.index}: ${JSON.stringify(seen)} vs ${JSON.stringify(entry)}`);
        }
      }
    }
  }

  // --- internals ---

  /** Steps `m` into its target unless the network blocks it. A snapshot's sender learns the
   *  outcome (the transport's job: reportSnapshot for every 'snap', ok or not). */
  private transmit(m: Message): boolean {
    if (this.blocked(m)) {
      this.lose(m);
      return false;
    }
    if (this.recording) this.delivered.push(m);
    this.node(m.to).raw.step(m);
    if (m.type === 'snap') this.reportToSender(m, true);
    return true;
  }

  private lose(m: Message): void {
    if (m.type === 'snap') this.reportToSender(m, false);
  }

  private reportToSender(m: Message, ok: boolean): void {
    const sender = this.nodes.get(m.from);
    if (sender !== undefined && sender.alive) sender.raw.reportSnapshot(m.to, ok);
  }

  private blocked(m: Message): boolean {
    const target = this.nodes.get(m.to);
    return target === undefined || !target.alive || this.cuts.has(`${m.from}-${m.to}`);
  }

  private handleReady(node: TestNode, ready: Ready): void {
    if (this.recording) node.readies.push(ready);
    this.persist(node.store, ready);
    if (ready.softState?.role === 'leader') {
      const term = node.store.hardState.term;
      const known = this.leaderOfTerm.get(term);
      if (known !== undefined && known !== node.id) throw new Error(`two leaders in term ${term}: ${known}, ${node.id}`);
      this.leaderOfTerm.set(term, node.id);
    }
    for (const m of ready.messages) {
      // The host fills a snapshot's data from its snapshot store. If it compacted further
      // since the core asked, it sends its newer snapshot (meta and data together).
      if (m.type === 'snap' && m.snapshot !== null) {
        if (m.snapshot.meta.index > node.store.snapshot.meta.index) {
          throw new Error(`snap for ${m.snapshot.meta.index}, store has ${node.store.snapshot.meta.index}`);
        }
        this.queue.push({ ...m, snapshot: node.store.snapshot });
      } else {
        this.queue.push(m);
      }
    }
    if (ready.snapshot !== null) {
      this.snapshotsInstalled++;
      node.applied = decodeState(ready.snapshot.data);
      node.appliedIndex = ready.snapshot.meta.index;
    }
    for (const entry of ready.committedEntries) {
      if (entry.index !== node.appliedIndex + 1) {
        throw new Error(`node ${node.id} applies ${entry.index} after ${node.appliedIndex}`);
      }
      if (entry.type === 'normal') {
        node.applied.push({ index: entry.index, term: entry.term, text: decoder.decode(entry.data) });
      }
      node.appliedIndex = entry.index;
    }
    node.readStates.push(...ready.readStates);
    node.raw.advance(ready);
  }

  private persist(store: StableStore, ready: Ready): void {
    if (ready.snapshot !== null) {
      store.snapshot = ready.snapshot;
      store.entries = [];
    }
    const first = ready.entries[0];
    if (first !== undefined) {
      const keep = first.index - store.snapshot.meta.index - 1;
      if (keep < 0 || keep > store.entries.length) throw new Error(`stored log gap at ${first.index}`);
      store.entries.length = keep;
      store.entries.push(...ready.entries);
    }
    if (ready.hardState !== null) store.hardState = ready.hardState;
  }

  private storedTerm(node: TestNode, index: number): number {
    if (index === node.store.snapshot.meta.index) return node.store.snapshot.meta.term;
    const entry = node.store.entries.find((e) => e.index === index);
    if (entry === undefined) throw new Error(`node ${node.id} has no stored entry ${index}`);
    return entry.term;
  }

  /** The configuration as of `index`, replayed from the stored snapshot and entries. */
  private confAt(node: TestNode, index: number): ConfState {
    let conf = node.store.snapshot.meta.conf;
    for (const entry of node.store.entries) {
      if (entry.index > index) break;
      if (entry.type !== 'conf-change') continue;
      const outcome = applyConfChange(conf, decodeConfChange(entry.data));
      if (!outcome.ok) throw new Error(`stored conf change at ${entry.index}: ${outcome.problem}`);
      conf = outcome.conf;
    }
    return conf;
  }
}

function encodeState(applied: readonly AppliedEntry[]): Uint8Array {
  return encoder.encode(JSON.stringify(applied));
}

function decodeState(data: Uint8Array): AppliedEntry[] {
  return JSON.parse(decoder.decode(data)) as AppliedEntry[];
}
