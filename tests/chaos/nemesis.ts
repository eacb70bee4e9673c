// The nemesis: every few seconds it picks one fault from the seed, injects it, and heals it
// before the next one. Faults:
// - kill-restart: SIGKILL a random node, restart it a little later;
// - pause-leader: SIGSTOP the leader of a random group for longer than an election timeout,
//   then SIGCONT it (a paused leader that wakes up must not serve a stale read);
// - kill-leader: SIGKILL the leader of a random group, restart it later.
// Bounded in count (`faultsMax`) and in time (each wait has its own limit).

import { assert } from '../../server/util/assert';
import type { SeededRandom } from '../../server/util/random';
import type { TestCluster } from '../cluster/harness';
import { nowMs } from './history';

export type FaultKind = 'kill-restart' | 'pause-leader' | 'kill-leader';

export interface FaultRecord {
  readonly kind: FaultKind;
  readonly node: number;
  readonly group: number | null;
  readonly atMs: number;
  readonly downMs: number;
}

export interface NemesisOptions {
  readonly faultsMax: number;
  /** Quiet time between a heal and the next fault, drawn from [quietMsMin, quietMsMin + quietMsSpread). */
  readonly quietMsMin: number;
  readonly quietMsSpread: number;
  /** How long a fault lasts, drawn the same way; above the election timeout so that it bites. */
  readonly downMsMin: number;
  readonly downMsSpread: number;
  /** Bound on waiting for every group to have a leader again after a heal. */
  readonly healTimeoutMs: number;
}

const FAULT_KINDS: readonly FaultKind[] = ['kill-restart', 'pause-leader', 'kill-leader'];

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class Nemesis {
  readonly faults: FaultRecord[] = [];
  private readonly killed = new Set<number>();

  constructor(
    private readonly cluster: TestCluster,
    private readonly random: SeededRandom,
    private readonly options: NemesisOptions,
  ) {
    assert(options.faultsMax >= 0 && options.downMsMin > 0, 'bad nemesis options');
  }

  /** Nodes the workload may call: all but the killed ones (a client sees a refused connection). */
  candidates(): readonly number[] {
    return this.cluster.specs.map((spec) => spec.id).filter((id) => !this.killed.has(id));
  }

  /** Injects and heals faults until `stopAtMs` (monotonic) or `faultsMax`. */
  async run(stopAtMs: number, log: (line: string) => void): Promise<void> {
    while (this.faults.length < this.options.faultsMax) {
      await sleepMs(this.options.quietMsMin + this.random.nextInt(this.options.quietMsSpread));
      if (nowMs() >= stopAtMs) return;
      const kind = FAULT_KINDS[this.random.nextInt(FAULT_KINDS.length)];
      const downMs = this.options.downMsMin + this.random.nextInt(this.options.downMsSpread);
      const target = kind === 'kill-restart' ? { node: this.randomNode(), group: null } : await this.randomLeader();
      const fault: FaultRecord = { kind, node: target.node, group: target.group, atMs: Math.round(nowMs()), downMs };
      log(`nemesis: ${kind} node ${fault.node}${fault.group === null ? '' : ` (leader of group ${fault.group})`} for ${downMs} ms`);
      this.faults.push(fault);
      await this.inject(fault);
      await this.cluster.waitForLeaders(this.options.healTimeoutMs);
    }
  }

  private async inject(fault: FaultRecord): Promise<void> {
    if (fault.kind === 'pause-leader') {
      await this.cluster.signal(fault.node, 'SIGSTOP');
      try {
        await sleepMs(fault.downMs);
      } finally {
        await this.cluster.signal(fault.node, 'SIGCONT');
      }
      return;
    }
    this.killed.add(fault.node);
    await this.cluster.signal(fault.node, 'SIGKILL');
    await sleepMs(fault.downMs);
    await this.cluster.startNode(fault.node);
    this.killed.delete(fault.node);
  }

  private randomNode(): number {
    const ids = this.cluster.specs.map((spec) => spec.id);
    return ids[this.random.nextInt(ids.length)];
  }

  /** The leader of a random group, as seen by the first node that answers; a random node
   *  if none knows a leader (then the fault is a plain pause or kill). */
  private async randomLeader(): Promise<{ node: number; group: number | null }> {
    const pick = this.random.nextInt(0x10000);
    for (const id of this.cluster.runningIds()) {
      try {
        const status = await this.cluster.status(id, 3_000);
        const led = status.groups.filter((group) => Number(group.leader) !== 0).sort((a, b) => Number(a.id) - Number(b.id));
        if (led.length === 0) continue;
        const group = led[pick % led.length];
        return { node: Number(group.leader), group: Number(group.id) };
      } catch {
        continue; // this node did not answer: ask the next
      }
    }
    return { node: this.randomNode(), group: null };
  }

  /** Heals whatever is still broken (after an error mid-fault): restarts killed nodes, wakes paused ones. */
  async healAll(): Promise<void> {
    for (const id of this.cluster.specs.map((spec) => spec.id)) await this.cluster.signal(id, 'SIGCONT');
    for (const id of [...this.killed]) {
      await this.cluster.startNode(id);
      this.killed.delete(id);
    }
    await this.cluster.waitForLeaders(this.options.healTimeoutMs);
  }
}
