// CPU of an idle cluster: 3 `corral server` processes hosting many KV groups (default 64),
// measured from /proc/<pid>/stat (utime + stime) over a window after every group has a
// leader and leadership has settled. Linux only.
//
//   npx tsx bench/idle-cpu.ts [--groups 64] [--settle-ms 15000] [--window-ms 30000]

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { TestCluster } from '../tests/cluster/harness';

interface Options {
  readonly groups: number;
  readonly settleMs: number;
  readonly windowMs: number;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string, fallback: number): number => {
    const at = argv.indexOf(name);
    return at === -1 ? fallback : Number(argv[at + 1]);
  };
  return { groups: value('--groups', 64), settleMs: value('--settle-ms', 15_000), windowMs: value('--window-ms', 30_000) };
}

/** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 on
  return Number(fields[11]) + Number(fields[12]);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
  const cluster = await TestCluster.start({ nodes: 3, kvGroups: options.groups, args: ['--log-level', 'warn'] });
  try {
    const startMs = Date.now();
    await cluster.waitForLeaders(180_000);
    process.stdout.write(`${options.groups} KV groups led after ${Date.now() - startMs} ms; settling ${options.settleMs} ms\n`);
    await sleep(options.settleMs);
    const pids = [...cluster.processes].map(([id, child]) => ({ id, pid: child.pid! }));
    const before = pids.map(({ pid }) => cpuTicks(pid));
    await sleep(options.windowMs);
    const after = pids.map(({ pid }) => cpuTicks(pid));
    let totalPercent = 0;
    for (let i = 0; i < pids.length; i++) {
      const seconds = (after[i] - before[i]) / ticksPerSecond;
      const percent = (100 * seconds) / (options.windowMs / 1000);
      totalPercent += percent;
      process.stdout.write(`node ${pids[i].id}: ${seconds.toFixed(2)} s CPU in ${options.windowMs / 1000} s = ${percent.toFixed(1)}% of one core\n`);
    }
    const status = await cluster.status(1);
    const leaders = new Map<number, number>();
    for (const group of status.groups) if (Number(group.id) !== 0) leaders.set(Number(group.leader), (leaders.get(Number(group.leader)) ?? 0) + 1);
    process.stdout.write(`total: ${totalPercent.toFixed(1)}% of one core for 3 nodes; KV leaders per node (node 1's view): ${JSON.stringify([...leaders].sort())}\n`);
  } finally {
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
