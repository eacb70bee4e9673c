// `npm run bench`: the side-by-side benchmark of issue 7. Starts a local 3-replica Corral,
// etcd and ZooKeeper one after the other (never at the same time), runs workloads W1..W7 on
// each, prints one table and writes the JSON record under bench/results/.
//
//   npm run bench                                  # everything, 10 s per measurement
//   npm run bench -- --quick                       # 1 s per measurement (CI smoke)
//   npm run bench -- --systems corral,etcd --workloads W1,W6 --duration 5

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { parseBenchOptions } from './bench-options';
import { writeRunRecord, runRecord } from './report/result-file';
import { buildRows, renderTable } from './report/table';
import { type CellResult, runPlan } from './runner';
import { ProcessTracker } from './systems/process-tracker';
import { w1Writes } from './workloads/w1-writes';
import { w2Reads } from './workloads/w2-reads';
import { w3Sessions } from './workloads/w3-sessions';
import { w4Watch } from './workloads/w4-watch';
import { w5Locks } from './workloads/w5-locks';
import { w6Failover } from './workloads/w6-failover';
import { w7MultiRaft } from './workloads/w7-multi-raft';
import { WORKLOAD_IDS, type Workload } from './workloads/workload';

const ALL_WORKLOADS: readonly Workload[] = [w1Writes, w2Reads, w3Sessions, w4Watch, w5Locks, w6Failover, w7MultiRaft];
const RESULTS_DIR = join(__dirname, 'results');

function log(line: string): void {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function loadText(): string {
  return loadavg().map((l) => l.toFixed(2)).join(' ');
}

function printNotes(cells: readonly CellResult[]): void {
  const lines: string[] = [];
  for (const cell of cells) {
    if (cell.status !== 'ok') lines.push(`${cell.workload} ${cell.system}: ${cell.status.toUpperCase()}: ${cell.error ?? ''}`);
    for (const note of cell.notes) lines.push(`${cell.workload} ${cell.system}: ${note}`);
  }
  if (lines.length > 0) process.stdout.write(`\nNotes:\n${lines.map((l) => `- ${l}`).join('\n')}\n`);
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseBenchOptions(argv, RESULTS_DIR);
  const tracker = new ProcessTracker();
  process.once('exit', () => tracker.killAllSync());
  const interrupt = (signal: string): void => {
    log(`${signal}: stopping every server this run started`);
    void tracker.stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', () => interrupt('SIGINT'));
  process.once('SIGTERM', () => interrupt('SIGTERM'));
  const startedAt = new Date();
  const loadAtStart = loadavg();
  const workRoot = mkdtempSync(join(tmpdir(), 'corral-bench-'));
  const workloads = ALL_WORKLOADS.filter((w) => options.workloads.includes(w.id));
  log(`bench: systems ${options.systems.join(',')}; workloads ${workloads.map((w) => w.id).join(',')}; ${options.durationMs / 1000} s per measurement; load average ${loadText()}; work dir ${workRoot}`);
  if (options.corralCpuProfileDir !== undefined) mkdirSync(options.corralCpuProfileDir, { recursive: true });
  const cells = await runPlan({ systems: options.systems, workloads, durationMs: options.durationMs, quick: options.quick, workRoot, tracker, log, ...(options.corralCpuProfileDir !== undefined ? { cpuProfileDir: options.corralCpuProfileDir } : {}) });
  const rows = buildRows(cells, WORKLOAD_IDS);
  process.stdout.write(`\nLoad average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}, at end ${loadText()} (2 cores, shared)\n\n${renderTable(rows, cells)}\n`);
  printNotes(cells);
  const file = writeRunRecord(options.resultsDir, runRecord(startedAt, options, loadAtStart, cells, rows));
  log(`results written to ${file}`);
  const failed = cells.some((c) => c.status === 'failed');
  if (failed || options.keepWorkDir) log(`servers' logs and configs kept in ${workRoot}`);
  else rmSync(workRoot, { recursive: true, force: true });
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
