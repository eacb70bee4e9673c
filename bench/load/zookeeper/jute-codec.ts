// ZooKeeper's wire encoding ("jute"): big-endian ints and longs, length-prefixed strings and
// buffers (-1 for null), count-prefixed vectors. Only what the benchmark's client needs.

import { assert } from '../../../server/util/assert';

/** Largest frame the client accepts (ZooKeeper's own default jute.maxbuffer is ~1 MB). */
export const FRAME_BYTES_MAX = 4 * 1024 * 1024;

export class JuteWriter {
  private chunks: Buffer[] = [];
  private length = 0;

  private push(chunk: Buffer): this {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return this;
  }

  int(value: number): this {
    assert(Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31, `int out of range: ${value}`);
    const chunk = Buffer.alloc(4);
    chunk.writeInt32BE(value, 0);
    return this.push(chunk);
  }

  long(value: bigint): this {
    const chunk = Buffer.alloc(8);
    chunk.writeBigInt64BE(value, 0);
    return this.push(chunk);
  }

  bool(value: boolean): this {
    return this.push(Buffer.from([value ? 1 : 0]));
  }

  buffer(value: Buffer | null): this {
    if (value === null) return this.int(-1);
    return this.int(value.length).push(value);
  }

  string(value: string | null): this {
    return this.buffer(value === null ? null : Buffer.from(value, 'utf8'));
  }

  /** The frame: a 4-byte length, then everything written. */
  frame(): Buffer {
    const header = Buffer.alloc(4);
    header.writeInt32BE(this.length, 0);
    return Buffer.concat([header, ...this.chunks], 4 + this.length);
  }
}

export class JuteReader {
  private offset = 0;

  constructor(private readonly bytes: Buffer) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(count: number): void {
    if (this.offset + count > this.bytes.length) throw new JuteDecodeError(`need ${count} bytes at offset ${this.offset}, frame has ${this.bytes.length}`);
  }

  int(): number {
    this.need(4);
    const value = this.bytes.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  long(): bigint {
    this.need(8);
    const value = this.bytes.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  bool(): boolean {
    this.need(1);
    return this.bytes[this.offset++] !== 0;
  }

  buffer(): Buffer | null {
    const length = this.int();
    if (length < 0) return null;
    this.need(length);
    const value = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  string(): string | null {
    const value = this.buffer();
    return value === null ? null : value.toString('utf8');
  }

  strings(): string[] {
    const count = this.int();
    const result: string[] = [];
    for (let i = 0; i < count; i++) result.push(this.string() ?? '');
    return result;
  }
}

export class JuteDecodeError extends Error {
  override readonly name = 'JuteDecodeError';
}

/** Splits a byte stream into frames (4-byte big-endian length, then the body). */
export class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);

  /** Appends `chunk` and returns every complete frame body it finished. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    // Bounded: every iteration consumes at least 4 bytes of `pending`.
    while (this.pending.length >= 4) {
      const length = this.pending.readInt32BE(0);
      if (length < 0 || length > FRAME_BYTES_MAX) throw new JuteDecodeError(`frame length ${length} outside 0..${FRAME_BYTES_MAX}`);
      if (this.pending.length < 4 + length) break;
      frames.push(this.pending.subarray(4, 4 + length));
      this.pending = this.pending.subarray(4 + length);
    }
    return frames;
  }
}
