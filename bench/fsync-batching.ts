// Entries per fsync under write load (group commit): a 3-node cluster takes concurrent Puts
// through every node for a while; each node logs its host's fsyncs and persisted entries
// when it stops (SIGTERM), and this script reads those lines.
//
//   npx tsx bench/fsync-batching.ts [--groups 8] [--concurrency 64] [--duration-ms 20000]

import { readFileSync } from 'node:fs';
import { TestCluster, call } from '../tests/cluster/harness';

interface Options {
  readonly groups: number;
  readonly concurrency: number;
  readonly durationMs: number;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string, fallback: number): number => {
    const at = argv.indexOf(name);
    return at === -1 ? fallback : Number(argv[at + 1]);
  };
  return { groups: value('--groups', 8), concurrency: value('--concurrency', 64), durationMs: value('--duration-ms', 20_000) };
}

interface StoppedLine {
  readonly node: number;
  readonly fsyncs: number;
  readonly entriesPersisted: number;
}

function stoppedLine(logPath: string): StoppedLine | null {
  for (const line of readFileSync(logPath, 'utf8').split('\n').reverse()) {
    if (!line.includes('"msg":"stopped"')) continue;
    const parsed = JSON.parse(line) as Partial<StoppedLine>;
    if (typeof parsed.fsyncs === 'number' && typeof parsed.entriesPersisted === 'number') return parsed as StoppedLine;
  }
  return null;
}

async function writer(cluster: TestCluster, worker: number, untilMs: number, counts: { ok: number; failed: number }): Promise<void> {
  const ids = [1, 2, 3];
  for (let i = 0; Date.now() < untilMs; i++) {
    const id = ids[(worker + i) % ids.length];
    try {
      await call((cb) => cluster.kv(id).Put({ path: `/ns${(worker * 7 + i) % 50}/w${worker}-${i}`, value: Buffer.alloc(100, 120) }, { deadline: Date.now() + 5_000 }, cb));
      counts.ok += 1;
    } catch {
      counts.failed += 1;
    }
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const cluster = await TestCluster.start({ nodes: 3, kvGroups: options.groups });
  try {
    await cluster.waitForLeaders(120_000);
    const counts = { ok: 0, failed: 0 };
    const untilMs = Date.now() + options.durationMs;
    await Promise.all(Array.from({ length: options.concurrency }, (_, worker) => writer(cluster, worker, untilMs, counts)));
    process.stdout.write(`${counts.ok} puts acknowledged (${counts.failed} failed) in ${options.durationMs} ms with ${options.concurrency} in flight: ${((1000 * counts.ok) / options.durationMs).toFixed(0)}/s\n`);
    for (const id of [1, 2, 3]) await cluster.signal(id, 'SIGTERM');
    for (const id of [1, 2, 3]) {
      const line = stoppedLine(cluster.logPath(id));
      if (line === null) {
        process.stdout.write(`node ${id}: no 'stopped' line in ${cluster.logPath(id)}\n`);
        continue;
      }
      process.stdout.write(`node ${id}: ${line.entriesPersisted} entries in ${line.fsyncs} fsyncs = ${(line.entriesPersisted / Math.max(1, line.fsyncs)).toFixed(1)} entries per fsync\n`);
    }
  } finally {
    await cluster.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
