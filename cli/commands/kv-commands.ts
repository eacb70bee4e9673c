// put / get / ls / rm: the node tree from the shell.

import type { Command } from 'commander';
import { InvalidArgumentError as UsageArgumentError } from 'commander';
import type { CliContext } from '../cli-context';
import { actionOf, type ExitSlot } from '../command-kit';
import { parseCount, parsePositiveDurationMs } from '../durations';
import { UsageError } from '../exit-codes';
import { statFields, valueFields } from '../output';

interface PutOptions {
  readonly ephemeral?: boolean;
  readonly ttl?: number;
  readonly sequential?: boolean;
  readonly parents?: boolean;
  readonly version?: number;
}

interface LsOptions {
  readonly recursive?: boolean;
}

interface RmOptions {
  readonly recursive?: boolean;
  readonly version?: number;
}

/** Most nodes `ls --recursive` walks: a bound, not a pagination scheme. */
export const LS_RECURSIVE_NODES_MAX = 100_000;
/** Default lease of `put --ephemeral` without --ttl. */
const EPHEMERAL_TTL_MS_DEFAULT = 10_000;

async function put(ctx: CliContext, [path, value]: readonly string[], options: PutOptions): Promise<void> {
  if (options.ttl !== undefined && options.ephemeral !== true) throw new UsageError('--ttl only applies with --ephemeral');
  if (options.version !== undefined && options.sequential === true) throw new UsageError('--version and --sequential do not go together');
  if (options.version !== undefined && options.version > 0 && options.ephemeral === true) throw new UsageError('--version N (N >= 1) updates an existing node; it cannot make it ephemeral');
  const client = ctx.client;
  const session = options.ephemeral === true ? await client.session({ ttlMs: options.ttl ?? EPHEMERAL_TTL_MS_DEFAULT, timeoutMs: ctx.timeoutMs }) : undefined;
  const sessionFields = session === undefined ? {} : { ttlMs: session.ttlMs };
  if (options.sequential === true || options.version === 0) {
    // A create: sequential, or "--version 0" = must not exist yet.
    const created = await client.create(path, value, { ephemeral: options.ephemeral === true, sequential: options.sequential === true, makeParents: options.parents === true, ...(session !== undefined ? { session } : {}) });
    ctx.printer.result(created.path, { path: created.path, created: true, revision: created.revision, ...statFields(created.stat), ...sessionFields });
  } else if (options.version !== undefined) {
    const set = await client.set(path, value, { expectedVersion: options.version });
    ctx.printer.result(path, { path, created: false, revision: set.revision, version: set.stat.version });
  } else {
    // Upsert: missing parents are created (--parents is implied).
    const result = await client.put(path, value, { ephemeral: options.ephemeral === true, ...(session !== undefined ? { session } : {}) });
    ctx.printer.result(path, { path, created: result.created, revision: result.revision, version: result.stat.version, ephemeralOwner: result.stat.ephemeralOwner, ...sessionFields });
  }
  // The session is NOT closed: an ephemeral node lives until its TTL lapses without keepalives.
  session?.abandon();
}

async function get(ctx: CliContext, [path]: readonly string[]): Promise<void> {
  const got = await ctx.client.get(path);
  if (ctx.printer.json) ctx.printer.object({ path, ...valueFields(got.value), stat: statFields(got.stat), revision: got.revision });
  else process.stdout.write(Buffer.concat([got.value, Buffer.from('\n')]));
}

async function listRecursive(ctx: CliContext, root: string): Promise<string[]> {
  const nodes: string[] = [];
  const stack: string[] = [root];
  // Depth-first, children in name order; bounded by LS_RECURSIVE_NODES_MAX.
  while (stack.length > 0) {
    const parent = stack.pop()!;
    const listed = await ctx.client.list(parent);
    const paths = listed.children.map((c) => (parent === '/' ? `/${c.name}` : `${parent}/${c.name}`));
    if (nodes.length + paths.length > LS_RECURSIVE_NODES_MAX) throw new UsageError(`more than ${LS_RECURSIVE_NODES_MAX} nodes under ${root}; list a smaller subtree`);
    for (const path of paths) nodes.push(path);
    for (let i = paths.length - 1; i >= 0; i--) stack.push(paths[i]);
  }
  return sortDepthFirst(nodes);
}

/** Pre-order: a node, then its subtree, siblings in name order. */
function sortDepthFirst(paths: string[]): string[] {
  return paths.sort((a, b) => {
    const sa = a.split('/');
    const sb = b.split('/');
    for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
      if (sa[i] !== sb[i]) return sa[i] < sb[i] ? -1 : 1;
    }
    return sa.length - sb.length;
  });
}

async function ls(ctx: CliContext, [path]: readonly string[], options: LsOptions): Promise<void> {
  if (options.recursive === true) {
    const nodes = await listRecursive(ctx, path);
    if (ctx.printer.json) ctx.printer.object({ path, nodes });
    else for (const node of nodes) ctx.printer.line(node);
    return;
  }
  const listed = await ctx.client.list(path);
  const names = listed.children.map((c) => c.name);
  if (ctx.printer.json) ctx.printer.object({ path, children: names, revision: listed.revision });
  else for (const name of names) ctx.printer.line(name);
}

async function rm(ctx: CliContext, [path]: readonly string[], options: RmOptions): Promise<void> {
  const result = await ctx.client.delete(path, { recursive: options.recursive === true, ...(options.version !== undefined ? { expectedVersion: options.version } : {}) });
  ctx.printer.result(`deleted ${result.deleted} node${result.deleted === 1 ? '' : 's'}`, { path, deleted: result.deleted, revision: result.revision });
}

function parseVersion(text: string): number {
  try {
    return parseCount(text);
  } catch {
    throw new UsageArgumentError(`"${text}" is not a version (a non-negative integer)`);
  }
}

export function registerKvCommands(program: Command, slot: ExitSlot): void {
  program
    .command('put')
    .description('write a node (upsert; missing parents are created). --version N: compare-and-set; --version 0: create only')
    .argument('<path>', 'absolute path, e.g. /services/api')
    .argument('<value>', 'the value (UTF-8)')
    .option('--ephemeral', 'owned by a new session; removed when the session lapses (after --ttl)')
    .option('--ttl <duration>', 'session TTL for --ephemeral (default 10s)', parsePositiveDurationMs)
    .option('--sequential', 'create with a sequence number appended to the path; prints the path')
    .option('--parents', 'with --sequential or --version 0: create missing parents')
    .option('--version <n>', 'only if the node is at version n (0: only if it does not exist)', parseVersion)
    .action(actionOf<PutOptions>(slot, put));
  program
    .command('get')
    .description('print a node\'s value (--json: value, stat and revision)')
    .argument('<path>')
    .action(actionOf(slot, get));
  program
    .command('ls')
    .description('list a node\'s children (--recursive: every path below it)')
    .argument('<path>')
    .option('--recursive', 'every descendant, as full paths, depth first')
    .action(actionOf<LsOptions>(slot, ls));
  program
    .command('rm')
    .description('delete a node')
    .argument('<path>')
    .option('--recursive', 'delete the node and everything below it')
    .option('--version <n>', 'only if the node is at version n', parseVersion)
    .action(actionOf<RmOptions>(slot, rm));
}
