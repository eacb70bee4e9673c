// `client.watch(...)`: a WatchStream (watch-stream.ts) as an AsyncIterable<WatchEvent> with a
// bounded buffer. Beyond `bufferEventsMax` undelivered events the stream is paused (HTTP/2
// flow control, then the server's own bounded queue, which cancels a slow consumer with the
// revision to resume from; the stream resumes there by itself).
//
// Compaction is surfaced by THROWING a CompactedError from the iterator once the events
// before it are consumed; `error.details.revision` is the revision to re-list at. `closed`
// settles when the watch ends, whatever the reason, and never rejects.

import type { CorralError } from './errors';
import { EventQueue } from './event-queue';
import { type WatchDeps, type WatchEnd, type WatchEvent, type WatchOptions, WatchStream } from './watch-stream';

export type { WatchDeps, WatchEnd, WatchEvent, WatchKind, WatchOptions } from './watch-stream';

const BUFFER_EVENTS_MAX_DEFAULT = 10_000;

export class Watch implements AsyncIterable<WatchEvent> {
  readonly closed: Promise<WatchEnd>;
  private resolveClosed!: (end: WatchEnd) => void;
  private readonly queue: EventQueue<WatchEvent>;
  private readonly stream: WatchStream;

  constructor(path: string, options: WatchOptions, deps: WatchDeps) {
    const high = options.bufferEventsMax ?? BUFFER_EVENTS_MAX_DEFAULT;
    if (!Number.isSafeInteger(high) || high < 2) throw new RangeError(`bufferEventsMax must be an integer >= 2, got ${high}`);
    this.queue = new EventQueue<WatchEvent>({ highWater: high, lowWater: Math.floor(high / 2) }, (paused) => this.stream.pressure(paused));
    this.closed = new Promise<WatchEnd>((resolve) => {
      this.resolveClosed = resolve;
    });
    this.stream = new WatchStream(path, options, deps, {
      event: (event) => this.queue.push(event),
      replayDone: () => undefined,
      end: (end) => {
        if (end.reason === 'error') this.queue.fail(end.error);
        else this.queue.end();
        this.resolveClosed(end);
      },
    });
  }

  get path(): string {
    return this.stream.path;
  }

  /** Every event below this revision has been received (0: none yet, watching from now). */
  get nextRevision(): number {
    return this.stream.nextRevision;
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    return {
      next: () => this.queue.next(),
      return: async () => {
        this.close();
        return { value: undefined, done: true };
      },
    };
  }

  close(): void {
    this.stream.close();
  }
}

export function watchError(end: WatchEnd): CorralError | null {
  return end.reason === 'error' ? end.error : null;
}
