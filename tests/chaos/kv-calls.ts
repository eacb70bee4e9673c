// The workload's three calls on raw gRPC KV clients (put, linearizable get, compare-and-set
// as a Txn), each turned into a CallResult. What a failure means decides whether the
// checker may assume it had no effect:
// - a get that fails changed nothing: recorded as failed (it observed nothing);
// - a write refused by a Corral server with `corral-error: not-leader` (never proposed) or
//   `aborted` (another leader's entry committed at its index) definitely did not apply;
// - so did a write the server refused before proposing it (no leader, transfer under way),
//   and a write that grpc-js failed before any connection carried it (refused connect:
//   typically a forwarder still aiming at a killed leader);
// - every other write failure is indeterminate: DEADLINE_EXCEEDED, a lost connection, and
//   UNAVAILABLE without Corral's error code (a forwarder's link to the leader broke after
//   the leader may have applied it), and 'unavailable' from a server (e.g. shutting down
//   after proposing).

import * as grpc from '@grpc/grpc-js';
import type { KVClient } from '../../proto/gen/corral/v1/KV';
import type { TxnResponse__Output } from '../../proto/gen/corral/v1/TxnResponse';
import type { GetResponse__Output } from '../../proto/gen/corral/v1/GetResponse';
import { unreachable } from '../../server/util/assert';
import type { KvInput } from '../sim/kv-model';
import type { CallResult } from './history';

const ERROR_CODE_KEY = 'corral-error';
/** Corral error codes that mean a write was never applied. */
const DEFINITE_WRITE_FAILURES: ReadonlySet<string> = new Set(['not-leader', 'aborted']);

function isServiceError(error: unknown): error is grpc.ServiceError {
  return error instanceof Error && typeof (error as Partial<grpc.ServiceError>).code === 'number';
}

function describe(error: unknown): string {
  if (!isServiceError(error)) return String(error);
  const coded = error.metadata?.get(ERROR_CODE_KEY)[0];
  return `${grpc.status[error.code]}${coded === undefined ? '' : `/${String(coded)}`}: ${error.details}`;
}

/** grpc-js's wording when a call failed before any connection carried it (the channel
 *  was in transient failure, or the connect was refused): the request was never sent. This
 *  is what a follower's forwarder sees while its leader hint still names a dead node. */
const NEVER_SENT_PATTERNS: readonly RegExp[] = [/No connection established/, /ECONNREFUSED/];

/** Corral's own 'unavailable' messages for a write refused before it was proposed (the Raft
 *  core rejected the proposal: no leader, or a transfer in progress; or the API layer had no
 *  leader to forward to). Matched on the message because the server gives these no distinct
 *  code; other 'unavailable' writes (e.g. shutting down after proposing) stay indeterminate. */
const NOT_PROPOSED_PATTERNS: readonly RegExp[] = [/no leader elected yet; retry$/, /leadership transfer in progress; retry$/];

/** Classifies a failed write (put or cas). */
export function classifyWriteError(error: unknown): CallResult {
  const reason = describe(error);
  if (!isServiceError(error)) return { kind: 'indeterminate', reason };
  const coded = error.metadata?.get(ERROR_CODE_KEY)[0];
  if (typeof coded === 'string' && DEFINITE_WRITE_FAILURES.has(coded)) return { kind: 'failed', reason };
  if (coded === 'unavailable' && NOT_PROPOSED_PATTERNS.some((pattern) => pattern.test(error.details))) return { kind: 'failed', reason };
  if (error.code === grpc.status.UNAVAILABLE && coded === undefined && NEVER_SENT_PATTERNS.some((pattern) => pattern.test(error.details))) {
    return { kind: 'failed', reason };
  }
  return { kind: 'indeterminate', reason };
}

function unary<Response>(invoke: (callback: (error: grpc.ServiceError | null, response?: Response) => void) => unknown): Promise<Response> {
  return new Promise((resolve, reject) => {
    invoke((error, response) => (error !== null ? reject(error) : resolve(response as Response)));
  });
}

async function doGet(client: KVClient, key: string, deadlineMs: number, serializable: boolean): Promise<CallResult> {
  try {
    const response = await unary<GetResponse__Output>((cb) => client.Get({ path: key, serializable }, { deadline: Date.now() + deadlineMs }, cb));
    return { kind: 'ok', output: { kind: 'get', value: response.value.toString() } };
  } catch (error) {
    if (isServiceError(error) && error.code === grpc.status.NOT_FOUND) return { kind: 'ok', output: { kind: 'get', value: null } };
    return { kind: 'failed', reason: describe(error) };
  }
}

async function doPut(client: KVClient, key: string, value: string, deadlineMs: number): Promise<CallResult> {
  try {
    await unary((cb) => client.Put({ path: key, value: Buffer.from(value) }, { deadline: Date.now() + deadlineMs }, cb));
    return { kind: 'ok', output: { kind: 'put' } };
  } catch (error) {
    return classifyWriteError(error);
  }
}

/** Compare-and-set on the value: a Txn whose compare is the value (or absence) expected. */
async function doCas(client: KVClient, key: string, expected: string | null, value: string, deadlineMs: number): Promise<CallResult> {
  const compare = expected === null
    ? { path: key, target: 'EXISTS' as const, op: 'EQUAL' as const, exists: false }
    : { path: key, target: 'VALUE' as const, op: 'EQUAL' as const, value: Buffer.from(expected) };
  try {
    const response = await unary<TxnResponse__Output>((cb) => client.Txn(
      { compare: [compare], success: [{ put: { path: key, value: Buffer.from(value) } }], failure: [] },
      { deadline: Date.now() + deadlineMs },
      cb,
    ));
    return { kind: 'ok', output: { kind: 'cas', ok: response.succeeded } };
  } catch (error) {
    if (isServiceError(error) && error.code === grpc.status.FAILED_PRECONDITION) return { kind: 'ok', output: { kind: 'cas', ok: false } };
    return classifyWriteError(error);
  }
}

/** Runs one workload operation against `client`; never throws. `serializableReads` (local,
 *  possibly stale reads) exists only as a negative control: the checker must then fail. */
export function runKvCall(client: KVClient, input: KvInput, deadlineMs: number, serializableReads = false): Promise<CallResult> {
  switch (input.kind) {
    case 'get':
      return doGet(client, input.key, deadlineMs, serializableReads);
    case 'put':
      return doPut(client, input.key, input.value, deadlineMs);
    case 'cas':
      return doCas(client, input.key, input.expected, input.value, deadlineMs);
    default:
      return unreachable(input, 'unknown kv input');
  }
}
