// Installs a system's Debian packages when its binaries are absent (and only then), saying
// what it runs. The benchmark runs as root on the project's machines; elsewhere it explains.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Bound on each apt-get step (update, install). */
export const APT_STEP_TIMEOUT_MS = 10 * 60 * 1000;

export class InstallError extends Error {
  override readonly name = 'InstallError';
}

export function onPath(binary: string): boolean {
  const dirs = (process.env.PATH ?? '').split(':').filter((d) => d !== '');
  return dirs.some((dir) => existsSync(`${dir}/${binary}`));
}

function run(command: string, args: readonly string[], log: (line: string) => void): void {
  log(`  $ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: APT_STEP_TIMEOUT_MS, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.error !== undefined) throw new InstallError(`${command} ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0) throw new InstallError(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr.toString().trim().split('\n').slice(-3).join(' | ')}`);
}

/** Runs `apt-get update && apt-get install -y <packages>` unless `present()` already holds. */
export function ensureDebianPackages(what: string, packages: readonly string[], present: () => boolean, log: (line: string) => void): void {
  if (present()) return;
  if (!onPath('apt-get')) throw new InstallError(`${what} is not installed and apt-get is not available: install ${packages.join(' ')} yourself`);
  if (typeof process.getuid === 'function' && process.getuid() !== 0) throw new InstallError(`${what} is not installed: run \`sudo apt-get install -y ${packages.join(' ')}\` (the benchmark is not root)`);
  log(`${what} is not installed: installing Debian packages ${packages.join(', ')}`);
  run('apt-get', ['update'], log);
  run('apt-get', ['install', '-y', ...packages], log);
  if (!present()) throw new InstallError(`${what}: installed ${packages.join(' ')} but the binaries are still missing`);
}
