// A Corral session for the benchmark: Session.Open in the keys' namespace, then a KeepAlive
// stream that renews it every TTL/3 (the cadence), and ephemeral creates that carry
// the session id and a per-session request id.

import type * as grpc from '@grpc/grpc-js';
import type { KeepAliveRequest } from '../../../proto/gen/corral/v1/KeepAliveRequest';
import type { KeepAliveResponse__Output } from '../../../proto/gen/corral/v1/KeepAliveResponse';
import { assert } from '../../../server/util/assert';
import type { BenchSession, OpOptions } from '../adapter';
import { CorralConnection, corralServices } from './corral-connection';

/** Restarts of a broken KeepAlive stream over one session's life. */
export const KEEPALIVE_STREAM_RESTARTS_MAX = 50;
const KEEPALIVE_RESTART_DELAY_MS = 100;

export class CorralBenchSession implements BenchSession {
  private stream: grpc.ClientDuplexStream<KeepAliveRequest, KeepAliveResponse__Output> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private restarts = 0;
  private requestId = 0;
  private ended = false;
  /** Set when the server reports the session expired. */
  expired = false;

  private constructor(private readonly connection: CorralConnection, private readonly namespace: string, readonly sessionId: number, readonly ttlMs: number) {}

  static async open(connection: CorralConnection, namespace: string, ttlMs: number, options: OpOptions): Promise<CorralBenchSession> {
    const response = await connection.unary(corralServices().session.Open, { ttl_ms: ttlMs, namespace }, options.timeoutMs);
    assert(response.session_id > 0, 'Session.Open returned session id 0');
    const session = new CorralBenchSession(connection, namespace, response.session_id, response.ttl_ms > 0 ? response.ttl_ms : ttlMs);
    session.startKeepAlive(connection.address);
    return session;
  }

  private startKeepAlive(address: string): void {
    if (this.ended) return;
    const stream = this.connection.bidiStream(corralServices().session.KeepAlive, address);
    this.stream = stream;
    stream.on('data', (response: KeepAliveResponse__Output) => {
      if (response.expired.includes(this.sessionId)) this.expired = true;
    });
    stream.on('error', (error: unknown) => this.restartKeepAlive(CorralConnection.leaderHintOf(error) ?? address));
    stream.on('end', () => this.restartKeepAlive(address));
    const beat = (): void => {
      if (this.stream === stream && !this.ended) stream.write({ session_ids: [this.sessionId], namespace: this.namespace });
    };
    beat();
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = setInterval(beat, Math.max(1, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  private restartKeepAlive(address: string): void {
    if (this.ended || this.stream === null) return;
    this.stream = null;
    if (this.restarts++ >= KEEPALIVE_STREAM_RESTARTS_MAX) return;
    setTimeout(() => this.startKeepAlive(address), KEEPALIVE_RESTART_DELAY_MS).unref();
  }

  nextRequestId(): number {
    return ++this.requestId;
  }

  async registerEphemeral(key: string, value: Buffer, options: OpOptions): Promise<void> {
    const request = { path: key, value, mode: 'EPHEMERAL' as const, session_id: this.sessionId, make_parents: true, request_id: { session_id: this.sessionId, id: this.nextRequestId() } };
    await this.connection.unary(corralServices().kv.Create, request, options.timeoutMs);
  }

  /** Stops the keepalives without telling the server (the session then expires by TTL). */
  abandon(): void {
    this.ended = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.stream?.cancel();
    this.stream = null;
  }

  async close(options: OpOptions): Promise<void> {
    this.abandon();
    await this.connection.unary(corralServices().session.Close, { session_id: this.sessionId, namespace: this.namespace }, options.timeoutMs);
  }
}
