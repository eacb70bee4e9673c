// corral lock acquire | release | ls | run.

import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { actionOf, type ExitSlot } from '../command-kit';
import { parseDurationMs, parsePositiveCount, parsePositiveDurationMs } from '../durations';
import { UsageError } from '../exit-codes';
import { table } from '../output';
import { registerLockRunCommand } from './lock-run';

interface AcquireOptions {
  readonly ttl: number;
  readonly wait?: number;
}

interface ReleaseOptions {
  readonly token: number;
}

/** The lock is held until the TTL lapses (no keepalives after this process exits) or until
 *  `corral lock release <name> --token T`. The hold is also capped at the TTL on the server. */
async function acquire(ctx: CliContext, [name]: readonly string[], options: AcquireOptions): Promise<void> {
  const session = await ctx.client.session({ ttlMs: options.ttl, timeoutMs: ctx.timeoutMs });
  try {
    const lock = await ctx.client.lock(name, { session, waitMs: options.wait ?? 0, maxHoldMs: options.ttl, timeoutMs: ctx.timeoutMs });
    ctx.printer.result(`token=${lock.token} session=${lock.sessionId}`, { name: lock.name, token: lock.token, sessionId: lock.sessionId, ttlMs: options.ttl });
    session.abandon();
  } catch (error) {
    await session.close({ timeoutMs: ctx.timeoutMs }).catch(() => undefined);
    throw error;
  }
}

async function release(ctx: CliContext, [name]: readonly string[], options: ReleaseOptions): Promise<void> {
  await ctx.client.locks.release(name, options.token);
  ctx.printer.result(`released ${name.startsWith('/') ? name : `/${name}`}`, { name: name.startsWith('/') ? name : `/${name}`, token: options.token, released: true });
}

async function listLocks(ctx: CliContext, [namespace]: readonly string[]): Promise<void> {
  if (namespace === undefined) throw new UsageError('lock ls needs a namespace (the first path segment), e.g. `corral lock ls jobs`');
  const locks = await ctx.client.locks.list(namespace);
  if (ctx.printer.json) {
    ctx.printer.object({ namespace: namespace.replace(/^\//, ''), locks });
    return;
  }
  ctx.printer.line(table(['NAME', 'HOLDER', 'TOKEN', 'WAITERS', 'MAX_HOLD_MS'], locks.map((l) => [l.name, l.holderSessionId === 0 ? '-' : l.holderSessionId, l.token === 0 ? '-' : l.token, l.waiters.length, l.maxHoldMs])));
}

export function registerLockCommands(program: Command, slot: ExitSlot): void {
  const lock = program.command('lock').description('global locks with fencing tokens');
  lock
    .command('acquire')
    .description('take a lock for --ttl (prints the token and session); release it with `lock release`')
    .argument('<name>', 'lock name (a path; jobs/x means /jobs/x)')
    .requiredOption('--ttl <duration>', 'how long the lock is held at most', parsePositiveDurationMs)
    .option('--wait <duration>', 'wait this long if the lock is held (default: do not wait)', parseDurationMs)
    .action(actionOf<AcquireOptions>(slot, acquire));
  lock
    .command('release')
    .description('release a lock taken with `lock acquire`')
    .argument('<name>')
    .requiredOption('--token <token>', 'the fencing token `lock acquire` printed', parsePositiveCount)
    .action(actionOf<ReleaseOptions>(slot, release));
  lock
    .command('ls')
    .description('list the locks of a namespace')
    .argument('[namespace]', 'first path segment, e.g. jobs')
    .action(actionOf(slot, listLocks));
  registerLockRunCommand(lock, slot);
}
