// Runs asynchronous operations one at a time, in call order, with a bound on how many may
// wait. The node store needs this because the rocksdb binding executes calls on a thread
// pool: two batches issued without awaiting the first may commit in either order.

import { StorageError } from './storage-error';

export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private waitingCalls = 0;
  private backgroundTasks = 0;

  /**
   * @param callsMax bound on calls (not background tasks) queued or running.
   * @param onFailure told of every failure of a call or background task (the store uses it
   *        to poison itself after an I/O error); it must not throw.
   */
  constructor(
    private readonly callsMax: number,
    private readonly onFailure: (error: unknown) => void,
  ) {}

  /** Calls and background tasks queued or running. */
  get size(): number {
    return this.waitingCalls + this.backgroundTasks;
  }

  /**
   * Runs `operation` after everything queued before it; fails 'queue-full' past the bound.
   * `followUp`, if given, is queued right behind it as a background task nobody awaits
   * (e.g. clearing records the operation made dead): it runs after the operation settles
   * and before any later call.
   */
  run<T>(operation: () => Promise<T>, followUp?: () => Promise<void>): Promise<T> {
    if (this.waitingCalls >= this.callsMax) {
      return Promise.reject(new StorageError('queue-full', `more than ${this.callsMax} storage calls queued (queuedCallsMax)`));
    }
    this.waitingCalls += 1;
    const result = this.tail.then(operation);
    this.tail = result.then(
      () => {
        this.waitingCalls -= 1;
      },
      (error: unknown) => {
        this.waitingCalls -= 1;
        this.onFailure(error);
      },
    );
    if (followUp !== undefined) this.runInBackground(followUp);
    return result;
  }

  /** At most one background task is queued per call, so the bound on calls bounds these
   *  too. Failures go to `onFailure`. */
  private runInBackground(task: () => Promise<void>): void {
    this.backgroundTasks += 1;
    this.tail = this.tail.then(task).then(
      () => {
        this.backgroundTasks -= 1;
      },
      (error: unknown) => {
        this.backgroundTasks -= 1;
        this.onFailure(error);
      },
    );
  }

  /** Resolves once everything queued so far has finished (never rejects). */
  drain(): Promise<void> {
    return this.tail;
  }
}
