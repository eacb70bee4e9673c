// One `corral server` process run directly (not through TestCluster), for tests about how
// the binary starts or refuses to: its output, its exit code and how long it took.
// Every process started is killed when the test process exits, as a last resort.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(__dirname, '..', '..', 'bin', 'corral');
const started = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

export type ServerOutcome =
  | { readonly kind: 'serving'; readonly afterMs: number }
  | { readonly kind: 'exited'; readonly code: number | null; readonly afterMs: number };

export class ServerProcess {
  stdout = '';
  stderr = '';
  private readonly child: ChildProcess;
  private readonly startedAtMs = Date.now();
  private readonly exited: Promise<number | null>;

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, [BIN, 'server', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.add(this.child);
    this.child.stdout!.on('data', (chunk: Buffer) => { this.stdout += chunk.toString(); });
    this.child.stderr!.on('data', (chunk: Buffer) => { this.stderr += chunk.toString(); });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => {
      started.delete(this.child);
      resolve(code);
    }));
  }

  /** Serving (printed its banner) or exited, whichever comes first, within `timeoutMs`. */
  async outcome(timeoutMs: number): Promise<ServerOutcome> {
    let timer: NodeJS.Timeout | undefined;
    let poll: NodeJS.Timeout | undefined;
    const serving = new Promise<ServerOutcome>((resolve) => {
      poll = setInterval(() => {
        if (this.stdout.includes('serving on')) resolve({ kind: 'serving', afterMs: Date.now() - this.startedAtMs });
      }, 20);
    });
    const exited = this.exited.then((code): ServerOutcome => ({ kind: 'exited', code, afterMs: Date.now() - this.startedAtMs }));
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`server neither served nor exited within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`)), timeoutMs);
    });
    try {
      return await Promise.race([serving, exited, timeout]);
    } finally {
      clearTimeout(timer);
      clearInterval(poll);
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((r) => { timer = setTimeout(r, graceMs); })]);
    clearTimeout(timer);
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}
