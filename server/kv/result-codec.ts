// Binary codec of command results. The state machine needs it to keep the results of
// recent idempotent requests in its snapshot; the host may use it to ship a result between
// nodes. Byte 0 is a kind tag (0 for an error, then code index and message).

import { unreachable } from '../util/assert';
import { ByteReader, ByteWriter, KvCodecError } from './byte-codec';
import type { KvOk, KvResult, NodeOpResult } from './commands';
import { KV_ERROR_CODES } from './kv-error';

type KvOkKind = KvOk['kind'];

const RESULT_TAGS: Readonly<Record<KvOkKind, number>> = {
  create: 1,
  set: 2,
  put: 3,
  delete: 4,
  txn: 5,
  sessionOpen: 16,
  sessionKeepaliveBatch: 17,
  sessionClose: 18,
  sessionExpire: 19,
  lockAcquire: 32,
  lockRelease: 33,
  lockCancelWait: 34,
  lockExpireHolds: 35,
};

const ERROR_TAG = 0;
const KINDS_BY_TAG: ReadonlyMap<number, KvOkKind> = new Map(
  (Object.entries(RESULT_TAGS) as [KvOkKind, number][]).map(([kind, tag]) => [tag, kind]),
);
const LOCK_STATUSES = ['granted', 'queued', 'busy'] as const;

export function encodeResult(result: KvResult): Uint8Array {
  const writer = new ByteWriter();
  writeResult(writer, result);
  return writer.finish();
}

export function writeResult(writer: ByteWriter, result: KvResult): void {
  if (!result.ok) {
    writer.u8(ERROR_TAG);
    writer.u8(KV_ERROR_CODES.indexOf(result.code));
    writer.string(result.message);
    return;
  }
  writer.u8(RESULT_TAGS[result.kind]);
  switch (result.kind) {
    case 'create':
    case 'set':
    case 'put':
    case 'delete':
      writeNodeOpResult(writer, result);
      return;
    case 'txn':
      writer.bool(result.succeeded);
      writer.varuint(result.revision);
      writer.varuint(result.results.length);
      for (const opResult of result.results) {
        writer.u8(RESULT_TAGS[opResult.kind]);
        writeNodeOpResult(writer, opResult);
      }
      return;
    default:
      writeSessionOrLockResult(writer, result);
  }
}

function writeNodeOpResult(writer: ByteWriter, result: NodeOpResult): void {
  writer.varuint(result.revision);
  switch (result.kind) {
    case 'create':
      writer.string(result.path);
      return;
    case 'set':
      writer.varuint(result.version);
      return;
    case 'put':
      writer.varuint(result.version);
      writer.bool(result.created);
      writer.varuint(result.ephemeralOwner);
      return;
    case 'delete':
      writer.varuint(result.deleted);
      return;
    default:
      unreachable(result, 'unknown node op result');
  }
}

function writeIds(writer: ByteWriter, ids: readonly number[]): void {
  writer.varuint(ids.length);
  for (const id of ids) writer.varuint(id);
}

function writeSessionOrLockResult(writer: ByteWriter, result: Exclude<KvOk, NodeOpResult | { kind: 'txn' }>): void {
  switch (result.kind) {
    case 'sessionOpen':
      writer.varuint(result.sessionId);
      writer.varuint(result.ttlMs);
      writer.varuint(result.deadlineMs);
      return;
    case 'sessionKeepaliveBatch':
      writer.varuint(result.renewed);
      writeIds(writer, result.missing);
      return;
    case 'sessionClose':
      writer.varuint(result.revision);
      writer.varuint(result.removedNodes);
      writer.varuint(result.releasedLocks);
      return;
    case 'sessionExpire':
      writer.varuint(result.revision);
      writeIds(writer, result.expired);
      writeIds(writer, result.missing);
      return;
    case 'lockAcquire':
      writer.u8(LOCK_STATUSES.indexOf(result.status));
      if (result.status === 'granted') {
        writer.varuint(result.token);
        writer.bool(result.reentrant);
      } else if (result.status === 'queued') {
        writer.varuint(result.position);
      } else {
        writer.varuint(result.holderSessionId);
      }
      return;
    case 'lockRelease':
      writer.varuint(result.nextHolderSessionId);
      return;
    case 'lockCancelWait':
      writer.bool(result.cancelled);
      writer.optionalVaruint(result.heldToken);
      return;
    case 'lockExpireHolds':
      writer.varuint(result.released.length);
      for (const name of result.released) writer.string(name);
      return;
    default:
      unreachable(result, 'unknown result kind');
  }
}

export type DecodeResultOutcome =
  | { readonly ok: true; readonly result: KvResult }
  | { readonly ok: false; readonly message: string };

export function decodeResult(bytes: Uint8Array): DecodeResultOutcome {
  try {
    const reader = new ByteReader(bytes);
    const result = readResult(reader);
    reader.finish();
    return { ok: true, result };
  } catch (error) {
    if (error instanceof KvCodecError) return { ok: false, message: `malformed result: ${error.message}` };
    throw error;
  }
}

/** Reads one result; throws KvCodecError when malformed. */
export function readResult(reader: ByteReader): KvResult {
  const tag = reader.u8();
  if (tag === ERROR_TAG) {
    const code = KV_ERROR_CODES[reader.u8()];
    if (code === undefined) throw new KvCodecError('unknown error code');
    return { ok: false, code, message: reader.string() };
  }
  const kind = KINDS_BY_TAG.get(tag);
  if (kind === undefined) throw new KvCodecError(`unknown result tag ${tag}`);
  switch (kind) {
    case 'create':
    case 'set':
    case 'put':
    case 'delete':
      return readNodeOpResult(reader, kind);
    case 'txn':
      return readTxnResult(reader);
    default:
      return readSessionOrLockResult(reader, kind);
  }
}

function readNodeOpResult(reader: ByteReader, kind: NodeOpResult['kind']): NodeOpResult {
  const revision = reader.varuint();
  switch (kind) {
    case 'create':
      return { ok: true, kind, revision, path: reader.string() };
    case 'set':
      return { ok: true, kind, revision, version: reader.varuint() };
    case 'put': {
      const version = reader.varuint();
      const created = reader.bool();
      return { ok: true, kind, revision, version, created, ephemeralOwner: reader.varuint() };
    }
    case 'delete':
      return { ok: true, kind, revision, deleted: reader.varuint() };
    default:
      return unreachable(kind, 'unknown node op result kind');
  }
}

function readTxnResult(reader: ByteReader): KvResult {
  const succeeded = reader.bool();
  const revision = reader.varuint();
  const count = reader.count(3);
  const results: NodeOpResult[] = [];
  for (let index = 0; index < count; index += 1) {
    const kind = KINDS_BY_TAG.get(reader.u8());
    if (kind !== 'create' && kind !== 'set' && kind !== 'put' && kind !== 'delete') {
      throw new KvCodecError('txn op result of unknown kind');
    }
    results.push(readNodeOpResult(reader, kind));
  }
  return { ok: true, kind: 'txn', succeeded, revision, results };
}

function readIds(reader: ByteReader): number[] {
  const count = reader.count(1);
  const ids: number[] = [];
  for (let index = 0; index < count; index += 1) ids.push(reader.varuint());
  return ids;
}

function readSessionOrLockResult(reader: ByteReader, kind: Exclude<KvOkKind, NodeOpResult['kind'] | 'txn'>): KvResult {
  switch (kind) {
    case 'sessionOpen':
      return { ok: true, kind, sessionId: reader.varuint(), ttlMs: reader.varuint(), deadlineMs: reader.varuint() };
    case 'sessionKeepaliveBatch':
      return { ok: true, kind, renewed: reader.varuint(), missing: readIds(reader) };
    case 'sessionClose':
      return { ok: true, kind, revision: reader.varuint(), removedNodes: reader.varuint(), releasedLocks: reader.varuint() };
    case 'sessionExpire':
      return { ok: true, kind, revision: reader.varuint(), expired: readIds(reader), missing: readIds(reader) };
    case 'lockAcquire': {
      const status = LOCK_STATUSES[reader.u8()];
      if (status === 'granted') return { ok: true, kind, status, token: reader.varuint(), reentrant: reader.bool() };
      if (status === 'queued') return { ok: true, kind, status, position: reader.varuint() };
      if (status === 'busy') return { ok: true, kind, status, holderSessionId: reader.varuint() };
      throw new KvCodecError('unknown lock acquire status');
    }
    case 'lockRelease':
      return { ok: true, kind, nextHolderSessionId: reader.varuint() };
    case 'lockCancelWait':
      return { ok: true, kind, cancelled: reader.bool(), heldToken: reader.optionalVaruint() };
    case 'lockExpireHolds': {
      const count = reader.count(1);
      const released: string[] = [];
      for (let index = 0; index < count; index += 1) released.push(reader.string());
      return { ok: true, kind, released };
    }
    default:
      return unreachable(kind, 'unknown result kind');
  }
}
