// Record framing and codecs, without RocksDB: round trips, and every single-bit flip and
// every truncation of a framed record is detected.

import type { Entry } from '../../server/raft/types';
import { KIND_HARD_STATE, groupKey, logIndexOfKey, logKey, snapshotMetaKey } from '../../server/storage/keys';
import {
  decodeEntry,
  decodeHardState,
  decodeIdentity,
  decodeSnapshotMeta,
  encodeEntry,
  encodeHardState,
  encodeIdentity,
  encodeSnapshotMeta,
} from '../../server/storage/record-codecs';
import { frameRecord, unframeRecord } from '../../server/storage/record-frame';
import { SeededRandom } from '../../server/util/random';

describe('keys', () => {
  test('log keys sort by group, then numerically by index', () => {
    const keys: [number, number][] = [
      [0, 0],
      [0, 1],
      [0, 255],
      [0, 256],
      [0, 2 ** 32],
      [0, Number.MAX_SAFE_INTEGER],
      [1, 0],
      [256, 7],
      [0xffffffff, 1],
    ];
    const encoded = keys.map(([group, index]) => logKey(group, index));
    const sorted = [...encoded].sort(Buffer.compare);
    expect(sorted).toEqual(encoded);
    for (const [group, index] of keys) expect(logIndexOfKey(group, logKey(group, index))).toBe(index);
    expect(logIndexOfKey(1, logKey(2, 5))).toBeNull();
  });
});

describe('record frame', () => {
  const key = logKey(4, 1234);
  const payload = Buffer.from('the quick brown fox jumps over the lazy dog');

  test('round trip', () => {
    const decoded = unframeRecord(key, frameRecord(key, payload));
    expect(decoded.ok && decoded.value.equals(payload)).toBe(true);
  });

  test('every single-bit flip is detected', () => {
    const framed = frameRecord(key, payload);
    const bitCount = framed.length * 8;
    for (let bit = 0; bit < bitCount; bit++) {
      const damaged = Buffer.from(framed);
      damaged[bit >> 3]! ^= 1 << (bit & 7);
      expect(unframeRecord(key, damaged).ok).toBe(false);
    }
  });

  test('every truncation and any extension is detected', () => {
    const framed = frameRecord(key, payload);
    for (let length = 0; length < framed.length; length++) {
      expect(unframeRecord(key, framed.subarray(0, length)).ok).toBe(false);
    }
    expect(unframeRecord(key, Buffer.concat([framed, Buffer.from([0])])).ok).toBe(false);
  });

  test('a record read under another key is rejected', () => {
    expect(unframeRecord(logKey(4, 1235), frameRecord(key, payload)).ok).toBe(false);
    expect(unframeRecord(logKey(5, 1234), frameRecord(key, payload)).ok).toBe(false);
  });
});

describe('codecs', () => {
  test('entries of random sizes, types and terms round trip', () => {
    const random = new SeededRandom(42);
    for (let i = 0; i < 200; i++) {
      const data = Buffer.alloc(random.nextInt(600));
      for (let j = 0; j < data.length; j++) data[j] = random.nextInt(256);
      const entry: Entry = { index: 1 + random.nextInt(1e9), term: random.nextInt(2 ** 40), type: random.chance(0.2) ? 'conf-change' : 'normal', data };
      const key = logKey(7, entry.index);
      const decoded = decodeEntry(key, entry.index, encodeEntry(key, entry));
      expect(decoded.ok).toBe(true);
      if (decoded.ok) expect({ ...decoded.value, data: Buffer.from(decoded.value.data) }).toEqual(entry);
    }
  });

  test('an unknown entry type byte is a decode failure, not a crash', () => {
    const key = logKey(1, 1);
    const payload = Buffer.alloc(9);
    payload.writeUInt8(7, 8);
    const decoded = decodeEntry(key, 1, frameRecord(key, payload));
    expect(decoded).toEqual({ ok: false, reason: 'malformed payload: unknown entry type' });
  });

  test('hard state, snapshot meta and identity round trip', () => {
    const hardStateKey = groupKey(KIND_HARD_STATE, 9);
    const hardState = { term: 2 ** 45, vote: 0xfffffffe, commit: Number.MAX_SAFE_INTEGER };
    expect(decodeHardState(hardStateKey, encodeHardState(hardStateKey, hardState))).toEqual({ ok: true, value: hardState });

    const metaKey = snapshotMetaKey(9);
    const stored = { meta: { index: 77, term: 5, conf: { voters: [1, 2, 3], learners: [9] } }, generation: 3, chunkCount: 4, dataBytes: 3_500_000, dataCrc: 0xdeadbeef };
    expect(decodeSnapshotMeta(metaKey, encodeSnapshotMeta(metaKey, stored))).toEqual({ ok: true, value: stored });

    const identity = { clusterId: 'corral-ü-1', nodeId: 12 };
    const identityKey = Buffer.from([1]);
    expect(decodeIdentity(identityKey, encodeIdentity(identityKey, identity))).toEqual({ ok: true, value: identity });
  });

  test('a hard state with trailing bytes is malformed', () => {
    const key = groupKey(KIND_HARD_STATE, 1);
    const decoded = decodeHardState(key, frameRecord(key, Buffer.alloc(21)));
    expect(decoded).toEqual({ ok: false, reason: 'malformed payload: 1 trailing bytes' });
  });
});
