// Everything a simulated run is made of, derived from one seed: cluster size, Raft timings
// and limits, network and disk behaviour, fault rates, workload shape and phase lengths.
// A `--bug` shifts the fault mix towards the pattern that exposes that defect.

import type { RaftBug, ReadOnlyOption } from '../../server/raft/types';
import { assert, unreachable } from '../../server/util/assert';
import { SeededRandom } from '../../server/util/random';
import type { NetworkParams } from './network';
import type { PartitionKind } from './partition';

export const simBugs: readonly RaftBug[] = [
  'commit-old-term',
  'vote-any-log',
  'read-without-quorum',
  'no-persist-before-send',
];

export function isSimBug(name: string): name is RaftBug {
  return (simBugs as readonly string[]).includes(name);
}

export interface RaftTuning {
  readonly readOnlyOption: ReadOnlyOption;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly maxInflightMsgs: number;
  readonly maxInflightBytes: number;
  readonly maxMsgBytes: number;
  readonly maxUncommittedBytes: number;
  readonly maxEntryBytes: number;
  readonly maxApplyBytes: number;
}

export interface DiskParams {
  readonly fastLatencyMaxUnits: number;
  readonly slowLatencyMinUnits: number;
  readonly slowLatencyMaxUnits: number;
}

export interface FaultParams {
  /** How often the nemesis considers injecting a fault. */
  readonly nemesisIntervalUnits: number;
  readonly crashChance: number;
  readonly leaderCrashChance: number;
  readonly downtimeMinUnits: number;
  readonly downtimeMaxUnits: number;
  readonly partitionChance: number;
  readonly partitionKinds: readonly PartitionKind[];
  /** Of partitions, the share that isolates the current leader (stale leader scenarios). */
  readonly isolateLeaderShare: number;
  readonly partitionMinUnits: number;
  readonly partitionMaxUnits: number;
  readonly slowDiskChance: number;
  readonly membershipChance: number;
  readonly transferChance: number;
  /** Chance that a node which just became leader is crashed or cut off shortly after, within
   *  `ambushDelayMaxUnits` (leaves its new term's entries on a minority). */
  readonly leaderAmbushChance: number;
  readonly ambushDelayMaxUnits: number;
  /** Chance, per disk write, of a crash just before or just after it lands. */
  readonly crashPointChance: number;
  /** Chance that a leader crashes right after persisting a commit advance, before telling
   *  anyone (Raft figure 8's crash). */
  readonly leaderCommitCrashChance: number;
  /** Chance that a new leader crashes right after persisting its first Ready (its term's
   *  first entry is durable on it alone). */
  readonly leaderElectedCrashChance: number;
}

export interface WorkloadParams {
  readonly clientCount: number;
  readonly keyCount: number;
  /** Operations on one key before it is retired for a fresh one (bounds each key's history). */
  readonly opsPerKeyMax: number;
  /** Logical operations per client in the safety phase (each may take several attempts). */
  readonly opsPerClientMax: number;
  readonly attemptsMax: number;
  readonly thinkMaxUnits: number;
  readonly opTimeoutUnits: number;
  readonly readShare: number;
  readonly casShare: number;
  /** Chance that a client sends to the leader it last heard of rather than a random node. */
  readonly stickyLeaderChance: number;
  readonly clientDelayMaxUnits: number;
}

export interface SimConfig {
  readonly seed: number;
  readonly bug: RaftBug | null;
  readonly nodeCount: number;
  /** Ids 1..nodeIdsMax exist; ids above nodeCount join later as learners. */
  readonly nodeIdsMax: number;
  readonly tickUnits: number;
  readonly raft: RaftTuning;
  readonly compactEveryEntries: number;
  readonly network: NetworkParams;
  readonly calmNetwork: NetworkParams;
  readonly disk: DiskParams;
  readonly faults: FaultParams;
  readonly workload: WorkloadParams;
  readonly safetySteps: number;
  readonly livenessTicksMax: number;
  readonly livenessOpsPerClient: number;
  readonly linearizabilityStepsMax: number;
  readonly eventsMax: number;
}

export interface ConfigOverrides {
  readonly safetySteps?: number;
}

function pick<T>(random: SeededRandom, items: readonly T[]): T {
  assert(items.length > 0, 'pick from an empty list');
  return items[random.nextInt(items.length)];
}

function between(random: SeededRandom, min: number, max: number): number {
  assert(max >= min, `between: ${min} > ${max}`);
  return min + random.nextInt(max - min + 1);
}

function deriveRaft(random: SeededRandom): RaftTuning {
  const electionTicks = between(random, 8, 14);
  const checkQuorum = random.chance(0.8);
  return {
    // Lease reads need check-quorum, and clocks that drift less than the lease's margin
    // (the simulation gives such seeds equal tick periods).
    readOnlyOption: checkQuorum && random.chance(0.25) ? 'lease-based' : 'safe',
    electionTicks,
    heartbeatTicks: between(random, 1, 3),
    preVote: random.chance(0.8),
    checkQuorum,
    maxInflightMsgs: between(random, 1, 8),
    maxInflightBytes: pick(random, [1024, 16 * 1024, 1024 * 1024]),
    maxMsgBytes: pick(random, [64, 256, 4096]),
    maxUncommittedBytes: pick(random, [2048, 64 * 1024]),
    maxEntryBytes: 4096,
    maxApplyBytes: pick(random, [128, 4096, 64 * 1024]),
  };
}

function deriveNetwork(random: SeededRandom): NetworkParams {
  const delayMaxUnits = between(random, 2, 12);
  return {
    delayMinUnits: 1,
    delayMaxUnits,
    longDelayChance: pick(random, [0, 0.01, 0.05]),
    longDelayMaxUnits: delayMaxUnits * between(random, 3, 12),
    lossRate: pick(random, [0, 0.01, 0.05, 0.15]),
    duplicateRate: pick(random, [0, 0.01, 0.05]),
  };
}

function deriveFaults(random: SeededRandom, tickUnits: number, electionTicks: number): FaultParams {
  const electionUnits = electionTicks * tickUnits;
  return {
    nemesisIntervalUnits: between(random, 2, 6) * tickUnits,
    crashChance: pick(random, [0, 0.02, 0.05, 0.1]),
    leaderCrashChance: pick(random, [0, 0.02, 0.05]),
    downtimeMinUnits: tickUnits,
    downtimeMaxUnits: electionUnits * between(random, 1, 4),
    partitionChance: pick(random, [0, 0.05, 0.1, 0.2]),
    partitionKinds: ['isolate', 'split', 'bridge', 'mute', 'deafen'],
    isolateLeaderShare: 0.3,
    partitionMinUnits: electionUnits,
    partitionMaxUnits: electionUnits * between(random, 2, 5),
    slowDiskChance: pick(random, [0, 0.05, 0.2]),
    membershipChance: pick(random, [0, 0.05, 0.1]),
    transferChance: pick(random, [0, 0.02]),
    crashPointChance: pick(random, [0, 0.001, 0.005]),
    leaderCommitCrashChance: pick(random, [0, 0.002, 0.01]),
    leaderElectedCrashChance: pick(random, [0, 0.01, 0.05]),
    leaderAmbushChance: pick(random, [0, 0, 0.1, 0.3]),
    ambushDelayMaxUnits: between(random, 0, 3) * tickUnits,
  };
}

function deriveWorkload(random: SeededRandom, tickUnits: number, electionTicks: number): WorkloadParams {
  return {
    clientCount: between(random, 2, 5),
    keyCount: between(random, 1, 3),
    opsPerKeyMax: between(random, 20, 60),
    opsPerClientMax: 300,
    attemptsMax: 4,
    thinkMaxUnits: between(random, 1, 4) * tickUnits,
    opTimeoutUnits: 3 * electionTicks * tickUnits,
    readShare: 0.4,
    casShare: 0.25,
    stickyLeaderChance: 0.7,
    clientDelayMaxUnits: 3,
  };
}

export function deriveSimConfig(seed: number, bug: RaftBug | null, overrides: ConfigOverrides = {}): SimConfig {
  const random = new SeededRandom(seed ^ 0x5eed5eed);
  const tickUnits = 10;
  const nodeCount = random.chance(0.5) ? 3 : 5;
  const raft = deriveRaft(random);
  const base: SimConfig = {
    seed,
    bug,
    nodeCount,
    nodeIdsMax: nodeCount + 3,
    tickUnits,
    raft,
    compactEveryEntries: pick(random, [4, 16, 64, 100_000]),
    network: deriveNetwork(random),
    calmNetwork: { delayMinUnits: 1, delayMaxUnits: 4, longDelayChance: 0, longDelayMaxUnits: 4, lossRate: 0, duplicateRate: 0 },
    disk: { fastLatencyMaxUnits: between(random, 0, 2), slowLatencyMinUnits: 10, slowLatencyMaxUnits: 80 },
    faults: deriveFaults(random, tickUnits, raft.electionTicks),
    workload: deriveWorkload(random, tickUnits, raft.electionTicks),
    safetySteps: between(random, 10000, 24000),
    livenessTicksMax: raft.electionTicks * 40,
    livenessOpsPerClient: 2,
    linearizabilityStepsMax: 2_000_000,
    eventsMax: 200_000,
  };
  const shaped = bug === null ? base : shapeForBug(base, bug, random);
  return overrides.safetySteps === undefined ? shaped : { ...shaped, safetySteps: overrides.safetySteps };
}

/** Each defect needs a particular pattern of faults to show; make that pattern common.
 *  Membership changes are off in these runs: they only dilute the pattern. */
function shapeForBug(config: SimConfig, bug: RaftBug, random: SeededRandom): SimConfig {
  const faults = { ...config.faults, membershipChance: 0 };
  switch (bug) {
    case 'commit-old-term': {
      // Raft figure 8: five nodes; a leader crashes right after its election is durable (its
      // term's entry stays on it alone) or right after a commit advance (before anyone hears
      // of it); lossy links and leader crashes make competing terms; one tiny message in
      // flight makes a leader replicate an older term's entry alone, so that it may count it
      // committed before its own entry follows. Partitions only slowed this down.
      const electionUnits = config.raft.electionTicks * config.tickUnits;
      return {
        ...config,
        nodeCount: 5,
        nodeIdsMax: 5,
        raft: { ...config.raft, maxMsgBytes: 1, maxInflightMsgs: 1, preVote: false },
        workload: { ...config.workload, clientCount: 5, thinkMaxUnits: config.tickUnits, readShare: 0.1 },
        safetySteps: config.safetySteps * 2,
        network: { ...config.network, lossRate: 0.15 },
        faults: {
          ...faults,
          nemesisIntervalUnits: 2 * config.tickUnits,
          leaderCrashChance: 0.15,
          crashChance: 0.05,
          downtimeMaxUnits: electionUnits * 2,
          partitionChance: 0,
          crashPointChance: 0.01,
          leaderCommitCrashChance: 0.5,
          leaderElectedCrashChance: 0.3,
          leaderAmbushChance: 0.4,
          ambushDelayMaxUnits: config.tickUnits,
        },
      };
    }
    case 'vote-any-log':
      // A node falls behind while cut off, then the leader dies as the node returns.
      return {
        ...config,
        raft: { ...config.raft, preVote: random.chance(0.5) },
        faults: { ...faults, partitionChance: 0.3, partitionKinds: ['isolate', 'split'], isolateLeaderShare: 0, leaderCrashChance: 0.15 },
      };
    case 'read-without-quorum':
      // An old leader cut off from the rest keeps serving reads while a new one commits.
      return {
        ...config,
        raft: { ...config.raft, checkQuorum: random.chance(0.3), readOnlyOption: 'safe' },
        faults: { ...faults, partitionChance: 0.3, partitionKinds: ['isolate', 'split'], isolateLeaderShare: 0.7 },
        workload: { ...config.workload, clientCount: 4, stickyLeaderChance: 0.5, keyCount: 1 },
      };
    case 'no-persist-before-send':
      // Votes and acks go out before they are durable; slow disks widen the window to crash.
      return {
        ...config,
        disk: { ...config.disk, slowLatencyMinUnits: 20, slowLatencyMaxUnits: 120 },
        faults: { ...faults, slowDiskChance: 0.5, crashChance: 0.2, leaderCrashChance: 0.1, crashPointChance: 0 },
      };
    default:
      return unreachable(bug, 'unknown bug');
  }
}
