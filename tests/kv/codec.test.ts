import { ByteReader, ByteWriter, KvCodecError } from '../../server/kv/byte-codec';
import type { KvCommand, KvResult } from '../../server/kv/commands';
import { decodeCommand, encodeCommand } from '../../server/kv/commands';
import { decodeResult, encodeResult } from '../../server/kv/result-codec';
import { bytes, cmd, op } from './helpers';

const everyCommand: KvCommand[] = [
  cmd.create('/a/b', 'v', { ephemeralOwner: 7, sequential: true, makeParents: true, guard: { lockName: '/l', token: 9 }, request: { sessionId: 7, requestId: 300 } }),
  cmd.create('/a', ''),
  cmd.set('/a', 'x'.repeat(300), { expectedVersion: 0 }),
  cmd.set('/a', 'x', { expectedVersion: null, request: { sessionId: 1, requestId: 0 } }),
  cmd.put('/a/€', 'unicode value ✓', { ephemeralOwner: 2 ** 40 }),
  cmd.del('/a', { expectedVersion: 3, recursive: true, ifExists: true, guard: { lockName: '/x', token: 2 ** 53 - 1 } }),
  cmd.txn(
    [
      { target: 'exists', path: '/a' },
      { target: 'not-exists', path: '/b' },
      { target: 'version', path: '/a', compare: 'eq', operand: 3 },
      { target: 'createRevision', path: '/a', compare: 'lt', operand: 10 },
      { target: 'modRevision', path: '/a', compare: 'gt', operand: 0 },
      { target: 'value', path: '/a', compare: 'ne', operand: bytes('old') },
    ],
    [op.create('/a/x', 'v', { sequential: true }), op.set('/a', 'n', 3), op.put('/a/y', 'p', 4), op.del('/a/z', { recursive: true })],
    [op.del('/a', { ifExists: true })],
    { request: { sessionId: 4, requestId: 5 } },
  ),
  cmd.txn([], [], []),
  cmd.open(5000, 1_700_000_000_000),
  cmd.keepalive([1, 2, 2 ** 33], 1_700_000_000_000),
  cmd.keepalive([], 0),
  cmd.close(12, 99),
  cmd.expire([3, 4], 1234),
  cmd.acquire('/locks/x', 3, 8, { maxHoldMs: 60_000, waitTimeoutMs: 0, nowMs: 5 }),
  cmd.acquire('/locks/x', 3, 9, { waitTimeoutMs: null }),
  cmd.release('/locks/x', 44, 7),
  cmd.cancelWait('/locks/x', 3, 8, 1),
  cmd.expireHolds([{ name: '/l/a', token: 1 }, { name: '/l/b', token: 2 }], 77),
];

describe('command codec', () => {
  it.each(everyCommand.map((command) => [command.type, command] as const))('round-trips %s', (_type, command) => {
    const decoded = decodeCommand(encodeCommand(command));
    expect(decoded).toEqual({ ok: true, command });
  });

  it('is compact on the hot path (a create of a short path and value)', () => {
    const encoded = encodeCommand(cmd.create('/services/api/10.0.0.5:80', 'hello'));
    expect(encoded.length).toBe('/services/api/10.0.0.5:80'.length + 'hello'.length + 8); // version, tag, 2 lengths, owner, flags, no guard, no request
  });

  it('decodes values into their own buffers (no aliasing of the entry bytes)', () => {
    const encoded = encodeCommand(cmd.create('/a', 'value'));
    const decoded = decodeCommand(encoded);
    if (!decoded.ok || decoded.command.type !== 'create') throw new Error('decode failed');
    encoded.fill(0);
    expect(new TextDecoder().decode(decoded.command.value)).toBe('value');
  });

  it('rejects every truncation of every command, and trailing bytes, as values', () => {
    for (const command of everyCommand) {
      const encoded = encodeCommand(command);
      for (let length = 0; length < encoded.length; length += 1) {
        const decoded = decodeCommand(encoded.subarray(0, length));
        expect(decoded.ok).toBe(false);
      }
      const longer = new Uint8Array(encoded.length + 1);
      longer.set(encoded);
      expect(decodeCommand(longer)).toEqual({ ok: false, message: 'malformed command: 1 trailing bytes' });
    }
  });

  it('rejects unknown versions, tags and flags', () => {
    expect(decodeCommand(Uint8Array.of(2, 1))).toEqual({ ok: false, message: 'malformed command: unknown command format version 2' });
    expect(decodeCommand(Uint8Array.of(1, 99))).toEqual({ ok: false, message: 'malformed command: unknown command tag 99' });
    const encoded = encodeCommand(cmd.del('/a'));
    encoded[encoded.length - 3] = 0xf0; // the flags byte sits before the two guard/request bytes
    const decoded = decodeCommand(encoded);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.message).toContain('unknown flags');
  });

  it('refuses counts larger than the input could hold, without allocating them', () => {
    const writer = new ByteWriter();
    writer.u8(1);
    writer.u8(17); // sessionKeepaliveBatch
    writer.varuint(2 ** 40); // claims a trillion ids
    const decoded = decodeCommand(writer.finish());
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.message).toContain('exceeds');
  });
});

describe('byte codec', () => {
  it('round-trips varints at every size boundary up to 2^53 - 1', () => {
    const values = [0, 1, 127, 128, 16_383, 16_384, 2 ** 21 - 1, 2 ** 21, 2 ** 31, 2 ** 32 + 5, 2 ** 49, Number.MAX_SAFE_INTEGER];
    const writer = new ByteWriter(1);
    for (const value of values) writer.varuint(value);
    const reader = new ByteReader(writer.finish());
    expect(values.map(() => reader.varuint())).toEqual(values);
    reader.finish();
  });

  it('asserts on out-of-range writes and throws KvCodecError on bad reads', () => {
    const writer = new ByteWriter();
    expect(() => writer.varuint(-1)).toThrow('varuint out of range');
    expect(() => writer.varuint(2 ** 53)).toThrow('varuint out of range');
    expect(() => new ByteReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)).varuint()).toThrow(KvCodecError);
    expect(() => new ByteReader(Uint8Array.of(2)).bool()).toThrow(KvCodecError);
    expect(() => new ByteReader(Uint8Array.of(2, 0xc3, 0x28)).string()).toThrow('invalid utf-8');
  });
});

describe('result codec', () => {
  const results: KvResult[] = [
    { ok: false, code: 'version-mismatch', message: '/a is at version 2, expected 1' },
    { ok: true, kind: 'create', path: '/a/job-0000000001', revision: 4 },
    { ok: true, kind: 'set', revision: 5, version: 3 },
    { ok: true, kind: 'put', revision: 6, version: 1, created: true, ephemeralOwner: 9 },
    { ok: true, kind: 'delete', revision: 7, deleted: 0 },
    {
      ok: true, kind: 'txn', succeeded: false, revision: 8,
      results: [{ ok: true, kind: 'create', path: '/x', revision: 8 }, { ok: true, kind: 'delete', revision: 8, deleted: 2 }],
    },
    { ok: true, kind: 'sessionOpen', sessionId: 3, ttlMs: 5000, deadlineMs: 1_700_000_005_000 },
    { ok: true, kind: 'sessionKeepaliveBatch', renewed: 2, missing: [5] },
    { ok: true, kind: 'sessionClose', revision: 9, removedNodes: 3, releasedLocks: 1 },
    { ok: true, kind: 'sessionExpire', revision: 10, expired: [1, 2], missing: [] },
    { ok: true, kind: 'lockAcquire', status: 'granted', token: 17, reentrant: true },
    { ok: true, kind: 'lockAcquire', status: 'queued', position: 3 },
    { ok: true, kind: 'lockAcquire', status: 'busy', holderSessionId: 4 },
    { ok: true, kind: 'lockRelease', nextHolderSessionId: 0 },
    { ok: true, kind: 'lockCancelWait', cancelled: false, heldToken: 12 },
    { ok: true, kind: 'lockCancelWait', cancelled: true, heldToken: null },
    { ok: true, kind: 'lockExpireHolds', released: ['/l/a'] },
  ];

  it.each(results.map((result) => [result.ok ? result.kind : result.code, result] as const))('round-trips %s', (_name, result) => {
    expect(decodeResult(encodeResult(result))).toEqual({ ok: true, result });
  });

  it('rejects malformed results as values', () => {
    expect(decodeResult(Uint8Array.of(200))).toEqual({ ok: false, message: 'malformed result: unknown result tag 200' });
    expect(decodeResult(Uint8Array.of(0, 99)).ok).toBe(false);
  });
});
