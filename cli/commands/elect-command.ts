// corral elect <name> <value>: campaign; print when leading; resign on SIGINT/SIGTERM.
// Exits 0 after resigning, 1 if leadership is lost while leading.

import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { actionOf, type ExitSlot, untilStopSignal } from '../command-kit';
import { parsePositiveDurationMs } from '../durations';
import { CliFailure, EXIT_FAILED } from '../exit-codes';

interface ElectOptions {
  readonly ttl: number;
}

const ELECT_TTL_MS_DEFAULT = 10_000;

async function elect(ctx: CliContext, [name, value]: readonly string[], options: ElectOptions): Promise<void> {
  const stop = new AbortController();
  const signals = untilStopSignal();
  void signals.stopped.then(() => stop.abort());
  const session = await ctx.client.session({ ttlMs: options.ttl, timeoutMs: ctx.timeoutMs });
  const election = ctx.client.election(name);
  try {
    ctx.printer.note(`corral: campaigning for ${election.path}`);
    const leadership = await election.campaign(value, { session, signal: stop.signal });
    ctx.printer.result(`leading ${election.path} (token ${leadership.token})`, { event: 'leading', name: election.path, value, token: leadership.token, sessionId: leadership.lock.sessionId });
    const outcome = await Promise.race([signals.stopped, leadership.lost]);
    if (typeof outcome !== 'string') throw new CliFailure(`leadership of ${election.path} lost: ${outcome.message}`, EXIT_FAILED);
    await leadership.resign({ timeoutMs: ctx.timeoutMs });
    ctx.printer.result(`resigned ${election.path}`, { event: 'resigned', name: election.path });
  } catch (error) {
    // Stopped while still campaigning: not an error.
    if (stop.signal.aborted && (error as { code?: string }).code === 'cancelled') return;
    throw error;
  } finally {
    signals.dispose();
    await session.close({ timeoutMs: ctx.timeoutMs }).catch(() => undefined);
  }
}

export function registerElectCommand(program: Command, slot: ExitSlot): void {
  program
    .command('elect')
    .description('campaign to lead <name> with <value>; prints when leading; resigns when stopped')
    .argument('<name>', 'election name (a path; jobs/leader means /jobs/leader)')
    .argument('<value>', 'what this candidate advertises while leading')
    .option('--ttl <duration>', 'session TTL: how soon leadership frees itself if corral dies (default 10s)', parsePositiveDurationMs, ELECT_TTL_MS_DEFAULT)
    .action(actionOf<ElectOptions>(slot, elect));
}
