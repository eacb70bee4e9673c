// corral txn: a transaction read as JSON from stdin:
//   { "compare": [ { "path": "/a", "target": "version", "op": "==", "value": 3 } ],
//     "success": [ { "op": "put", "path": "/a", "value": "x" } ],
//     "failure": [ { "op": "delete", "path": "/b" } ] }
// Targets: exists (value true/false), version, createRevision, modRevision, value (string).
// Ops: create (ephemeral/sequential/makeParents), set (expectedVersion), put, delete
// (recursive, expectedVersion, ignoreMissing). Exits 0 whether the compares held or not;
// the output says which branch ran.

import type { Command } from 'commander';
import type { TxnSpec } from '../../client-sdk';
import type { CliContext } from '../cli-context';
import { actionOf, type ExitSlot } from '../command-kit';
import { UsageError } from '../exit-codes';

/** Largest transaction document read from stdin. */
export const TXN_INPUT_BYTES_MAX = 4 * 1024 * 1024;

async function readStdin(bytesMax: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    total += buffer.length;
    if (total > bytesMax) throw new UsageError(`the transaction on stdin is larger than ${bytesMax} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function parseTxnDocument(text: string): TxnSpec {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`stdin is not JSON: ${(error as Error).message}`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw new UsageError('the transaction must be a JSON object with compare, success and failure arrays');
  const record = document as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!['compare', 'success', 'failure'].includes(key)) throw new UsageError(`unknown transaction field "${key}" (expected compare, success, failure)`);
  }
  for (const key of ['compare', 'success', 'failure']) {
    if (record[key] !== undefined && !Array.isArray(record[key])) throw new UsageError(`"${key}" must be an array`);
  }
  return record as TxnSpec;
}

async function txn(ctx: CliContext): Promise<void> {
  const spec = parseTxnDocument(await readStdin(TXN_INPUT_BYTES_MAX));
  const needsSession = [...(spec.success ?? []), ...(spec.failure ?? [])].some((op) => (op.op === 'create' || op.op === 'put') && op.ephemeral === true);
  if (needsSession) throw new UsageError('ephemeral ops need a session that outlives the command; use `corral register` or the SDK');
  const result = await ctx.client.txn(spec);
  if (ctx.printer.json) {
    ctx.printer.object(result);
    return;
  }
  ctx.printer.line(`${result.succeeded ? 'SUCCEEDED' : 'FAILED'} revision ${result.revision}`);
  for (const outcome of result.results) {
    switch (outcome.op) {
      case 'create': ctx.printer.line(`create ${outcome.path}`); break;
      case 'set': ctx.printer.line(`set version ${outcome.stat.version}`); break;
      case 'put': ctx.printer.line(`put ${outcome.created ? 'created' : 'updated'} version ${outcome.stat.version}`); break;
      case 'delete': ctx.printer.line(`delete ${outcome.deleted}`); break;
    }
  }
}

export function registerTxnCommand(program: Command, slot: ExitSlot): void {
  program
    .command('txn')
    .description('run a transaction read as JSON from stdin ({compare, success, failure}); see `corral txn --help`')
    .addHelpText('after', '\nExample:\n  echo \'{"compare":[{"path":"/a","target":"version","op":"==","value":1}],"success":[{"op":"put","path":"/a","value":"x"}]}\' | corral txn')
    .action(actionOf(slot, async (ctx) => txn(ctx)));
}
