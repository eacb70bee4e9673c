// The run's trace: an always-on numeric digest of every event (cheap, for determinism
// checks), plus optional text lines, one per event, built only when someone listens.

export class Trace {
  private hash = 0x811c9dc5;
  private linesCount = 0;

  constructor(private readonly sink: ((line: string) => void) | null) {}

  get enabled(): boolean {
    return this.sink !== null;
  }

  get digest(): string {
    return (this.hash >>> 0).toString(16).padStart(8, '0');
  }

  get lines(): number {
    return this.linesCount;
  }

  /** Mixes small integers describing an event into the digest (FNV-1a over 32-bit words). */
  mix(a: number, b = 0, c = 0, d = 0): void {
    this.hash = mixWord(this.hash, a);
    this.hash = mixWord(this.hash, b);
    this.hash = mixWord(this.hash, c);
    this.hash = mixWord(this.hash, d);
  }

  /** Emits one line; `format` runs only when tracing is on. The digest does not depend on
   *  whether tracing is on. */
  line(time: number, format: () => string): void {
    if (this.sink === null) return;
    this.linesCount += 1;
    this.sink(`t=${time} ${format()}`);
  }
}

function mixWord(hash: number, word: number): number {
  return Math.imul(hash ^ (word | 0), 0x01000193) >>> 0;
}

/** FNV-1a over bytes, for entry payloads and snapshots. */
export function hashBytes(data: Uint8Array, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let i = 0; i < data.length; i += 1) hash = Math.imul(hash ^ data[i], 0x01000193) >>> 0;
  return hash;
}
