// The JSON record of a run, written to bench/results/<timestamp>.json.

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from '../bench-options';
import type { CellResult } from '../runner';
import type { TableRow } from './table';

export interface RunRecord {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly options: BenchOptions;
  readonly machine: { readonly cpus: number; readonly memoryBytes: number; readonly node: string };
  readonly loadAverageAtStart: readonly number[];
  readonly loadAverageAtEnd: readonly number[];
  readonly cells: readonly CellResult[];
  readonly table: readonly TableRow[];
}

export function runRecord(startedAt: Date, options: BenchOptions, loadAverageAtStart: readonly number[], cells: readonly CellResult[], table: readonly TableRow[]): RunRecord {
  return {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options,
    machine: { cpus: cpus().length, memoryBytes: totalmem(), node: process.version },
    loadAverageAtStart,
    loadAverageAtEnd: loadavg(),
    cells,
    table,
  };
}

/** NaN and Infinity are not JSON: they are written as null. */
function finiteOrNull(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

export function writeRunRecord(dir: string, record: RunRecord): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${record.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(record, finiteOrNull, 2)}\n`);
  return file;
}
