// Admission of client requests, and the count of those in flight. Graceful shutdown closes
// the gate (new client calls are answered UNAVAILABLE: retry elsewhere) and then waits,
// bounded, for the unary calls already admitted to finish. Streams (watches, keepalives)
// never finish on their own, so they are counted but not waited for.

import { assert } from '../util/assert';

export type CallKind = 'unary' | 'stream';

export class RequestGate {
  private closedValue = false;
  private unaryInFlight = 0;
  private streamsInFlight = 0;
  private readonly idleWaiters = new Set<() => void>();

  get closed(): boolean {
    return this.closedValue;
  }

  get inFlight(): { readonly unary: number; readonly streams: number } {
    return { unary: this.unaryInFlight, streams: this.streamsInFlight };
  }

  /** Stops admitting client calls. Irreversible: a node that drains is going away. */
  close(): void {
    this.closedValue = true;
  }

  /** Admits a call (returns false once closed); every admitted call must be `leave`d once. */
  enter(kind: CallKind): boolean {
    if (this.closedValue) return false;
    if (kind === 'unary') this.unaryInFlight += 1;
    else this.streamsInFlight += 1;
    return true;
  }

  leave(kind: CallKind): void {
    if (kind === 'unary') {
      assert(this.unaryInFlight > 0, 'unary call left the gate twice');
      this.unaryInFlight -= 1;
      if (this.unaryInFlight === 0) for (const wake of [...this.idleWaiters]) wake();
    } else {
      assert(this.streamsInFlight > 0, 'stream left the gate twice');
      this.streamsInFlight -= 1;
    }
  }

  /** Resolves true once no unary call is in flight, or false after `timeoutMs`. */
  waitIdle(timeoutMs: number): Promise<boolean> {
    if (this.unaryInFlight === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.idleWaiters.delete(wake);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.idleWaiters.delete(wake);
        resolve(false);
      }, Math.max(0, timeoutMs));
      this.idleWaiters.add(wake);
    });
  }
}
