// Compact binary encoding shared by the KV command, result and snapshot codecs.
//
// Integers are unsigned LEB128 varints (a create's small numbers take one byte each) and
// must be safe integers (< 2^53): Raft indexes, revisions and wall-clock milliseconds never
// get near that. Strings are UTF-8 with a varint length; byte strings are copied out on read
// so that a decoded command never pins the (possibly much larger) buffer it came from.
//
// Writing a value out of range is a programmer error (assertion). Reading malformed input is
// an expected outcome: the reader throws KvCodecError, which every decoder turns into a value
// or a typed error at its boundary.

import { assert } from '../util/assert';

/** Malformed encoded input (truncated, out of range, unknown tag, trailing bytes). */
export class KvCodecError extends Error {
  override readonly name = 'KvCodecError';
}

const TWO_POW_7 = 0x80;
/** A safe integer needs at most 8 varint bytes (8 * 7 = 56 bits >= 53). */
const VARINT_BYTES_MAX = 8;
const WRITER_INITIAL_BYTES = 64;
const ASCII_FAST_PATH_BYTES_MAX = 256;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

export class ByteWriter {
  private buffer: Uint8Array;
  private length = 0;

  constructor(initialBytes = WRITER_INITIAL_BYTES) {
    assert(Number.isInteger(initialBytes) && initialBytes > 0, `bad initial size ${initialBytes}`);
    this.buffer = new Uint8Array(initialBytes);
  }

  u8(value: number): void {
    assert(Number.isInteger(value) && value >= 0 && value <= 0xff, `u8 out of range: ${value}`);
    this.reserve(1);
    this.buffer[this.length] = value;
    this.length += 1;
  }

  bool(value: boolean): void {
    this.u8(value ? 1 : 0);
  }

  varuint(value: number): void {
    assert(Number.isSafeInteger(value) && value >= 0, `varuint out of range: ${value}`);
    this.reserve(VARINT_BYTES_MAX);
    let rest = value;
    while (rest >= TWO_POW_7) {
      this.buffer[this.length] = (rest % TWO_POW_7) | TWO_POW_7;
      this.length += 1;
      rest = Math.floor(rest / TWO_POW_7);
    }
    this.buffer[this.length] = rest;
    this.length += 1;
  }

  /** A nullable non-negative integer: 0 encodes null, n + 1 encodes n. */
  optionalVaruint(value: number | null): void {
    this.varuint(value === null ? 0 : value + 1);
  }

  bytes(value: Uint8Array): void {
    this.varuint(value.length);
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  string(value: string): void {
    // Paths and names are ASCII: copy code units directly, no intermediate allocation.
    if (isAscii(value)) {
      this.varuint(value.length);
      this.reserve(value.length);
      for (let index = 0; index < value.length; index += 1) {
        this.buffer[this.length + index] = value.charCodeAt(index);
      }
      this.length += value.length;
      return;
    }
    this.bytes(textEncoder.encode(value));
  }

  /** The bytes written so far (a copy trimmed to size). */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private reserve(extraBytes: number): void {
    const needed = this.length + extraBytes;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}

function isAscii(value: string): boolean {
  for (let index = 0; index < value.length; index += 1) {
    if (value.charCodeAt(index) >= TWO_POW_7) return false;
  }
  return true;
}

/** Sequential reader; every read is bounds-checked and throws KvCodecError when malformed. */
export class ByteReader {
  private offset = 0;

  constructor(private readonly source: Uint8Array) {}

  get remaining(): number {
    return this.source.length - this.offset;
  }

  u8(): number {
    this.need(1);
    const value = this.source[this.offset];
    this.offset += 1;
    return value;
  }

  bool(): boolean {
    const value = this.u8();
    if (value > 1) throw new KvCodecError(`bad boolean ${value} at offset ${this.offset - 1}`);
    return value === 1;
  }

  varuint(): number {
    let value = 0;
    let scale = 1;
    for (let index = 0; index < VARINT_BYTES_MAX; index += 1) {
      const byte = this.u8();
      value += (byte & 0x7f) * scale;
      if (byte < TWO_POW_7) {
        if (!Number.isSafeInteger(value)) throw new KvCodecError(`varint ${value} exceeds 2^53`);
        return value;
      }
      scale *= TWO_POW_7;
    }
    throw new KvCodecError(`varint longer than ${VARINT_BYTES_MAX} bytes at offset ${this.offset}`);
  }

  optionalVaruint(): number | null {
    const raw = this.varuint();
    return raw === 0 ? null : raw - 1;
  }

  /** A count of items that each take at least `itemBytesMin` bytes: bounded by the input. */
  count(itemBytesMin: number): number {
    const value = this.varuint();
    if (value * itemBytesMin > this.remaining) {
      throw new KvCodecError(`count ${value} exceeds the ${this.remaining} bytes left`);
    }
    return value;
  }

  bytes(): Uint8Array {
    const length = this.varuint();
    this.need(length);
    const value = this.source.slice(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  string(): string {
    const length = this.varuint();
    this.need(length);
    const ascii = length <= ASCII_FAST_PATH_BYTES_MAX ? this.asciiAt(this.offset, length) : null;
    if (ascii !== null) {
      this.offset += length;
      return ascii;
    }
    let value: string;
    try {
      value = textDecoder.decode(this.source.subarray(this.offset, this.offset + length));
    } catch {
      throw new KvCodecError(`invalid utf-8 string at offset ${this.offset}`);
    }
    this.offset += length;
    return value;
  }

  /** Short ASCII strings (paths, names) decode without TextDecoder, which is slow per call. */
  private asciiAt(offset: number, length: number): string | null {
    let value = '';
    for (let index = offset; index < offset + length; index += 1) {
      const byte = this.source[index];
      if (byte >= TWO_POW_7) return null;
      value += String.fromCharCode(byte);
    }
    return value;
  }

  /** Input must be consumed exactly: trailing bytes mean a malformed payload. */
  finish(): void {
    if (this.remaining !== 0) throw new KvCodecError(`${this.remaining} trailing bytes`);
  }

  private need(length: number): void {
    if (length > this.remaining) {
      throw new KvCodecError(`needs ${length} bytes at offset ${this.offset}, ${this.remaining} left`);
    }
  }
}
