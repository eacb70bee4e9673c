// A 3-node Corral cluster: three `corral server` processes (bin/corral, run by this Node
// binary) on loopback ports chosen per run, data in a temp dir, default durability (every
// host pass fsyncs). Ready when every node knows a leader for every group it hosts and a
// write through each node succeeds.

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterStatusResponse__Output } from '../../proto/gen/corral/v1/ClusterStatusResponse';
import { groupOfNamespace } from '../../client-sdk/shard-map';
import { assert } from '../../server/util/assert';
import { CorralConnection, corralServices } from '../load/corral/corral-connection';
import { waitUntil } from '../util/bounded-wait';
import { freePorts } from '../util/free-port';
import { benchValue } from '../util/bench-value';
import type { ProcessTracker } from './process-tracker';
import { MEMBER_COUNT, type Member, type RunningSystem, START_TIMEOUT_MS, type StartOptions, type SystemLauncher } from './system';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'corral');
const STATUS_TIMEOUT_MS = 2_000;
const LEADERS_STABLE_MS = 5_000;

/** The KV group serving `namespace`, by the shard map in `status` (the SDK's routing rule). */
export function groupOfStatus(status: ClusterStatusResponse__Output, namespace: string): number {
  const group = groupOfNamespace(status.slots, namespace);
  assert(group !== undefined, 'cluster status has an empty shard map');
  return group;
}

export class CorralSystem implements RunningSystem {
  readonly name = 'corral' as const;

  constructor(readonly members: readonly Member[], readonly workDir: string, private readonly tracker: ProcessTracker, private readonly nodeIds: readonly number[]) {}

  async status(index: number): Promise<ClusterStatusResponse__Output> {
    const connection = new CorralConnection(this.members[index].clientAddress);
    try {
      return await connection.unary(corralServices().cluster.Status, {}, STATUS_TIMEOUT_MS);
    } finally {
      connection.close();
    }
  }

  /** Status from the first running member that answers. */
  async anyStatus(): Promise<ClusterStatusResponse__Output> {
    let lastError: unknown = new Error('no running member');
    for (const member of this.members) {
      if (!member.process.running) continue;
      try {
        return await this.status(member.index);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  async leaderIndex(namespace: string): Promise<number> {
    const status = await this.anyStatus();
    const group = status.groups.find((g) => g.id === groupOfStatus(status, namespace));
    if (group === undefined || group.leader === 0) throw new Error(`no leader known for the group of namespace ${namespace}`);
    const index = this.nodeIds.indexOf(group.leader);
    assert(index >= 0, `leader ${group.leader} is not one of the nodes ${this.nodeIds.join(',')}`);
    return index;
  }

  async kill(index: number): Promise<void> {
    await this.tracker.kill(this.members[index].process);
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => this.tracker.stop(m.process)));
    rmSync(join(this.workDir, 'data'), { recursive: true, force: true });
  }
}

/** `group:leader` for every group, or null while a node hosts a group with no known leader. */
async function leaderMap(system: CorralSystem): Promise<string | null> {
  const leaders = new Map<number, number>();
  for (const member of system.members) {
    const status = await system.status(member.index);
    const id = member.index + 1;
    const hosted = status.groups.filter((g) => g.voters.includes(id) || g.learners.includes(id));
    if (hosted.length === 0 || hosted.some((g) => g.leader === 0)) return null;
    for (const group of hosted) {
      if ((leaders.get(group.id) ?? group.leader) !== group.leader) return null;
      leaders.set(group.id, group.leader);
    }
  }
  return [...leaders].sort(([a], [b]) => a - b).map(([group, leader]) => `${group}:${leader}`).join(' ');
}

async function waitReady(system: CorralSystem, log: (line: string) => void): Promise<void> {
  // Stable leadership: right after bootstrap the placement loop hands group leaderships to
  // their preferred nodes; measuring starts once every group's leader, as seen by every
  // node, has stayed the same for LEADERS_STABLE_MS.
  let last = '';
  let sinceMs = Date.now();
  await waitUntil(`every Corral group's leader to stay put for ${LEADERS_STABLE_MS} ms`, async () => {
    const now = await leaderMap(system);
    if (now === null || now !== last) {
      last = now ?? '';
      sinceMs = Date.now();
      return false;
    }
    return Date.now() - sinceMs >= LEADERS_STABLE_MS;
  }, { timeoutMs: START_TIMEOUT_MS, intervalMs: 250 });
  for (const member of system.members) {
    const connection = new CorralConnection(member.clientAddress);
    try {
      await waitUntil(`a write through Corral node ${member.index + 1}`, async () => {
        await connection.unary(corralServices().kv.Put, { path: `/bench/ready-${member.index}`, value: benchValue('ready'), ephemeral: false, session_id: 0 }, STATUS_TIMEOUT_MS);
        return true;
      }, { timeoutMs: START_TIMEOUT_MS, intervalMs: 250 });
    } finally {
      connection.close();
    }
  }
  log(`corral: 3 nodes ready (${system.members.map((m) => m.clientAddress).join(', ')}; group:leader ${last})`);
}

export const corralLauncher: SystemLauncher = {
  name: 'corral',
  async ensureInstalled(): Promise<void> {
    // Corral runs from this checkout: nothing to install.
  },
  async start(options: StartOptions): Promise<RunningSystem> {
    const ports = await freePorts(MEMBER_COUNT * 2);
    const ids = Array.from({ length: MEMBER_COUNT }, (_, i) => i + 1);
    const initialCluster = ids.map((id) => `${id}=127.0.0.1:${ports[id - 1]}`).join(',');
    mkdirSync(join(options.workDir, 'data'), { recursive: true });
    const members: Member[] = ids.map((id, index) => {
      const profiling = options.cpuProfileDir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir, '--cpu-prof-name', `corral-node-${id}-${Date.now()}.cpuprofile`] : [];
      const args = [...profiling, BIN, 'server', '--id', String(id), '--listen', `127.0.0.1:${ports[index]}`, '--metrics-listen', `127.0.0.1:${ports[MEMBER_COUNT + index]}`,
        '--data-dir', join(options.workDir, 'data', `node-${id}`), '--initial-cluster', initialCluster,
        ...(options.kvGroups !== undefined ? ['--kv-groups', String(options.kvGroups)] : [])];
      const proc = options.tracker.spawn({ label: `corral node ${id}`, command: process.execPath, args, logFile: join(options.workDir, `node-${id}.log`), cwd: ROOT });
      return { index, clientAddress: `127.0.0.1:${ports[index]}`, metricsAddress: `127.0.0.1:${ports[MEMBER_COUNT + index]}`, process: proc };
    });
    const system = new CorralSystem(members, options.workDir, options.tracker, ids);
    try {
      await waitReady(system, options.log);
    } catch (error) {
      await system.stop();
      throw new Error(`corral did not become ready: ${(error as Error).message} (logs in ${options.workDir})`);
    }
    return system;
  },
};
