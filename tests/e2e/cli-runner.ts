// Runs the real `bin/corral` binary as a child process for e2e tests: captures stdout,
// stderr, the exit code and how long it took; kills it (SIGKILL) if it outlives its bound.
// Every process started here is tracked and killed when the test process exits.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'corral');

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export interface CliOptions {
  readonly endpoints?: string;
  readonly input?: string;
  /** Killed after this long (the test then sees a null code). Default 60 s. */
  readonly killAfterMs?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

export interface RunningCli {
  readonly child: ChildProcess;
  readonly result: Promise<CliResult>;
  /** Resolves with the stdout so far once it contains `text`. */
  waitForOutput(text: string | RegExp, timeoutMs?: number): Promise<string>;
}

export function startCli(args: readonly string[], options: CliOptions = {}): RunningCli {
  const startMs = Date.now();
  const env: NodeJS.ProcessEnv = { ...process.env, ...(options.env ?? {}) };
  if (options.endpoints !== undefined) env.CORRAL_ENDPOINTS = options.endpoints;
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd: options.cwd ?? ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  let stdout = '';
  let stderr = '';
  const outputWaiters: (() => void)[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    for (const waiter of outputWaiters.splice(0)) waiter();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdin!.end(options.input ?? '');
  const killTimer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 60_000);
  const result = new Promise<CliResult>((resolve) => {
    child.once('close', (code, signal) => {
      clearTimeout(killTimer);
      live.delete(child);
      for (const waiter of outputWaiters.splice(0)) waiter();
      resolve({ code, signal, stdout, stderr, durationMs: Date.now() - startMs });
    });
  });
  const waitForOutput = async (text: string | RegExp, timeoutMs = 30_000): Promise<string> => {
    const deadlineMs = Date.now() + timeoutMs;
    const matches = (): boolean => (typeof text === 'string' ? stdout.includes(text) : text.test(stdout));
    // Bounded: every wake-up is new output or the process's end; the deadline ends the loop.
    while (!matches()) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`corral ${args.join(' ')} exited before printing ${String(text)}; stdout: ${stdout}; stderr: ${stderr}`);
      const remainingMs = deadlineMs - Date.now();
      if (remainingMs <= 0) throw new Error(`timed out waiting for ${String(text)} from corral ${args.join(' ')}; stdout: ${stdout}; stderr: ${stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remainingMs);
        outputWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return stdout;
  };
  return { child, result, waitForOutput };
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).result;
}

/** Parses each stdout line as JSON. */
export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}
