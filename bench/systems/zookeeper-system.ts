// A 3-server ZooKeeper ensemble from Debian's zookeeper package, run as the server class with
// java directly from the install's jars (zookeeper.jar names its dependencies in its
// manifest). One zoo.cfg + myid per server, all ports on 127.0.0.1 chosen per run, data in a
// temp dir, default durability (ZooKeeper fsyncs its transaction log before acknowledging).
// Changes from the defaults, each needed to run three servers side by side on one host:
// the admin HTTP server is off (it would take port 8080 three times), the `srvr`/`ruok`
// four-letter words are enabled (to find the leader), and maxClientCnxns is 0 (unlimited:
// the default of 60 connections per client IP would refuse W3's 500 sessions from 127.0.0.1).

import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchClient, splitAddress } from '../load/adapter';
import { zookeeperAdapter } from '../load/zookeeper/zk-adapter';
import { waitUntil } from '../util/bounded-wait';
import { freePorts } from '../util/free-port';
import { benchValue } from '../util/bench-value';
import { fourLetterWord, modeOf } from './four-letter-word';
import { ensureDebianPackages, onPath } from './installer';
import type { ProcessTracker } from './process-tracker';
import { MEMBER_COUNT, type Member, type RunningSystem, START_TIMEOUT_MS, type StartOptions, type SystemLauncher } from './system';

const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
const LOGGER_JAR = '/usr/share/java/slf4j-simple.jar';
const MAIN_CLASS = 'org.apache.zookeeper.server.quorum.QuorumPeerMain';
/** A modest heap: the workloads hold a few hundred thousand small znodes at most. */
const JAVA_HEAP_ARGS = ['-Xms128m', '-Xmx512m'];
const FOUR_LETTER_TIMEOUT_MS = 2_000;

function zooCfg(dataDir: string, clientPort: number, quorumPorts: readonly (readonly [number, number])[]): string {
  return [
    'tickTime=2000', 'initLimit=10', 'syncLimit=5',
    `dataDir=${dataDir}`, `clientPort=${clientPort}`, 'clientPortAddress=127.0.0.1',
    'admin.enableServer=false', '4lw.commands.whitelist=srvr,ruok', 'maxClientCnxns=0',
    ...quorumPorts.map(([peer, election], i) => `server.${i + 1}=127.0.0.1:${peer}:${election}`),
    '',
  ].join('\n');
}

class ZookeeperSystem implements RunningSystem {
  readonly name = 'zookeeper' as const;

  constructor(readonly members: readonly Member[], readonly workDir: string, private readonly tracker: ProcessTracker) {}

  async mode(index: number): Promise<string> {
    const { host, port } = splitAddress(this.members[index].clientAddress);
    return modeOf(await fourLetterWord(host, port, 'srvr', FOUR_LETTER_TIMEOUT_MS));
  }

  async leaderIndex(): Promise<number> {
    for (const member of this.members) {
      if (!member.process.running) continue;
      const mode = await this.mode(member.index).catch(() => '');
      if (mode === 'leader') return member.index;
    }
    throw new Error('no ZooKeeper server reports Mode: leader');
  }

  async kill(index: number): Promise<void> {
    await this.tracker.kill(this.members[index].process);
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => this.tracker.stop(m.process)));
    rmSync(join(this.workDir, 'data'), { recursive: true, force: true });
  }
}

async function waitReady(system: ZookeeperSystem, log: (line: string) => void): Promise<void> {
  await waitUntil('one ZooKeeper leader and two followers', async () => {
    const modes = await Promise.all(system.members.map((m) => system.mode(m.index)));
    return modes.filter((m) => m === 'leader').length === 1 && modes.filter((m) => m === 'follower').length === MEMBER_COUNT - 1;
  }, { timeoutMs: START_TIMEOUT_MS, intervalMs: 250 });
  for (const member of system.members) {
    let client: BenchClient | null = null;
    try {
      await waitUntil(`a write through ZooKeeper server ${member.index + 1}`, async () => {
        client ??= await zookeeperAdapter.connect(member.clientAddress, { timeoutMs: 2_000 });
        await client.put(`/bench/ready-${member.index}`, benchValue('ready'), { timeoutMs: 2_000 });
        return true;
      }, { timeoutMs: START_TIMEOUT_MS, intervalMs: 250 });
    } finally {
      (client as BenchClient | null)?.close();
    }
  }
  log(`zookeeper: 3 servers ready (${system.members.map((m) => m.clientAddress).join(', ')})`);
}

export const zookeeperLauncher: SystemLauncher = {
  name: 'zookeeper',
  async ensureInstalled(log: (line: string) => void): Promise<void> {
    ensureDebianPackages('zookeeper', ['zookeeper'], () => existsSync(ZOOKEEPER_JAR) && onPath('java'), log);
  },
  async start(options: StartOptions): Promise<RunningSystem> {
    const ports = await freePorts(MEMBER_COUNT * 3);
    const quorumPorts = Array.from({ length: MEMBER_COUNT }, (_, i) => [ports[MEMBER_COUNT + 2 * i], ports[MEMBER_COUNT + 2 * i + 1]] as const);
    const classPath = [ZOOKEEPER_JAR, ...(existsSync(LOGGER_JAR) ? [LOGGER_JAR] : [])].join(':');
    const members: Member[] = Array.from({ length: MEMBER_COUNT }, (_, index) => {
      const dataDir = join(options.workDir, 'data', `zk${index + 1}`);
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(join(dataDir, 'myid'), `${index + 1}\n`);
      const cfgFile = join(options.workDir, `zoo${index + 1}.cfg`);
      writeFileSync(cfgFile, zooCfg(dataDir, ports[index], quorumPorts));
      const args = [...JAVA_HEAP_ARGS, '-cp', classPath, MAIN_CLASS, cfgFile];
      const proc = options.tracker.spawn({ label: `zookeeper ${index + 1}`, command: 'java', args, logFile: join(options.workDir, `zk${index + 1}.log`) });
      return { index, clientAddress: `127.0.0.1:${ports[index]}`, process: proc };
    });
    const system = new ZookeeperSystem(members, options.workDir, options.tracker);
    try {
      await waitReady(system, options.log);
    } catch (error) {
      await system.stop();
      throw new Error(`zookeeper did not become ready: ${(error as Error).message} (logs in ${options.workDir})`);
    }
    return system;
  },
};
