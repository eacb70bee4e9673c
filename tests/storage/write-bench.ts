// Micro benchmark of NodeStore.write (not a jest test). Run: npx tsx tests/storage/write-bench.ts
// For each batch size, writes batches of 256-byte entries (plus a hard state) back to back for
// a fixed duration, one write in flight at a time, every write synced; prints fsyncs/s,
// entries/s, MB/s and the synced-batch latency percentiles.
//
// Options: --seconds N (default 3), --dir PATH (default: a temp dir, removed afterwards).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Entry } from '../../server/raft/types';
import { NodeStore } from '../../server/storage/node-store';
import { entryData } from './store-fixtures';

const BATCH_SIZES = [1, 16, 256];
const ENTRY_BYTES = 256;
/** Bound on batches per run, far above what a disk does in the run time. */
const BATCHES_MAX = 10_000_000;

interface BenchResult {
  readonly batchSize: number;
  readonly batches: number;
  readonly seconds: number;
  readonly latenciesMs: number[];
}

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}

async function runOne(store: NodeStore, groupId: number, batchSize: number, seconds: number): Promise<BenchResult> {
  // One payload for all entries: the benchmark measures the store, not data generation.
  const payload = entryData(groupId, 0, 1, ENTRY_BYTES);
  const latenciesMs: number[] = [];
  const startMs = performance.now();
  const endMs = startMs + seconds * 1000;
  let next = 1;
  let batches = 0;
  while (batches < BATCHES_MAX && performance.now() < endMs) {
    const entries: Entry[] = [];
    for (let i = 0; i < batchSize; i++) entries.push({ index: next + i, term: 1, type: 'normal', data: payload });
    next += batchSize;
    const writeStartMs = performance.now();
    await store.write([{ groupId, entries, hardState: { term: 1, vote: 1, commit: next - 1 } }]);
    latenciesMs.push(performance.now() - writeStartMs);
    batches += 1;
  }
  return { batchSize, batches, seconds: (performance.now() - startMs) / 1000, latenciesMs };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

function report(result: BenchResult): string {
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  const entries = result.batches * result.batchSize;
  const fsyncsPerSecond = result.batches / result.seconds;
  const entriesPerSecond = entries / result.seconds;
  const megabytesPerSecond = (entries * ENTRY_BYTES) / result.seconds / 1e6;
  return [
    `batch ${String(result.batchSize).padStart(3)}`,
    `${fsyncsPerSecond.toFixed(0).padStart(6)} fsyncs/s`,
    `${entriesPerSecond.toFixed(0).padStart(8)} entries/s`,
    `${megabytesPerSecond.toFixed(2).padStart(6)} MB/s`,
    `latency p50 ${percentile(sorted, 50).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms, max ${percentile(sorted, 100).toFixed(2)} ms`,
  ].join('  ');
}

async function main(): Promise<void> {
  const seconds = Number(argument('seconds', '3'));
  const explicitDir = argument('dir', '');
  const dir = explicitDir !== '' ? explicitDir : await mkdtemp(join(tmpdir(), 'corral-write-bench-'));
  const store = await NodeStore.open({ dir });
  try {
    console.log(`NodeStore.write, ${ENTRY_BYTES}-byte entries, ${seconds} s per batch size, dir ${dir}`);
    for (const [position, batchSize] of BATCH_SIZES.entries()) {
      const result = await runOne(store, position + 1, batchSize, seconds);
      console.log(report(result));
    }
    const stats = store.stats();
    console.log(`store stats: ${stats.batchesWritten} batches, ${stats.entriesWritten} entries, ${(stats.bytesWritten / 1e6).toFixed(1)} MB, sync max ${stats.syncDurationMsMax.toFixed(2)} ms`);
  } finally {
    await store.close();
    if (explicitDir === '') await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
