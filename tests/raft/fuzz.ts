// Randomized runs of whole clusters against the core: a safety phase with message loss,
// reordering, partitions, crashes, compaction, reads, transfers and membership changes,
// then a liveness phase that heals everything and demands convergence. One seed, one run.
// Checked throughout: one leader per term (by the Network, on every Ready), state machines
// agree, reads are not stale.
// Nodes 1-3 start as the cluster; 4 and 5 start empty and can be added by conf changes.

import { NONE, type ConfChangeType, type NodeId, type RaftBug } from '../../server/raft';
import { SeededRandom } from '../../server/util/random';
import { Network, bytes, type TestNode } from './network';

const safetyStepsMax = 3_000;
const livenessTicksMax = 600;
const nodeIds: readonly NodeId[] = [1, 2, 3, 4, 5];
const confChangeTypes: readonly ConfChangeType[] = ['add-learner', 'promote-learner', 'remove-node'];

export interface Mode {
  readonly preVote: boolean;
  /** Lease-based reads; every tick then ticks all nodes at once (leases assume bounded drift). */
  readonly lease: boolean;
  readonly bugs?: readonly RaftBug[];
}

export interface RunResult {
  readonly proposals: number;
  readonly reads: number;
  readonly leaders: number;
  readonly confChanges: number;
  readonly snapshots: number;
  readonly committed: number;
}

type Action = (run: FuzzRun, node: TestNode) => void;

/** Weighted actions of the safety phase (weights are out of their sum). */
const ACTIONS: readonly (readonly [number, Action])[] = [
  [38, (run) => run.deliverOne()],
  [3, (run) => run.dropOne()],
  [16, (run, node) => run.tick(node)],
  [14, (run, node) => run.net.flush(node.id)],
  [12, (run, node) => run.propose(node)],
  [2, (run, node) => run.net.isolate(node.id)],
  [3, (run) => run.net.heal()],
  [1, (run, node) => run.crash(node)],
  [2, (run, node) => run.compact(node)],
  [4, (run, node) => run.read(node)],
  [1, (run, node) => run.transfer(node)],
  [2, (run, node) => run.changeConf(node)],
  [1, (run, node) => run.campaign(node)],
  [1, (run, node) => run.reportUnreachable(node)],
];
const ACTION_WEIGHTS = ACTIONS.reduce((sum, [weight]) => sum + weight, 0);

class FuzzRun {
  readonly random: SeededRandom;
  readonly net: Network;
  /** Read context -> the highest applied index anywhere when the read was requested. */
  private readonly readFloors = new Map<string, number>();
  private step = 0;
  proposals = 0;
  reads = 0;
  confChanges = 0;

  constructor(
    readonly seed: number,
    readonly mode: Mode,
  ) {
    this.random = new SeededRandom(seed);
    const random = this.random;
    const checkQuorum = mode.preVote || mode.lease || random.chance(0.5);
    const limits = {
      electionTicks: 5 + random.nextInt(10),
      maxInflightMsgs: 1 + random.nextInt(8),
      maxInflightBytes: 8 + random.nextInt(64),
      maxMsgBytes: 4 + random.nextInt(32),
      maxUncommittedBytes: 16 + random.nextInt(256),
      maxApplyBytes: 4 + random.nextInt(64),
    };
    this.net = new Network({
      voters: [1, 2, 3],
      seed,
      configure: (c) => ({
        ...c,
        ...limits,
        heartbeatTicks: 1 + random.nextInt(2),
        preVote: mode.preVote,
        checkQuorum,
        readOnlyOption: mode.lease ? 'lease-based' : 'safe',
        bugs: new Set(mode.bugs ?? []),
      }),
    });
    this.net.recording = false;
    this.net.addNode(4);
    this.net.addNode(5);
  }

  // --- actions ---

  deliverOne(): void {
    if (this.net.queue.length > 0) this.net.deliverAt(this.random.nextInt(this.net.queue.length));
  }

  dropOne(): void {
    if (this.net.queue.length > 0) this.net.dropAt(this.random.nextInt(this.net.queue.length));
  }

  tick(node: TestNode): void {
    if (!this.mode.lease) {
      if (node.alive) node.raw.tick();
      return;
    }
    for (const each of this.net.nodes.values()) if (each.alive) each.raw.tick();
  }

  /** Mostly on the leader, sometimes anywhere (drops are part of the test). */
  propose(node: TestNode): void {
    const leader = this.net.leader();
    const target = leader !== NONE && this.random.chance(0.8) ? this.net.node(leader) : node;
    if (target.alive && target.raw.propose(bytes(`p${this.seed}-${this.step}`)).ok) this.proposals++;
  }

  crash(node: TestNode): void {
    this.net.stop(node.id);
    this.net.restart(node.id);
  }

  compact(node: TestNode): void {
    const first = node.raw.status().firstIndex;
    if (!node.alive || node.appliedIndex < first) return;
    this.net.compact(node.id, first + this.random.nextInt(node.appliedIndex - first + 1));
  }

  read(node: TestNode): void {
    const context = `r${this.seed}-${this.step}`;
    this.readFloors.set(context, this.maxApplied());
    if (node.alive && node.raw.readIndex(context).ok) this.reads++;
  }

  transfer(node: TestNode): void {
    if (node.alive) node.raw.transferLeadership(this.pickNode());
  }

  changeConf(node: TestNode): void {
    const type = confChangeTypes[this.random.nextInt(confChangeTypes.length)] as ConfChangeType;
    const leader = this.net.leader();
    const proposer = leader !== NONE ? this.net.node(leader) : node;
    if (proposer.alive && proposer.raw.proposeConfChange({ type, nodeId: this.pickNode() }).ok) this.confChanges++;
  }

  campaign(node: TestNode): void {
    if (node.alive) node.raw.campaign();
  }

  reportUnreachable(node: TestNode): void {
    if (node.alive) node.raw.reportUnreachable(this.pickNode());
  }

  // --- phases ---

  safetyPhase(): void {
    for (this.step = 0; this.step < safetyStepsMax; this.step++) {
      const node = this.net.node(this.pickNode());
      let dice = this.random.nextInt(ACTION_WEIGHTS);
      for (const [weight, action] of ACTIONS) {
        if (dice < weight) {
          action(this, node);
          break;
        }
        dice -= weight;
      }
      this.checkReads();
    }
    this.net.checkAppliedAgree();
  }

  /** Heal and restart everything; one leader must get a new entry applied on every member. */
  livenessPhase(onStuck?: (net: Network) => void): void {
    const net = this.net;
    net.heal();
    for (const node of net.nodes.values()) if (!node.alive) net.restart(node.id);
    const marker = `final-${this.seed}`;
    let markerTerm = 0; // the term the marker was last proposed in (a new leader may lack it)
    const done = (): boolean => {
      const leader = net.leader();
      if (leader === NONE) return false;
      const status = net.raw(leader).status();
      if (markerTerm !== status.term) {
        if (net.raw(leader).propose(bytes(marker)).ok) markerTerm = status.term;
        return false;
      }
      return [...status.conf.voters, ...status.conf.learners].every((m) => net.texts(m).includes(marker));
    };
    net.tickUntil(done, livenessTicksMax, () => onStuck?.(net));
    net.checkAppliedAgree();
    this.checkReads();
  }

  result(): RunResult {
    return {
      proposals: this.proposals,
      reads: this.reads,
      leaders: this.net.leaderOfTerm.size,
      confChanges: this.confChanges,
      snapshots: this.net.snapshotsInstalled,
      committed: this.maxApplied(),
    };
  }

  // --- checks ---

  private checkReads(): void {
    for (const node of this.net.nodes.values()) {
      for (const state of node.readStates) {
        const floor = this.readFloors.get(state.context);
        if (floor === undefined) throw new Error(`unknown read ${state.context}`);
        if (state.index < floor) throw new Error(`stale read ${state.context}: ${state.index} < ${floor}`);
      }
      node.readStates = [];
    }
  }

  private maxApplied(): number {
    let max = 0;
    for (const node of this.net.nodes.values()) max = Math.max(max, node.appliedIndex);
    return max;
  }

  private pickNode(): NodeId {
    return nodeIds[this.random.nextInt(nodeIds.length)] as NodeId;
  }
}

/** One randomized run; throws on the first broken check. */
export function runSeed(seed: number, mode: Mode, onStuck?: (net: Network) => void): RunResult {
  const run = new FuzzRun(seed, mode);
  run.safetyPhase();
  run.livenessPhase(onStuck);
  return run.result();
}
