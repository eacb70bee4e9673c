// One deterministic simulated run: N production Raft cores (`RawNode`) in one process, each
// behind a simulated host (sim-node.ts) with a simulated disk, joined by a simulated network,
// driven by simulated clients and a nemesis. Everything comes from the seed's SimConfig.
//
// Phases: a safety phase with faults for `safetySteps` steps, then a liveness phase that heals
// the network, restores disks, restarts nodes, and demands that a leader emerges, every
// client completes its last operations, and all members converge within a tick budget.
// The safety checker watches every step; the linearizability checker reads the history last.

import { defaultRaftConfig } from '../../server/raft';
import type { ConfChange, ConfState, Message, NodeId, RaftBug, RaftConfig, RaftStatus } from '../../server/raft/types';
import { assert } from '../../server/util/assert';
import { SeededRandom } from '../../server/util/random';
import type { ClientReply, ClientRequest } from './client-protocol';
import { members } from './conf-state';
import { EventQueue } from './event-queue';
import { kvModel, type KvInput, type KvOutput } from './kv-model';
import { checkLinearizability, type Operation } from './linearizability';
import { Nemesis, type NemesisWorld } from './nemesis';
import { SimNetwork } from './network';
import type { Partition } from './partition';
import { SafetyChecker, type Violation } from './safety-checker';
import type { SimConfig } from './sim-config';
import { SimDisk } from './sim-disk';
import { describeMessage, eventCodes, type SimEvent } from './sim-event';
import { SimNode, type CrashMoment, type CrashSite, type NodeWorld } from './sim-node';
import { emptyStats, type RunStats } from './sim-stats';
import { Trace } from './trace';
import { Workload, type ClientWorld } from './workload';
import { describeLinearizabilityFailure } from './report';

export type LinearizabilityVerdict = 'ok' | 'unknown' | 'violation' | 'skipped';

export interface SeedResult {
  readonly seed: number;
  readonly bug: RaftBug | null;
  readonly steps: number;
  readonly timeUnits: number;
  readonly violations: readonly Violation[];
  readonly digest: string;
  readonly operations: number;
  readonly indeterminate: number;
  /** The client history the linearizability checker judged. */
  readonly history: readonly Operation<KvInput, KvOutput>[];
  readonly linearizability: LinearizabilityVerdict;
  readonly linearizabilitySteps: number;
  readonly stats: RunStats;
}

export function runSimulation(config: SimConfig, traceSink: ((line: string) => void) | null = null): SeedResult {
  return new Simulation(config, traceSink).run();
}

const emptySnapshotData = new Uint8Array(0);
/** Steps the liveness phase may take, whatever its tick budget. */
const livenessStepsMax = 1_000_000;

class Simulation implements NodeWorld {
  readonly checker: SafetyChecker;
  readonly trace: Trace;
  readonly stats: RunStats = emptyStats();
  private readonly queue: EventQueue<SimEvent>;
  private readonly network: SimNetwork;
  private readonly workload: Workload;
  private readonly nemesis: Nemesis;
  private readonly hostRandom: SeededRandom;
  private readonly raftRandom: SeededRandom;
  private readonly nodes = new Map<NodeId, SimNode>();
  private readonly tickUnitsByNode = new Map<NodeId, number>();
  private readonly removed = new Set<NodeId>();
  private readonly everMembers = new Set<NodeId>();
  private readonly slowDisks = new Set<NodeId>();
  private readonly coreBugs: ReadonlySet<RaftBug>;
  private time = 0;
  private steps = 0;
  private phase: 'safety' | 'liveness' = 'safety';
  private partitionEndUnits = 0;
  private confIndex = 0;

  constructor(
    private readonly config: SimConfig,
    traceSink: ((line: string) => void) | null,
  ) {
    const root = new SeededRandom(config.seed);
    this.hostRandom = root.fork();
    this.raftRandom = root.fork();
    this.trace = new Trace(traceSink);
    this.checker = new SafetyChecker(() => this.time);
    this.queue = new EventQueue<SimEvent>(config.eventsMax);
    this.network = new SimNetwork(root.fork(), config.network);
    this.workload = new Workload(config.workload, this.clientWorld(), root.fork());
    this.nemesis = new Nemesis(config.faults, this.nemesisWorld(), root.fork());
    this.coreBugs = new Set(config.bug !== null && config.bug !== 'no-persist-before-send' ? [config.bug] : []);
  }

  run(): SeedResult {
    this.boot();
    this.guarded(() => {
      while (this.steps < this.config.safetySteps && this.checker.ok) this.step();
      if (this.checker.ok) this.runLiveness();
    });
    const lin = this.checker.ok ? this.checkHistory() : { verdict: 'skipped' as const, steps: 0 };
    const stats = this.workload.stats;
    return {
      seed: this.config.seed,
      bug: this.config.bug,
      steps: this.steps,
      timeUnits: this.time,
      violations: this.checker.violations,
      digest: this.trace.digest,
      operations: this.workload.history.length,
      history: this.workload.history,
      indeterminate: stats.indeterminate,
      linearizability: lin.verdict,
      linearizabilitySteps: lin.steps,
      stats: this.stats,
    };
  }

  /** A throw out of the core (or the host) ends the run as a violation with its seed. */
  private guarded(body: () => void): void {
    try {
      body();
    } catch (error) {
      const text = error instanceof Error ? `${error.name}: ${error.message} @ ${topFrame(error)}` : String(error);
      this.checker.report('core-error', text);
    }
  }

  private boot(): void {
    const voters: NodeId[] = [];
    for (let id = 1; id <= this.config.nodeCount; id += 1) voters.push(id);
    for (const id of voters) {
      this.everMembers.add(id);
      this.createNode(id, { voters, learners: [] });
    }
    this.trace.line(this.time, () => `boot ${describeConfig(this.config)}`);
    this.schedule(this.config.faults.nemesisIntervalUnits, { kind: 'nemesis' });
    this.workload.start();
  }

  private createNode(id: NodeId, conf: ConfState): void {
    assert(!this.nodes.has(id), `node ${id} created twice`);
    const disk = new SimDisk({ meta: { index: 0, term: 0, conf }, data: emptySnapshotData });
    const node = new SimNode(id, disk, this);
    this.nodes.set(id, node);
    // Clocks drift by up to a tenth of a tick period, except under lease reads, whose safety
    // assumes drift below the lease margin (server/raft/README.md, "Lease reads").
    const driftUnits = this.config.raft.readOnlyOption === 'lease-based' ? 0 : this.hostRandom.nextInt(3) - 1;
    this.tickUnitsByNode.set(id, this.config.tickUnits + driftUnits);
    node.start();
    this.schedule(1 + this.hostRandom.nextInt(this.config.tickUnits), { kind: 'tick', node: id });
  }

  private schedule(delayUnits: number, event: SimEvent): void {
    this.queue.push(this.time + delayUnits, event);
  }

  private step(): void {
    const next = this.queue.pop();
    assert(next !== null, 'the agenda ran dry (ticks always recur)');
    assert(next.time >= this.time, 'time went backwards');
    this.time = next.time;
    this.steps += 1;
    this.dispatch(next.event);
  }

  private dispatch(event: SimEvent): void {
    this.trace.mix(eventCodes[event.kind], this.time);
    switch (event.kind) {
      case 'tick':
        return this.onTick(event.node);
      case 'deliver':
        return this.onDeliver(event.message, event.reportTo);
      case 'snap-failed': {
        const sender = this.nodes.get(event.node);
        if (sender !== undefined && sender.incarnation === event.incarnation) sender.reportSnapshot(event.to, false);
        return;
      }
      case 'persist':
        this.trace.line(this.time, () => `n${event.node} disk write of ready ${event.readyId} lands`);
        this.nodes.get(event.node)?.finishPersist(event.incarnation, event.readyId);
        return;
      case 'client-request':
        return this.onClientRequest(event.node, event.request);
      case 'client-reply':
        this.trace.line(this.time, () => `c${event.reply.client} reply #${event.reply.operation} ${JSON.stringify(event.reply.result)}`);
        return this.workload.onReply(event.reply);
      case 'client-wake':
        return this.workload.onWake(event.client);
      case 'client-timeout':
        this.trace.line(this.time, () => `c${event.client} timeout check #${event.operation}`);
        return this.workload.onTimeout(event.client, event.operation);
      case 'nemesis':
        return this.onNemesis();
      case 'restart':
        return this.restart(event.node);
      case 'ambush': {
        const node = this.nodes.get(event.node);
        if (this.phase !== 'safety' || node === undefined || node.role !== 'leader') return;
        this.trace.line(this.time, () => `ambush leader n${event.node} of term ${event.term}`);
        this.nemesis.ambush(event.node);
        return;
      }
    }
  }

  private onTick(id: NodeId): void {
    if (this.removed.has(id)) return;
    const node = this.nodes.get(id);
    assert(node !== undefined, `tick for unknown node ${id}`);
    this.trace.line(this.time, () => `n${id} tick${node.up ? '' : ' (down)'}`);
    node.tick();
    this.schedule(this.tickUnitsByNode.get(id) ?? this.config.tickUnits, { kind: 'tick', node: id });
  }

  private onDeliver(message: Message, reportTo: number | null): void {
    const target = this.removed.has(message.to) ? undefined : this.nodes.get(message.to);
    const up = target !== undefined && target.up;
    this.trace.mix(message.from * 64 + message.to, message.term, message.index, message.entries.length);
    this.trace.line(this.time, () => `${up ? 'deliver' : 'lost-at-down'} ${describeMessage(message)}`);
    if (up) target.receive(message);
    if (reportTo !== null) {
      const sender = this.nodes.get(message.from);
      if (sender !== undefined && sender.incarnation === reportTo) sender.reportSnapshot(message.to, up);
    }
  }

  private onClientRequest(id: NodeId, request: ClientRequest): void {
    const node = this.removed.has(id) ? undefined : this.nodes.get(id);
    this.trace.line(this.time, () => `n${id} request #${request.operation} c${request.client} ${JSON.stringify(request.input)}`);
    if (node === undefined) {
      this.replyClient(id, {
        operation: request.operation,
        client: request.client,
        result: { kind: 'failed', reason: 'unavailable', leaderHint: 0 },
      });
      return;
    }
    node.handleClient(request);
  }

  private onNemesis(): void {
    if (this.phase !== 'safety') return;
    if (this.network.partitioned && this.time >= this.partitionEndUnits) {
      this.network.heal();
      this.trace.line(this.time, () => 'heal network');
    }
    this.nemesis.act();
    this.schedule(this.config.faults.nemesisIntervalUnits, { kind: 'nemesis' });
  }

  private restart(id: NodeId): void {
    const node = this.nodes.get(id);
    if (node === undefined || node.up || this.removed.has(id)) return;
    this.trace.line(this.time, () => `n${id} restart`);
    node.start();
  }

  private crashNode(id: NodeId, permanent: boolean): void {
    const node = this.nodes.get(id);
    if (node === undefined || !node.up) return;
    this.trace.line(this.time, () => `n${id} crash${permanent ? ' (removed)' : ''}`);
    this.trace.mix(99, id);
    this.stats.crashes += 1;
    node.crash();
    if (permanent || this.phase !== 'safety') return;
    const faults = this.config.faults;
    const downtime = faults.downtimeMinUnits + this.hostRandom.nextInt(faults.downtimeMaxUnits - faults.downtimeMinUnits + 1);
    this.schedule(downtime, { kind: 'restart', node: id });
  }

  private runLiveness(): void {
    this.phase = 'liveness';
    this.network.heal();
    this.network.setParams(this.config.calmNetwork);
    this.slowDisks.clear();
    this.trace.line(this.time, () => 'liveness phase: heal everything');
    for (const [id, node] of this.nodes) if (!node.up && !this.removed.has(id)) this.restart(id);
    this.workload.beginLiveness(this.config.livenessOpsPerClient);
    const deadline = this.time + this.config.livenessTicksMax * this.config.tickUnits;
    // Time only moves forward, but a bug could schedule events without letting it move:
    // bound the steps too.
    const stepsMax = this.steps + livenessStepsMax;
    while (this.checker.ok && this.time <= deadline && this.steps < stepsMax) {
      if (this.workload.livenessDone() && this.converged() === null) return;
      this.step();
    }
    if (!this.checker.ok) return;
    const lagging = this.converged();
    const detail = !this.workload.livenessDone()
      ? `clients did not finish: ${this.workload.livenessProgress()}`
      : `no convergence: ${lagging ?? 'unknown'}`;
    this.checker.report('liveness', `after ${this.config.livenessTicksMax} ticks of calm: ${detail}`);
  }

  /** Null when a leader exists and every member applied its commit index with equal state;
   *  otherwise why not. */
  private converged(): string | null {
    const leader = this.leader();
    if (leader === null) return 'no leader';
    const leaderNode = this.nodes.get(leader.id);
    assert(leaderNode !== undefined, 'leader is a known node');
    for (const id of members(leader.status.conf)) {
      const node = this.nodes.get(id);
      if (node === undefined || !node.up) return `member ${id} is down`;
      if (node.applied !== leader.status.commit) {
        return `member ${id} applied ${node.applied}, leader ${leader.id} commit ${leader.status.commit}`;
      }
      if (node.digest() !== leaderNode.digest()) return `member ${id} state differs from leader ${leader.id}`;
    }
    return null;
  }

  private leader(): { id: NodeId; status: RaftStatus } | null {
    let best: { id: NodeId; status: RaftStatus } | null = null;
    for (const [id, node] of this.nodes) {
      if (!node.up || this.removed.has(id) || node.role !== 'leader') continue;
      const status = node.status();
      if (status === null || status.role !== 'leader') continue;
      if (best === null || status.term > best.status.term) best = { id, status };
    }
    return best;
  }

  private checkHistory(): { verdict: LinearizabilityVerdict; steps: number } {
    const history = this.workload.history;
    const result = checkLinearizability(kvModel, history, { maxSteps: this.config.linearizabilityStepsMax });
    if (result.kind === 'violation') {
      this.checker.report('non-linearizable', describeLinearizabilityFailure(result));
    }
    return { verdict: result.kind, steps: result.steps };
  }

  // ---- NodeWorld -------------------------------------------------------------------------

  now(): number {
    return this.time;
  }

  raftConfig(id: NodeId): RaftConfig {
    return { ...defaultRaftConfig(id, this.raftRandom.fork()), ...this.config.raft, bugs: this.coreBugs };
  }

  sendsBeforePersist(): boolean {
    return this.config.bug === 'no-persist-before-send';
  }

  compactEveryEntries(): number {
    return this.config.compactEveryEntries;
  }

  sendRaft(message: Message): void {
    const route = this.network.route(message.from, message.to);
    const sender = this.nodes.get(message.from);
    assert(sender !== undefined, `message from unknown node ${message.from}`);
    this.stats.messagesSent += 1;
    if (route.kind === 'dropped') {
      this.stats.messagesDropped += 1;
      this.trace.line(this.time, () => `drop(${route.reason}) ${describeMessage(message)}`);
      if (message.type === 'snap') {
        this.schedule(1, { kind: 'snap-failed', node: message.from, incarnation: sender.incarnation, to: message.to });
      }
      return;
    }
    route.delaysUnits.forEach((delayUnits, copy) => {
      const reportTo = message.type === 'snap' && copy === 0 ? sender.incarnation : null;
      this.schedule(delayUnits, { kind: 'deliver', message, reportTo });
    });
  }

  forwardClient(from: NodeId, to: NodeId, request: ClientRequest): void {
    // Forwards are never duplicated: a duplicate would propose the same operation twice.
    const route = this.network.route(from, to);
    this.trace.line(this.time, () => `n${from} forward #${request.operation} to n${to}: ${route.kind}`);
    if (route.kind === 'deliver') this.schedule(route.delaysUnits[0], { kind: 'client-request', node: to, request });
  }

  replyClient(_from: NodeId, reply: ClientReply): void {
    this.schedule(1 + this.hostRandom.nextInt(this.config.workload.clientDelayMaxUnits), { kind: 'client-reply', reply });
  }

  schedulePersist(id: NodeId, incarnation: number, readyId: number): void {
    const disk = this.config.disk;
    const latencyUnits = this.slowDisks.has(id)
      ? disk.slowLatencyMinUnits + this.hostRandom.nextInt(disk.slowLatencyMaxUnits - disk.slowLatencyMinUnits + 1)
      : this.hostRandom.nextInt(disk.fastLatencyMaxUnits + 1);
    this.schedule(latencyUnits, { kind: 'persist', node: id, incarnation, readyId });
  }

  crashPoint(id: NodeId, site: CrashSite, moment: CrashMoment): boolean {
    if (this.phase !== 'safety') return false;
    const faults = this.config.faults;
    let chance = faults.crashPointChance;
    if (site === 'after-persist' && moment === 'commit') chance = faults.leaderCommitCrashChance;
    if (site === 'after-persist' && moment === 'elected') chance = faults.leaderElectedCrashChance;
    if (!this.hostRandom.chance(chance)) return false;
    this.trace.line(this.time, () => `n${id} crash point ${site} (${moment})`);
    return true;
  }

  crash(id: NodeId): void {
    this.crashNode(id, false);
  }

  becameLeader(id: NodeId): void {
    if (this.phase !== 'safety') return;
    const delayUnits = this.nemesis.ambushDelay();
    if (delayUnits === null) return;
    const term = this.nodes.get(id)?.status()?.term ?? 0;
    this.schedule(delayUnits, { kind: 'ambush', node: id, term });
  }

  /** Tracks the latest committed configuration; a member that left it is stopped for good. */
  confApplied(_node: NodeId, conf: ConfState, index: number): void {
    if (index <= this.confIndex) return;
    this.confIndex = index;
    const current = members(conf);
    for (const id of current) this.everMembers.add(id);
    for (const id of this.everMembers) {
      if (current.includes(id) || this.removed.has(id)) continue;
      this.removed.add(id);
      this.crashNode(id, true);
    }
  }

  // ---- ClientWorld and NemesisWorld ------------------------------------------------------

  private clientWorld(): ClientWorld {
    return {
      historyTime: () => this.steps,
      targetNodes: () => [...this.nodes.keys()].filter((id) => !this.removed.has(id)),
      sendRequest: (node, request) =>
        this.schedule(1 + this.hostRandom.nextInt(this.config.workload.clientDelayMaxUnits), {
          kind: 'client-request',
          node,
          request,
        }),
      scheduleWake: (client, delayUnits) => this.schedule(delayUnits, { kind: 'client-wake', client }),
      scheduleTimeout: (client, operation, delayUnits) =>
        this.schedule(delayUnits, { kind: 'client-timeout', client, operation }),
    };
  }

  private nemesisWorld(): NemesisWorld {
    const existing = (): NodeId[] => [...this.nodes.keys()].filter((id) => !this.removed.has(id));
    return {
      now: () => this.time,
      nodes: existing,
      upNodes: () => existing().filter((id) => this.nodes.get(id)?.up === true),
      leader: () => this.leader(),
      crash: (id) => this.crashNode(id, false),
      partition: (partition: Partition, durationUnits: number) => {
        this.network.setPartition(partition);
        this.stats.partitions += 1;
        this.partitionEndUnits = this.time + durationUnits;
        this.trace.line(this.time, () => `partition ${partition.description} for ${durationUnits}`);
      },
      partitioned: () => this.network.partitioned,
      toggleSlowDisk: (id) => {
        if (this.slowDisks.has(id)) this.slowDisks.delete(id);
        else this.slowDisks.add(id);
        this.trace.line(this.time, () => `n${id} disk ${this.slowDisks.has(id) ? 'slow' : 'fast'}`);
      },
      proposeConfChange: (leader: NodeId, change: ConfChange) =>
        this.nodes.get(leader)?.proposeConfChange(change)?.ok === true,
      spareNodeId: () => (this.nodes.size < this.config.nodeIdsMax ? this.nodes.size + 1 : null),
      startJoiner: (id) => this.createNode(id, { voters: [], learners: [] }),
      transferLeadership: (leader, to) => {
        const result = this.nodes.get(leader)?.transferLeadership(to);
        this.trace.line(this.time, () => `transfer ${leader} -> ${to}: ${JSON.stringify(result)}`);
      },
      note: (text) => this.trace.line(this.time, () => text),
    };
  }
}

function topFrame(error: Error): string {
  const lines = (error.stack ?? '').split('\n').slice(1);
  const frame = lines.find((line) => !line.includes('/util/assert')) ?? lines[0] ?? '';
  return frame.trim().replace(/^at /, '');
}

function describeConfig(config: SimConfig): string {
  const r = config.raft;
  const n = config.network;
  const f = config.faults;
  return (
    `seed=${config.seed} bug=${config.bug ?? 'none'} nodes=${config.nodeCount} election=${r.electionTicks}` +
    ` heartbeat=${r.heartbeatTicks} preVote=${r.preVote} checkQuorum=${r.checkQuorum} reads=${r.readOnlyOption}` +
    ` inflight=${r.maxInflightMsgs}` +
    ` msgBytes=${r.maxMsgBytes} compactEvery=${config.compactEveryEntries} delay=${n.delayMinUnits}..${n.delayMaxUnits}` +
    ` loss=${n.lossRate} dup=${n.duplicateRate} crash=${f.crashChance}/${f.leaderCrashChance}` +
    ` partition=${f.partitionChance} membership=${f.membershipChance} clients=${config.workload.clientCount}` +
    ` keys=${config.workload.keyCount} safetySteps=${config.safetySteps}`
  );
}
