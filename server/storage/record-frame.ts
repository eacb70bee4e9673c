// Every stored value is framed:  [crc32 u32][payload length u32][payload]
// The CRC covers the length and the payload and is seeded with the record's KEY, so a
// flipped bit, a truncated value, and a valid value stored under the wrong key (say the
// entry of index 7 found at index 8) are all detected when read.

import { crc32 } from 'node:zlib';
import { assert } from '../util/assert';
import { U32_MAX } from './byte-codec';

export const FRAME_HEADER_BYTES = 8;

/** A decoder's result: corruption found on disk is an expected outcome, not an exception. */
export type Decoded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export function frameRecord(key: Buffer, payload: Uint8Array): Buffer {
  assert(payload.length <= U32_MAX - FRAME_HEADER_BYTES, `record payload too large: ${payload.length}`);
  const value = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  value.writeUInt32BE(payload.length, 4);
  value.set(payload, FRAME_HEADER_BYTES);
  value.writeUInt32BE(crc32(value.subarray(4), crc32(key)), 0);
  return value;
}

/** The payload of a framed value (a view, not a copy), or why the frame is invalid. */
export function unframeRecord(key: Buffer, value: Buffer): Decoded<Buffer> {
  if (value.length < FRAME_HEADER_BYTES) {
    return { ok: false, reason: `record of ${value.length} bytes is shorter than its header` };
  }
  const length = value.readUInt32BE(4);
  if (length !== value.length - FRAME_HEADER_BYTES) {
    return { ok: false, reason: `record length ${length} does not match ${value.length - FRAME_HEADER_BYTES} stored bytes` };
  }
  const expected = value.readUInt32BE(0);
  const actual = crc32(value.subarray(4), crc32(key));
  if (expected !== actual) {
    return { ok: false, reason: `crc mismatch (stored ${hex32(expected)}, computed ${hex32(actual)})` };
  }
  return { ok: true, value: value.subarray(FRAME_HEADER_BYTES) };
}

function hex32(value: number): string {
  return value.toString(16).padStart(8, '0');
}
