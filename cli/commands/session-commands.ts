// corral session ls <namespace>.

import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { actionOf, type ExitSlot } from '../command-kit';
import { UsageError } from '../exit-codes';
import { table } from '../output';

async function listSessions(ctx: CliContext, [namespace]: readonly string[]): Promise<void> {
  if (namespace === undefined) throw new UsageError('session ls needs a namespace (the first path segment), e.g. `corral session ls services`');
  const sessions = await ctx.client.sessions.list(namespace);
  if (ctx.printer.json) {
    ctx.printer.object({ namespace: namespace.replace(/^\//, ''), sessions });
    return;
  }
  ctx.printer.line(table(['SESSION', 'TTL_MS', 'REMAINING_MS', 'EPHEMERALS', 'LOCKS'], sessions.map((s) => [s.sessionId, s.ttlMs, s.remainingMs, s.ephemeralCount, s.locksHeld])));
}

export function registerSessionCommands(program: Command, slot: ExitSlot): void {
  const session = program.command('session').description('sessions (leases that hold ephemeral nodes and locks)');
  session
    .command('ls')
    .description('list the sessions of a namespace\'s group')
    .argument('[namespace]', 'first path segment, e.g. services')
    .action(actionOf(slot, listSessions));
}
