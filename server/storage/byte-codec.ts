// Big-endian fixed-width integers for keys and record payloads. Unsigned 64-bit values are
// JavaScript numbers below 2^53 (Raft indexes and terms never get near it); anything larger
// is rejected on write (assertion) and on read (a decode failure).

import { assert } from '../util/assert';

export const U32_MAX = 0xffffffff;
const TWO_POW_32 = 0x1_0000_0000;

export function writeU32(target: Buffer, offset: number, value: number): number {
  assert(Number.isInteger(value) && value >= 0 && value <= U32_MAX, `u32 out of range: ${value}`);
  target.writeUInt32BE(value, offset);
  return offset + 4;
}

export function writeU64(target: Buffer, offset: number, value: number): number {
  assert(Number.isSafeInteger(value) && value >= 0, `u64 out of safe range: ${value}`);
  target.writeUInt32BE(Math.floor(value / TWO_POW_32), offset);
  target.writeUInt32BE(value % TWO_POW_32, offset + 4);
  return offset + 8;
}

export function readU64(source: Buffer, offset: number): number {
  const high = source.readUInt32BE(offset);
  const low = source.readUInt32BE(offset + 4);
  return high * TWO_POW_32 + low;
}

/** Thrown by ByteReader on malformed input; record decoders turn it into a value. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

/** Sequential reader over one record payload; every read is bounds-checked. */
export class ByteReader {
  private offset = 0;

  constructor(private readonly source: Buffer) {}

  u8(): number {
    this.need(1);
    const value = this.source.readUInt8(this.offset);
    this.offset += 1;
    return value;
  }

  u32(): number {
    this.need(4);
    const value = this.source.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  u64(): number {
    this.need(8);
    const value = readU64(this.source, this.offset);
    if (!Number.isSafeInteger(value)) throw new DecodeError(`u64 ${value} exceeds 2^53`);
    this.offset += 8;
    return value;
  }

  bytes(length: number): Buffer {
    this.need(length);
    const value = this.source.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  /** Everything not read yet. */
  rest(): Buffer {
    return this.bytes(this.source.length - this.offset);
  }

  /** A payload must be consumed exactly: trailing bytes mean a malformed record. */
  finish(): void {
    if (this.offset !== this.source.length) {
      throw new DecodeError(`${this.source.length - this.offset} trailing bytes`);
    }
  }

  private need(length: number): void {
    if (this.offset + length > this.source.length) {
      throw new DecodeError(`needs ${length} bytes at offset ${this.offset}, payload has ${this.source.length}`);
    }
  }
}
