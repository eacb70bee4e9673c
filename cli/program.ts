// The `corral` command tree (commander). `corral server` and `corral dev` are dispatched to
// the server by bin/corral before this is reached; they are listed here for help only.

import { Command, Option } from 'commander';
import { DEFAULT_ENDPOINTS } from './cli-context';
import type { ExitSlot } from './command-kit';
import { registerClusterCommands } from './commands/cluster-commands';
import { registerElectCommand } from './commands/elect-command';
import { registerKvCommands } from './commands/kv-commands';
import { registerLockCommands } from './commands/lock-commands';
import { registerRegisterCommand } from './commands/register-command';
import { registerSessionCommands } from './commands/session-commands';
import { registerTxnCommand } from './commands/txn-command';
import { registerWatchCommand } from './commands/watch-command';
import { parsePositiveDurationMs } from './durations';

export interface ProgramIo {
  readonly writeOut: (text: string) => void;
  readonly writeErr: (text: string) => void;
}

export function buildProgram(slot: ExitSlot, io: ProgramIo): Command {
  const program = new Command('corral');
  program
    .description('Corral: ephemeral nodes, watches and locks from the shell')
    .addOption(new Option('--endpoints <list>', `comma-separated host:port of Corral nodes (env CORRAL_ENDPOINTS; default ${DEFAULT_ENDPOINTS})`))
    .option('--json', 'machine-readable output: one JSON object per line')
    .option('--timeout <duration>', 'bound on each operation, retries included (default 10s)', parsePositiveDurationMs)
    .exitOverride()
    .configureOutput({ writeOut: io.writeOut, writeErr: io.writeErr, outputError: () => undefined })
    .showSuggestionAfterError(true)
    .addHelpText('after', '\nExit codes: 0 ok, 1 operation failed, 2 usage error, 3 lock wait timed out, 4 lock lost during `lock run`.\nServer: corral server ... | corral dev ... (see `corral server --help`).');
  registerKvCommands(program, slot);
  registerWatchCommand(program, slot);
  registerRegisterCommand(program, slot);
  registerLockCommands(program, slot);
  registerElectCommand(program, slot);
  registerTxnCommand(program, slot);
  registerSessionCommands(program, slot);
  registerClusterCommands(program, slot);
  // Subcommands inherit exitOverride and output settings.
  for (const command of program.commands) applyCommanderSettings(command, io);
  return program;
}

function applyCommanderSettings(command: Command, io: ProgramIo): void {
  command.exitOverride().configureOutput({ writeOut: io.writeOut, writeErr: io.writeErr, outputError: () => undefined }).showSuggestionAfterError(true);
  for (const sub of command.commands) applyCommanderSettings(sub, io);
}
