// A 3-member etcd cluster from Debian's etcd-server: one `etcd` process per member with
// `--initial-cluster`, peer and client URLs on 127.0.0.1 (ports per run), data in a temp dir,
// default durability (etcd fsyncs its WAL on every commit batch). Ready when every member
// reports a leader and a write through each member succeeds.

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { waitUntil } from '../util/bounded-wait';
import { freePorts } from '../util/free-port';
import { withTimeout } from '../util/time';
import { ensureDebianPackages, onPath } from './installer';
import type { ProcessTracker } from './process-tracker';
import { MEMBER_COUNT, type Member, type RunningSystem, START_TIMEOUT_MS, type StartOptions, type SystemLauncher } from './system';

const STATUS_TIMEOUT_MS = 2_000;

interface MemberStatus {
  readonly memberId: string;
  readonly leaderId: string;
}

async function memberStatus(address: string): Promise<MemberStatus> {
  const client = new Etcd3({ hosts: `http://${address}` });
  try {
    const status = await withTimeout(client.maintenance.status(), STATUS_TIMEOUT_MS, `etcd status of ${address}`);
    return { memberId: String(status.header.member_id), leaderId: String(status.leader) };
  } finally {
    client.close();
  }
}

class EtcdSystem implements RunningSystem {
  readonly name = 'etcd' as const;

  constructor(readonly members: readonly Member[], readonly workDir: string, private readonly tracker: ProcessTracker) {}

  async leaderIndex(): Promise<number> {
    const statuses = new Map<string, number>();
    let leaderId = '';
    for (const member of this.members) {
      if (!member.process.running) continue;
      const status = await memberStatus(member.clientAddress).catch(() => null);
      if (status === null) continue;
      statuses.set(status.memberId, member.index);
      if (status.leaderId !== '0') leaderId = status.leaderId;
    }
    const index = statuses.get(leaderId);
    if (index === undefined) throw new Error(`no etcd leader among the running members (leader id ${leaderId || 'none'})`);
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

async function waitReady(system: EtcdSystem, log: (line: string) => void): Promise<void> {
  await waitUntil('every etcd member to report a leader', async () => {
    for (const member of system.members) {
      const status = await memberStatus(member.clientAddress);
      if (status.leaderId === '0') return false;
    }
    return true;
  }, { timeoutMs: START_TIMEOUT_MS, intervalMs: 250 });
  for (const member of system.members) {
    const client = new Etcd3({ hosts: `http://${member.clientAddress}` });
    try {
      await waitUntil(`a write through etcd member ${member.index + 1}`, async () => {
        await withTimeout(client.put(`/bench/ready-${member.index}`).value('ready').exec(), STATUS_TIMEOUT_MS, 'ready put');
        return true;
      }, { timeoutMs: START_TIMEOUT_MS, intervalMs: 250 });
    } finally {
      client.close();
    }
  }
  log(`etcd: 3 members ready (${system.members.map((m) => m.clientAddress).join(', ')})`);
}

export const etcdLauncher: SystemLauncher = {
  name: 'etcd',
  async ensureInstalled(log: (line: string) => void): Promise<void> {
    ensureDebianPackages('etcd', ['etcd-server'], () => onPath('etcd'), log);
  },
  async start(options: StartOptions): Promise<RunningSystem> {
    const ports = await freePorts(MEMBER_COUNT * 2);
    const names = Array.from({ length: MEMBER_COUNT }, (_, i) => `m${i + 1}`);
    const peerUrl = (i: number): string => `http://127.0.0.1:${ports[MEMBER_COUNT + i]}`;
    const clientUrl = (i: number): string => `http://127.0.0.1:${ports[i]}`;
    const initialCluster = names.map((name, i) => `${name}=${peerUrl(i)}`).join(',');
    const token = `bench-${process.pid}-${Date.now()}`;
    mkdirSync(join(options.workDir, 'data'), { recursive: true });
    const members: Member[] = names.map((name, index) => {
      const args = ['--name', name, '--data-dir', join(options.workDir, 'data', name),
        '--listen-client-urls', clientUrl(index), '--advertise-client-urls', clientUrl(index),
        '--listen-peer-urls', peerUrl(index), '--initial-advertise-peer-urls', peerUrl(index),
        '--initial-cluster', initialCluster, '--initial-cluster-token', token, '--initial-cluster-state', 'new'];
      const proc = options.tracker.spawn({ label: `etcd ${name}`, command: 'etcd', args, logFile: join(options.workDir, `${name}.log`) });
      return { index, clientAddress: `127.0.0.1:${ports[index]}`, process: proc };
    });
    const system = new EtcdSystem(members, options.workDir, options.tracker);
    try {
      await waitReady(system, options.log);
    } catch (error) {
      await system.stop();
      throw new Error(`etcd did not become ready: ${(error as Error).message} (logs in ${options.workDir})`);
    }
    return system;
  },
};
