// Client child processes (client-child.ts) for the coordination tests: spawn, read their
// JSON-line events, wait for an event, SIGKILL. Every child started is killed by `killAll`
// and, as a last resort, when the test process exits (children also exit when their stdin
// closes).

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(__dirname, 'client-child.ts');
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export type ChildEvent = Record<string, unknown> & { readonly event: string; readonly atMs: number };

export class ChildClient {
  readonly events: ChildEvent[] = [];
  private readonly waiters = new Set<() => void>();
  private stderr = '';
  exited = false;

  private constructor(readonly name: string, private readonly child: ChildProcess) {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        this.events.push({ ...(JSON.parse(line) as { event: string }), atMs: Date.now() });
      }
      this.wake();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    child.once('exit', () => {
      this.exited = true;
      live.delete(child);
      this.wake();
    });
  }

  static start(name: string, args: Record<string, unknown>): ChildClient {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', SCRIPT, JSON.stringify(args)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    live.add(child);
    return new ChildClient(name, child);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** The first event matching `predicate` (waiting for it up to `timeoutMs`). */
  waitFor(what: string, predicate: (event: ChildEvent) => boolean, timeoutMs: number): Promise<ChildEvent> {
    const found = this.events.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<ChildEvent>((resolve, reject) => {
      const wake = (): void => {
        const event = this.events.find(predicate);
        const failed = this.events.find((e) => e.event === 'failed');
        if (event === undefined && failed === undefined && !this.exited) return;
        clearTimeout(timer);
        this.waiters.delete(wake);
        if (event !== undefined) resolve(event);
        else reject(new Error(`${this.name} ${failed !== undefined ? `failed: ${JSON.stringify(failed)}` : 'exited'} before ${what}; stderr: ${this.stderr}`));
      };
      const timer = setTimeout(() => {
        this.waiters.delete(wake);
        reject(new Error(`${this.name}: timed out after ${timeoutMs} ms waiting for ${what}; stderr: ${this.stderr}`));
      }, timeoutMs);
      this.waiters.add(wake);
    });
  }

  /** Writes one line on the child's stdin. */
  send(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  /** SIGKILL; resolves once the process is gone. */
  async kill(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }
}

export async function killAll(children: readonly ChildClient[]): Promise<void> {
  await Promise.all(children.map((child) => child.kill()));
}
