// Session keepalives for a whole client: ONE Session.KeepAlive stream per server node, shared
// by every sub-session that node leads. Callers `enqueue` (address, namespace, id); one flush
// per event-loop turn sends one request per (node, namespace) naming all ids queued for it.
// Each response is matched to the oldest outstanding request on that stream whose ids it
// covers, and its verdicts are handed to the callers. A stream that errors or ends fails its
// outstanding requests; the next enqueue opens a new one.

import type * as grpc from '@grpc/grpc-js';
import type { KeepAliveRequest } from '../proto/gen/corral/v1/KeepAliveRequest';
import type { KeepAliveResponse__Output } from '../proto/gen/corral/v1/KeepAliveResponse';
import { assert } from './assert';
import { CorralError, UnavailableError } from './errors';
import { corralMethods } from './methods';
import type { Transport } from './transport';

export type KeepAliveVerdict =
  | { readonly kind: 'alive'; readonly remainingMs: number; readonly sentAtMs: number }
  | { readonly kind: 'expired' }
  | { readonly kind: 'failed'; readonly error: CorralError };

export type VerdictCallback = (verdict: KeepAliveVerdict) => void;

export interface KeepAliveHubOptions {
  /** Requests awaiting an answer per stream; beyond it a stream is deemed stuck and reset. */
  readonly outstandingMax: number;
  /** Ids per request (the server bounds a batch too). */
  readonly idsPerRequestMax: number;
}

export const DEFAULT_KEEPALIVE_HUB_OPTIONS: KeepAliveHubOptions = { outstandingMax: 256, idsPerRequestMax: 512 };

interface Outstanding {
  readonly namespace: string;
  readonly sentAtMs: number;
  /** id -> callbacks (several sessions never share an id, but one may enqueue twice). */
  readonly waiters: Map<number, VerdictCallback[]>;
}

interface NodeStream {
  readonly address: string;
  readonly call: grpc.ClientDuplexStream<KeepAliveRequest, KeepAliveResponse__Output>;
  readonly outstanding: Outstanding[];
  dead: boolean;
}

export class KeepAliveHub {
  private readonly streams = new Map<string, NodeStream>();
  /** address -> namespace -> id -> callbacks, waiting for the next flush. */
  private queued = new Map<string, Map<string, Map<number, VerdictCallback[]>>>();
  private flushScheduled = false;
  private closed = false;

  constructor(
    private readonly transport: Transport,
    private readonly onStreamFailure: (address: string, error: CorralError) => void,
    private readonly options: KeepAliveHubOptions = DEFAULT_KEEPALIVE_HUB_OPTIONS,
  ) {}

  enqueue(address: string, namespace: string, id: number, callback: VerdictCallback): void {
    assert(Number.isSafeInteger(id) && id > 0, `keepalive for a bad session id ${id}`);
    if (this.closed) {
      callback({ kind: 'failed', error: new UnavailableError('the client is closed') });
      return;
    }
    let byNamespace = this.queued.get(address);
    if (byNamespace === undefined) this.queued.set(address, (byNamespace = new Map()));
    let byId = byNamespace.get(namespace);
    if (byId === undefined) byNamespace.set(namespace, (byId = new Map()));
    const callbacks = byId.get(id) ?? [];
    callbacks.push(callback);
    byId.set(id, callbacks);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const queued = this.queued;
    this.queued = new Map();
    for (const [address, byNamespace] of queued) {
      for (const [namespace, byId] of byNamespace) this.sendBatches(address, namespace, byId);
    }
  }

  private sendBatches(address: string, namespace: string, byId: Map<number, VerdictCallback[]>): void {
    const ids = [...byId.keys()];
    for (let start = 0; start < ids.length; start += this.options.idsPerRequestMax) {
      const chunk = ids.slice(start, start + this.options.idsPerRequestMax);
      const waiters = new Map(chunk.map((id) => [id, byId.get(id)!] as const));
      const stream = this.closed ? undefined : this.stream(address);
      if (stream === undefined || stream.outstanding.length >= this.options.outstandingMax) {
        const error = new UnavailableError(`keepalive stream to ${address} is ${stream === undefined ? 'closed' : 'stuck'}`);
        if (stream !== undefined) this.fail(stream, error);
        failAll(waiters, error);
        continue;
      }
      stream.outstanding.push({ namespace, sentAtMs: Date.now(), waiters });
      assert(stream.outstanding.length <= this.options.outstandingMax, `keepalive stream to ${address} has ${stream.outstanding.length} outstanding requests`);
      stream.call.write({ session_ids: chunk, namespace });
    }
  }

  private stream(address: string): NodeStream {
    const existing = this.streams.get(address);
    if (existing !== undefined && !existing.dead) return existing;
    const call = this.transport.bidiStream(address, corralMethods().session.KeepAlive, {});
    const stream: NodeStream = { address, call, outstanding: [], dead: false };
    call.on('data', (response: KeepAliveResponse__Output) => this.answer(stream, response));
    call.on('error', (error: unknown) => this.fail(stream, CorralError.from(error)));
    call.on('end', () => this.fail(stream, new UnavailableError(`keepalive stream to ${address} ended`)));
    this.streams.set(address, stream);
    return stream;
  }

  private answer(stream: NodeStream, response: KeepAliveResponse__Output): void {
    const ids = [...response.alive, ...response.expired].map(Number);
    const at = stream.outstanding.findIndex((o) => ids.every((id) => o.waiters.has(id)));
    if (at === -1) return; // Not ours (or late after a reset): nothing waits for it.
    const [request] = stream.outstanding.splice(at, 1);
    assert(request !== undefined && request.waiters.size > 0, 'a keepalive request without waiters');
    const alive = new Set(response.alive.map(Number));
    const expired = new Set(response.expired.map(Number));
    for (const [id, callbacks] of request.waiters) {
      let verdict: KeepAliveVerdict;
      if (alive.has(id)) verdict = { kind: 'alive', remainingMs: Number(response.ttl_remaining_ms), sentAtMs: request.sentAtMs };
      else if (expired.has(id)) verdict = { kind: 'expired' };
      else verdict = { kind: 'failed', error: new UnavailableError(`keepalive for session ${id} in /${request.namespace} got no verdict`) };
      for (const callback of callbacks) callback(verdict);
    }
  }

  private fail(stream: NodeStream, error: CorralError): void {
    if (stream.dead) return;
    stream.dead = true;
    if (this.streams.get(stream.address) === stream) this.streams.delete(stream.address);
    stream.call.removeAllListeners('data');
    stream.call.on('error', () => undefined);
    stream.call.cancel();
    const outstanding = stream.outstanding.splice(0);
    // The server answers requests in order and ends the stream at the first it refuses: the
    // error (and its leader hint) is about the OLDEST outstanding request; the others were
    // simply not answered.
    const unanswered = new UnavailableError(`keepalive stream to ${stream.address} ended before answering (${error.message})`);
    outstanding.forEach((request, i) => failAll(request.waiters, i === 0 ? error : unanswered));
    if (!this.closed) this.onStreamFailure(stream.address, error);
  }

  /** Streams currently open (for tests and diagnostics). */
  openStreamCount(): number {
    return [...this.streams.values()].filter((s) => !s.dead).length;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const error = new UnavailableError('the client is closed');
    for (const stream of [...this.streams.values()]) this.fail(stream, error);
    for (const byNamespace of this.queued.values()) for (const byId of byNamespace.values()) failAll(byId, error);
    this.queued.clear();
  }
}

function failAll(waiters: Map<number, VerdictCallback[]>, error: CorralError): void {
  for (const callbacks of waiters.values()) for (const callback of callbacks) callback({ kind: 'failed', error });
}
