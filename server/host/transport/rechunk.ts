// Re-cuts a stream of byte arrays of any sizes into pieces of exactly `pieceBytes` (the
// last one may be shorter), and marks the last piece, which the snapshot stream needs to
// set its `last` flag. Copies only to merge small inputs; large inputs are sliced as views.

import { assert } from '../../util/assert';

export interface Piece {
  readonly data: Uint8Array;
  readonly last: boolean;
}

/** Yields at least one piece (an empty last piece when the source is empty). */
export async function* rechunk(source: AsyncIterable<Uint8Array>, pieceBytes: number): AsyncGenerator<Piece> {
  assert(Number.isSafeInteger(pieceBytes) && pieceBytes > 0, 'piece size must be a positive integer');
  const cutter = new PieceCutter(pieceBytes);
  let held: Uint8Array | null = null; // one piece of lookahead, to know which one is last
  for await (const input of source) {
    for (const piece of cutter.add(input)) {
      if (held !== null) yield { data: held, last: false };
      held = piece;
    }
  }
  const tail = cutter.rest();
  if (tail.length > 0) {
    if (held !== null) yield { data: held, last: false };
    held = tail;
  }
  yield { data: held ?? new Uint8Array(0), last: true };
}

/** The synchronous part: full pieces out as soon as they are complete. */
export class PieceCutter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;

  constructor(private readonly pieceBytes: number) {}

  /** The full pieces completed by `input` (possibly none). */
  add(input: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let offset = 0;
    while (offset < input.length) {
      const room = this.pieceBytes - this.pendingBytes;
      const take = Math.min(room, input.length - offset);
      const part = input.subarray(offset, offset + take);
      offset += take;
      if (this.pendingBytes === 0 && take === this.pieceBytes) {
        out.push(part); // a whole piece straight from the input: no copy
        continue;
      }
      this.pending.push(part);
      this.pendingBytes += take;
      if (this.pendingBytes === this.pieceBytes) out.push(this.drain());
    }
    assert(this.pendingBytes < this.pieceBytes, 'a full piece is never left pending');
    return out;
  }

  /** What is left (shorter than a piece), emptying the cutter. */
  rest(): Uint8Array {
    return this.drain();
  }

  private drain(): Uint8Array {
    const joined = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    return new Uint8Array(joined.buffer, joined.byteOffset, joined.length);
  }
}
