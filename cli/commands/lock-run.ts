// corral lock run <name> [--ttl 15s] [--wait 10s] -- <command> [args...]
//
// Acquires the lock (its session kept alive while the command runs), runs the command with
// CORRAL_LOCK_TOKEN (and CORRAL_LOCK_NAME, CORRAL_SESSION_ID) in its environment, releases
// the lock when it exits and exits with its code (128 + n if a signal n ended it).
//
// If the lock is lost while the command runs, the command must stop BEFORE the server could
// grant the lock to someone else:
// - keepalives failing (SUSPENDED, with L ms of lease left by the conservative local
//   estimate): SIGTERM at L - margin - grace, SIGKILL at L - margin; cancelled if the
//   session reconnects first;
// - the lock lost outright (session expired, hold time over): SIGTERM now, SIGKILL after grace.
// Then corral exits 4 (EXIT_LOCK_LOST) with a one-line reason on stderr.

import { spawn, type ChildProcess } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import type { Command } from 'commander';
import type { HeldLock } from '../../client-sdk';
import type { CliContext } from '../cli-context';
import { actionOf, type ExitSlot } from '../command-kit';
import { parseDurationMs, parsePositiveDurationMs } from '../durations';
import { EXIT_LOCK_LOST, UsageError } from '../exit-codes';

interface RunOptions {
  readonly ttl: number;
  readonly wait?: number;
}

export const LOCK_RUN_TTL_MS_DEFAULT = 15_000;
/** Exit code when the command could not be started (as shells do). */
export const EXIT_CANNOT_RUN = 127;
/** Bound on closing the session after the lock was lost (the cluster may be unreachable). */
const LOST_CLEANUP_MS = 2_000;

/** SIGTERM-to-SIGKILL grace and the safety margin before the lease ends, from the TTL. */
export function killTimings(ttlMs: number): { readonly termGraceMs: number; readonly marginMs: number } {
  const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, Math.floor(value)));
  return { termGraceMs: clamp(ttlMs / 5, 200, 5_000), marginMs: clamp(ttlMs / 10, 100, 2_000) };
}

/** Stops the child in two steps, each at most once; timers are cleared when it exits. */
class ChildGuard {
  private termTimer: NodeJS.Timeout | null = null;
  private killTimer: NodeJS.Timeout | null = null;
  reason: string | null = null;

  constructor(
    private readonly child: ChildProcess,
    private readonly termGraceMs: number,
    private readonly marginMs: number,
  ) {}

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Lease left is `remainingMs`: be gone `marginMs` before it ends. */
  leaseEndsIn(remainingMs: number, reason: string): void {
    this.cancelDeadline();
    const killInMs = Math.max(0, remainingMs - this.marginMs);
    const termInMs = Math.max(0, killInMs - this.termGraceMs);
    this.termTimer = setTimeout(() => this.stop('SIGTERM', reason), termInMs);
    this.killTimer = setTimeout(() => this.stop('SIGKILL', reason), killInMs);
  }

  cancelDeadline(): void {
    if (this.reason !== null) return; // Already stopping: a reconnect does not undo it.
    this.clear();
  }

  /** The lock is gone: SIGTERM now, SIGKILL after the grace. */
  terminateNow(reason: string): void {
    this.clear();
    this.stop('SIGTERM', reason);
    this.killTimer = setTimeout(() => this.stop('SIGKILL', reason), this.termGraceMs);
  }

  private stop(signal: NodeJS.Signals, reason: string): void {
    if (this.exited) return;
    this.reason ??= reason;
    this.child.kill(signal);
  }

  clear(): void {
    if (this.termTimer !== null) clearTimeout(this.termTimer);
    if (this.killTimer !== null) clearTimeout(this.killTimer);
    this.termTimer = null;
    this.killTimer = null;
  }
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal !== null ? (osConstants.signals as Record<string, number>)[signal] : undefined;
  return 128 + (number ?? 0);
}

function startChild(command: readonly string[], lock: HeldLock): ChildProcess {
  return spawn(command[0], command.slice(1), {
    stdio: 'inherit',
    env: { ...process.env, CORRAL_LOCK_TOKEN: String(lock.token), CORRAL_LOCK_NAME: lock.name, CORRAL_SESSION_ID: String(lock.sessionId) },
  });
}

async function superviseChild(ctx: CliContext, lock: HeldLock, command: readonly string[], ttlMs: number): Promise<{ readonly exitCode: number; readonly lostReason: string | null }> {
  const child = startChild(command, lock);
  const { termGraceMs, marginMs } = killTimings(ttlMs);
  const guard = new ChildGuard(child, termGraceMs, marginMs);
  const offState = lock.session.on('state', (event) => {
    if (event.type === 'SUSPENDED') guard.leaseEndsIn(event.remainingMs, `keepalives failed and the lease was about to run out`);
    if (event.type === 'RECONNECTED') guard.cancelDeadline();
  });
  void lock.lost.then((lost) => guard.terminateNow(`the lock was lost: ${lost.message}`));
  const forward = (signal: NodeJS.Signals): void => {
    if (!guard.exited) child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  try {
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null } | { error: Error }>((resolve) => {
      child.once('error', (error) => resolve({ error }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    if ('error' in exit) {
      ctx.printer.note(`corral: cannot run ${command[0]}: ${exit.error.message}`);
      return { exitCode: EXIT_CANNOT_RUN, lostReason: null };
    }
    return { exitCode: exitCodeOf(exit.code, exit.signal), lostReason: guard.reason };
  } finally {
    guard.clear();
    offState();
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
  }
}

async function run(ctx: CliContext, [name, ...command]: readonly string[], options: RunOptions): Promise<number> {
  if (command.length === 0) throw new UsageError('lock run needs a command: corral lock run <name> -- <command> [args...]');
  const session = await ctx.client.session({ ttlMs: options.ttl, timeoutMs: ctx.timeoutMs });
  try {
    const lock = await ctx.client.lock(name, { session, waitMs: options.wait ?? 0, timeoutMs: ctx.timeoutMs });
    const outcome = await superviseChild(ctx, lock, command, options.ttl);
    if (outcome.lostReason !== null) {
      ctx.printer.note(`corral: ${outcome.lostReason}; the command was terminated`);
      // Best effort only: the cluster was unreachable a moment ago.
      await session.close({ timeoutMs: Math.min(ctx.timeoutMs, LOST_CLEANUP_MS) }).catch(() => undefined);
      return EXIT_LOCK_LOST;
    }
    await lock.release({ timeoutMs: ctx.timeoutMs }).catch((error: unknown) => ctx.printer.note(`corral: releasing ${lock.name} failed: ${String((error as Error).message ?? error)}`));
    return outcome.exitCode;
  } finally {
    await session.close({ timeoutMs: ctx.timeoutMs }).catch(() => undefined);
  }
}

export function registerLockRunCommand(lock: Command, slot: ExitSlot): void {
  lock
    .command('run')
    .description('run a command while holding a lock; exits with its code (4 if the lock was lost and the command stopped)')
    .argument('<name>', 'lock name (a path; jobs/x means /jobs/x)')
    .argument('<command...>', 'the command and its arguments, after --')
    .option('--ttl <duration>', 'session TTL: how soon the lock frees itself if corral dies (default 15s)', parsePositiveDurationMs, LOCK_RUN_TTL_MS_DEFAULT)
    .option('--wait <duration>', 'wait this long if the lock is held (default: do not wait)', parseDurationMs)
    .action(actionOf<RunOptions>(slot, run));
}
