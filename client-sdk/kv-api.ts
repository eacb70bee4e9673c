// The node-tree calls: create / get / exists / set / put / delete / list / txn. Each builds
// its request, names its safety class (retry-policy.ts) and runs it through the runner.
// Writes made with a session carry a request id, so their retries are deduplicated by the
// server and are safe; a plain create that timed out is surfaced as OutcomeUnknownError.

import type { CallOptions } from './call-options';
import { SessionExpiredError, CorralError, InvalidArgumentError } from './errors';
import { corralMethods } from './methods';
import type { RequestRunner } from './request-runner';
import type { CallSafety } from './retry-policy';
import type { SessionHandle } from './session-handle';
import { namespaceOfPath } from './shard-map';
import { type TxnResult, type TxnSpec, txnNeedsSession, txnPaths, txnRequest, txnResultOf } from './txn';
import { type LockGuard, type NodeStat, guardMessage, statOf, toBytes, type Value } from './values';

export interface CreateOptions extends CallOptions {
  readonly ephemeral?: boolean;
  readonly sequential?: boolean;
  readonly makeParents?: boolean;
  /** Owner of an ephemeral node; with a session, the create is retried safely. */
  readonly session?: SessionHandle;
  readonly guard?: LockGuard;
}
export interface CreateResult { readonly path: string; readonly stat: NodeStat; readonly revision: number }

export interface ReadOptions extends CallOptions {
  /** Serve from the contacted replica's state without a linearizability round (may be stale). */
  readonly serializable?: boolean;
}
export interface GetResult { readonly value: Buffer; readonly stat: NodeStat; readonly revision: number }

export interface SetOptions extends CallOptions {
  /** Compare-and-set: apply only at this version. */
  readonly expectedVersion?: number;
  readonly guard?: LockGuard;
}
export interface SetResult { readonly stat: NodeStat; readonly revision: number }

export interface PutOptions extends CallOptions {
  readonly ephemeral?: boolean;
  readonly session?: SessionHandle;
  readonly guard?: LockGuard;
}
export interface PutResult { readonly stat: NodeStat; readonly revision: number; readonly created: boolean }

export interface DeleteOptions extends CallOptions {
  readonly expectedVersion?: number;
  readonly recursive?: boolean;
  /** Idempotent delete: a missing node is not an error (and the call may be retried). */
  readonly ignoreMissing?: boolean;
  readonly guard?: LockGuard;
}
export interface DeleteResult { readonly deleted: number; readonly revision: number }

export interface ListOptions extends ReadOptions {
  readonly withStats?: boolean;
  /** Children per request (the server caps it). */
  readonly pageSize?: number;
  /** Most children returned in all; more is an error rather than unbounded memory. */
  readonly childrenMax?: number;
}
export interface ChildEntry { readonly name: string; readonly stat: NodeStat | null }
export interface ListResult { readonly children: readonly ChildEntry[]; readonly revision: number }

export interface TxnOptions extends CallOptions {
  /** Owner of the transaction's ephemeral creates and puts. */
  readonly session?: SessionHandle;
}

export const LIST_CHILDREN_MAX_DEFAULT = 100_000;

function checkVersion(version: number | undefined, what: string): number {
  if (version === undefined) return -1;
  if (!Number.isSafeInteger(version) || version < 0) throw new InvalidArgumentError(`${what}: expected version must be an integer >= 0, got ${version}`);
  return version;
}

export class KvApi {
  constructor(private readonly runner: RequestRunner) {}

  private async sessionIdFor(session: SessionHandle | undefined, namespace: string, needed: boolean, options: CallOptions, what: string): Promise<number> {
    if (session === undefined) {
      if (needed) throw new InvalidArgumentError(`${what}: an ephemeral node needs a session (pass { session })`);
      return 0;
    }
    return session.subSessionId(namespace, options);
  }

  /** Runs a write made with a session; a session-expired answer is reported to the session. */
  private async withSession<T>(session: SessionHandle | undefined, namespace: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (session !== undefined && error instanceof SessionExpiredError) session.noteExpired(namespace, error.message);
      throw error;
    }
  }

  async create(path: string, value: Value, options: CreateOptions = {}): Promise<CreateResult> {
    const namespace = namespaceOfPath(path);
    const what = `create ${path}`;
    const sessionId = await this.sessionIdFor(options.session, namespace, options.ephemeral === true, options, what);
    const mode = `${options.ephemeral === true ? 'EPHEMERAL' : 'PERSISTENT'}${options.sequential === true ? '_SEQUENTIAL' : ''}` as const;
    const requestId = options.session === undefined ? null : { session_id: sessionId, id: options.session.nextRequestId() };
    const safety: CallSafety = requestId === null ? 'write' : 'idempotent-write';
    const request = { path, value: toBytes(value), mode, session_id: sessionId, make_parents: options.makeParents === true, guard: guardMessage(options.guard), request_id: requestId };
    const response = await this.withSession(options.session, namespace, () =>
      this.runner.run({ method: corralMethods().kv.Create, request, namespace, role: 'leader', safety, what }, options),
    );
    return { path: response.path, stat: statOf(response.stat), revision: Number(response.revision) };
  }

  async get(path: string, options: ReadOptions = {}): Promise<GetResult> {
    const namespace = namespaceOfPath(path);
    const request = { path, serializable: options.serializable === true };
    const response = await this.runner.run({ method: corralMethods().kv.Get, request, namespace, role: 'replica', safety: 'read', what: `get ${path}` }, options);
    return { value: response.value, stat: statOf(response.stat), revision: Number(response.revision) };
  }

  /** The node's stat, or null when it does not exist. */
  async exists(path: string, options: ReadOptions = {}): Promise<NodeStat | null> {
    return (await this.existsAt(path, options)).stat;
  }

  /** The node's stat (null when missing) and the group revision the answer is current to. */
  async existsAt(path: string, options: ReadOptions = {}): Promise<{ readonly stat: NodeStat | null; readonly revision: number }> {
    const namespace = namespaceOfPath(path);
    const request = { path, serializable: options.serializable === true };
    const response = await this.runner.run({ method: corralMethods().kv.Exists, request, namespace, role: 'replica', safety: 'read', what: `exists ${path}` }, options);
    return { stat: response.exists ? statOf(response.stat) : null, revision: Number(response.revision) };
  }

  async set(path: string, value: Value, options: SetOptions = {}): Promise<SetResult> {
    const namespace = namespaceOfPath(path);
    const request = { path, value: toBytes(value), expected_version: checkVersion(options.expectedVersion, `set ${path}`), guard: guardMessage(options.guard) };
    const response = await this.runner.run({ method: corralMethods().kv.Set, request, namespace, role: 'leader', safety: 'write', what: `set ${path}` }, options);
    return { stat: statOf(response.stat), revision: Number(response.revision) };
  }

  async put(path: string, value: Value, options: PutOptions = {}): Promise<PutResult> {
    const namespace = namespaceOfPath(path);
    const what = `put ${path}`;
    const sessionId = await this.sessionIdFor(options.session, namespace, options.ephemeral === true, options, what);
    const requestId = options.session === undefined ? null : { session_id: sessionId, id: options.session.nextRequestId() };
    const safety: CallSafety = requestId === null ? 'write' : 'idempotent-write';
    const request = { path, value: toBytes(value), ephemeral: options.ephemeral === true, session_id: sessionId, guard: guardMessage(options.guard), request_id: requestId };
    const response = await this.withSession(options.session, namespace, () =>
      this.runner.run({ method: corralMethods().kv.Put, request, namespace, role: 'leader', safety, what }, options),
    );
    return { stat: statOf(response.stat), revision: Number(response.revision), created: response.created };
  }

  async delete(path: string, options: DeleteOptions = {}): Promise<DeleteResult> {
    const namespace = namespaceOfPath(path);
    const what = `delete ${path}`;
    const request = {
      path,
      expected_version: checkVersion(options.expectedVersion, what),
      recursive: options.recursive === true,
      guard: guardMessage(options.guard),
      ignore_missing: options.ignoreMissing === true,
    };
    // Resending an ignore-missing delete cannot change the outcome; any other delete could
    // turn a success into NOT_FOUND or remove a node re-created meanwhile.
    const safety: CallSafety = options.ignoreMissing === true && options.expectedVersion === undefined ? 'idempotent-write' : 'write';
    const response = await this.runner.run({ method: corralMethods().kv.Delete, request, namespace, role: 'leader', safety, what }, options);
    return { deleted: Number(response.deleted), revision: Number(response.revision) };
  }

  /** Every child of `path`, in name order, fetched page by page (bounded by childrenMax). */
  async list(path: string, options: ListOptions = {}): Promise<ListResult> {
    const namespace = namespaceOfPath(path);
    const childrenMax = options.childrenMax ?? LIST_CHILDREN_MAX_DEFAULT;
    const children: ChildEntry[] = [];
    let after = '';
    let revision = 0;
    // Bounded: every page adds at least one child, and more than childrenMax is an error.
    while (children.length <= childrenMax) {
      const request = { path, page_size: options.pageSize ?? 0, after, serializable: options.serializable === true, with_stats: options.withStats === true };
      const response = await this.runner.run({ method: corralMethods().kv.List, request, namespace, role: 'replica', safety: 'read', what: `list ${path}` }, options);
      for (const child of response.children) children.push({ name: child.name, stat: options.withStats === true ? statOf(child.stat) : null });
      revision = Math.max(revision, Number(response.revision));
      if (!response.more || response.children.length === 0) return { children, revision };
      after = response.children[response.children.length - 1].name;
    }
    throw new CorralError('resource-exhausted', `list ${path}: more than ${childrenMax} children (raise childrenMax or page yourself)`);
  }

  async txn(spec: TxnSpec, options: TxnOptions = {}): Promise<TxnResult> {
    const paths = txnPaths(spec);
    if (paths.length === 0) throw new InvalidArgumentError('a transaction needs at least one compare or operation');
    const namespace = namespaceOfPath(paths[0]);
    for (const path of paths) {
      if (namespaceOfPath(path) !== namespace) throw new InvalidArgumentError(`a transaction's paths must share one namespace: ${paths[0]} and ${path} do not`);
    }
    const sessionId = await this.sessionIdFor(options.session, namespace, txnNeedsSession(spec), options, 'txn');
    const request = txnRequest(spec, () => sessionId);
    const response = await this.withSession(options.session, namespace, () =>
      this.runner.run({ method: corralMethods().kv.Txn, request, namespace, role: 'leader', safety: 'write', what: `txn on /${namespace}` }, options),
    );
    return txnResultOf(response);
  }
}
