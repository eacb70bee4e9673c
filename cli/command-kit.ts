// Glue between commander and the command implementations: every action gets a CliContext
// built from the global options, its positional arguments and its own typed options, and
// returns the exit code. The client is closed however the action ends.

import type { Command } from 'commander';
import { CliContext, type GlobalOptions } from './cli-context';
import { EXIT_OK } from './exit-codes';

export type Handler<Options> = (ctx: CliContext, args: readonly string[], options: Options) => Promise<number | void>;

/** Where actions leave their exit code for runCliMain. */
export interface ExitSlot {
  exitCode: number;
}

export function actionOf<Options>(slot: ExitSlot, handler: Handler<Options>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const globals = command.optsWithGlobals() as GlobalOptions;
    const positional = args.slice(0, -2).flatMap((a) => (Array.isArray(a) ? a.map(String) : a === undefined ? [] : [String(a)]));
    const ctx = new CliContext(globals);
    try {
      const code = await handler(ctx, positional, command.opts() as Options);
      slot.exitCode = code ?? EXIT_OK;
    } finally {
      ctx.close();
    }
  };
}

/** Longest a ref'd timer may be set for; the hold is re-armed by the interval anyway. */
const HOLD_INTERVAL_MS = 1 << 30;

/** Resolves with the first SIGINT or SIGTERM (or when `signal` aborts), then stops listening.
 *  Until disposed it also holds the process open: signal listeners do not, and the SDK's
 *  keepalive timers are unref'd by design, so a command that only waits would otherwise
 *  exit the moment nothing else is pending. */
export function untilStopSignal(signal?: AbortSignal): { readonly stopped: Promise<NodeJS.Signals | 'aborted'>; readonly dispose: () => void } {
  let dispose = (): void => undefined;
  const hold = setInterval(() => undefined, HOLD_INTERVAL_MS);
  const stopped = new Promise<NodeJS.Signals | 'aborted'>((resolve) => {
    const onSignal = (name: NodeJS.Signals): void => {
      dispose();
      resolve(name);
    };
    const onAbort = (): void => {
      dispose();
      resolve('aborted');
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    signal?.addEventListener('abort', onAbort, { once: true });
    dispose = () => {
      clearInterval(hold);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      signal?.removeEventListener('abort', onAbort);
    };
  });
  return { stopped, dispose };
}
