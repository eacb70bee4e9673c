// Entry point of the client CLI: `runCliMain(argv)` (argv without `node` and the script).
// It never throws and never calls process.exit: it sets process.exitCode (0 ok, 1 failed,
// 2 usage, 3 lock wait timed out, 4 lock lost) and prints failures as one line on stderr.

import { CommanderError } from 'commander';
import { EXIT_USAGE, reportOf } from './exit-codes';
import { buildProgram } from './program';

export async function runCliMain(argv: string[]): Promise<void> {
  const slot = { exitCode: 0 };
  const json = argv.includes('--json');
  const program = buildProgram(slot, {
    writeOut: (text) => process.stdout.write(text),
    writeErr: (text) => process.stderr.write(text),
  });
  if (argv.length === 0) {
    process.stderr.write(program.helpInformation());
    process.exitCode = EXIT_USAGE;
    return;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    process.exitCode = slot.exitCode;
  } catch (error) {
    const report = reportOf(error);
    // Help (asked for, or shown for a command group given no subcommand) is already printed.
    const helpShown = error instanceof CommanderError && (error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version');
    if (!helpShown) {
      const line = json ? JSON.stringify({ error: { code: report.code, message: report.message } }) : `corral: ${report.message}`;
      process.stderr.write(`${line}\n`);
    }
    process.exitCode = report.exitCode;
  }
}
