// corral watch: one line per event until --count events, Ctrl-C, or an error.

import type { Command } from 'commander';
import type { WatchEvent, WatchKind } from '../../client-sdk';
import type { CliContext } from '../cli-context';
import { actionOf, type ExitSlot, untilStopSignal } from '../command-kit';
import { parsePositiveCount } from '../durations';
import { UsageError } from '../exit-codes';
import { inlineText, valueFields } from '../output';

interface WatchOptions {
  readonly recursive?: boolean;
  readonly children?: boolean;
  readonly fromRevision?: number;
  readonly replay?: boolean;
  readonly count?: number;
}

export function eventLine(event: WatchEvent): string {
  const shown = event.type === 'REMOVE' ? (event.prevValue ?? Buffer.alloc(0)) : event.value;
  return `${event.type} ${event.path} ${event.revision} ${inlineText(shown)}`;
}

export function eventObject(event: WatchEvent): Record<string, unknown> {
  return { type: event.type, path: event.path, revision: event.revision, ...valueFields(event.value), ...valueFields(event.prevValue, 'prevValue') };
}

async function watch(ctx: CliContext, [path]: readonly string[], options: WatchOptions): Promise<void> {
  if (options.recursive === true && options.children === true) throw new UsageError('--recursive and --children do not go together');
  if (options.replay === true && options.fromRevision !== undefined) throw new UsageError('--replay and --from-revision do not go together');
  const kind: WatchKind = options.recursive === true ? 'subtree' : options.children === true ? 'children' : 'path';
  const stop = new AbortController();
  const signals = untilStopSignal();
  void signals.stopped.then(() => stop.abort());
  const watcher = ctx.client.watch(path, { kind, signal: stop.signal, ...(options.replay === true ? { replay: true } : {}), ...(options.fromRevision !== undefined ? { fromRevision: options.fromRevision } : {}) });
  let seen = 0;
  try {
    for await (const event of watcher) {
      ctx.printer.result(eventLine(event), eventObject(event));
      seen += 1;
      // Bounded by --count when given; otherwise it runs until stopped, as asked.
      if (options.count !== undefined && seen >= options.count) break;
    }
  } finally {
    signals.dispose();
    watcher.close();
  }
}

export function registerWatchCommand(program: Command, slot: ExitSlot): void {
  program
    .command('watch')
    .description('print changes of a node (--children: its children, --recursive: its subtree), one line each')
    .argument('<path>')
    .option('--recursive', 'the node and everything below it')
    .option('--children', 'the node\'s immediate children')
    .option('--from-revision <n>', 'start from this past revision', parsePositiveCount)
    .option('--replay', 'start with the current state as ADD events')
    .option('--count <n>', 'exit after n events', parsePositiveCount)
    .action(actionOf<WatchOptions>(slot, watch));
}
