// corral register: hold an ephemeral node alive while this process runs (for shell services).
// Ctrl-C / SIGTERM closes the session (the node goes at once) and exits 0; if the session is
// lost, the node is gone and the command exits 1.

import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { actionOf, type ExitSlot, untilStopSignal } from '../command-kit';
import { parsePositiveDurationMs } from '../durations';
import { CliFailure, EXIT_FAILED } from '../exit-codes';

interface RegisterOptions {
  readonly ttl: number;
}

async function register(ctx: CliContext, [path, value]: readonly string[], options: RegisterOptions): Promise<void> {
  const session = await ctx.client.session({ ttlMs: options.ttl, timeoutMs: ctx.timeoutMs });
  const signals = untilStopSignal();
  try {
    const put = await ctx.client.put(path, value, { ephemeral: true, session, timeoutMs: ctx.timeoutMs });
    const sessionId = put.stat.ephemeralOwner;
    ctx.printer.result(`registered ${path} (session ${sessionId}, ttl ${session.ttlMs} ms)`, { event: 'registered', path, sessionId, ttlMs: session.ttlMs });
    session.on('state', (event) => {
      if (event.type === 'SUSPENDED') ctx.printer.note(`corral: connection to the cluster suspended; ${event.remainingMs} ms of lease left`);
      if (event.type === 'RECONNECTED') ctx.printer.note('corral: reconnected');
    });
    const outcome = await Promise.race([signals.stopped, session.ended]);
    if (typeof outcome !== 'string') throw new CliFailure(`session lost (${outcome.reason}); ${path} was removed`, EXIT_FAILED);
  } finally {
    signals.dispose();
    await session.close({ timeoutMs: ctx.timeoutMs }).catch(() => undefined);
  }
}

export function registerRegisterCommand(program: Command, slot: ExitSlot): void {
  program
    .command('register')
    .description('create an ephemeral node and keep it alive until this process is stopped')
    .argument('<path>')
    .argument('<value>')
    .requiredOption('--ttl <duration>', 'session TTL: the node vanishes this long after the process dies', parsePositiveDurationMs)
    .action(actionOf<RegisterOptions>(slot, register));
}
