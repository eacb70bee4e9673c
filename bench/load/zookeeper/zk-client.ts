// A small ZooKeeper client over one TCP connection, written for the benchmark from the
// protocol's published message layouts. One client is one session on one server: it never
// moves to another server by itself (the benchmark decides where each simulated client
// connects, as it does for etcd and Corral). It pings every sessionTimeout/3, supports the
// operations the workloads use, including `sync` and persistent recursive watches (`addWatch`,
// ZooKeeper 3.6+), which the pure-JS client on npm lacks.

import { Socket, connect as netConnect } from 'node:net';
import { assert } from '../../../server/util/assert';
import { FrameSplitter, JuteReader, JuteWriter } from './jute-codec';
import { type CreateMode, ERR_NONODE, ERR_OK, OP, type WatchEventType, XID_NOTIFICATION, XID_PING, ZkError, createFlags, watchEventType } from './zk-protocol';

/** Most requests awaiting a reply on one connection. */
export const IN_FLIGHT_REQUESTS_MAX = 10_000;
const SESSION_PASSWORD_BYTES = 16;

export interface ZkClientOptions {
  readonly host: string;
  readonly port: number;
  readonly sessionTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

export interface ZkWatchEvent {
  readonly type: WatchEventType;
  readonly path: string;
}

interface Pending {
  readonly xid: number;
  readonly op: number;
  readonly path: string;
  readonly resolve: (reply: JuteReader) => void;
  readonly reject: (error: Error) => void;
}

export class ZkClient {
  private readonly splitter = new FrameSplitter();
  private readonly pending: Pending[] = [];
  private readonly eventListeners = new Set<(event: ZkWatchEvent) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private nextXid = 1;
  private pingTimer: NodeJS.Timeout | null = null;
  private closedReason: string | null = null;
  sessionId = 0n;
  negotiatedTimeoutMs = 0;

  private constructor(private readonly socket: Socket, readonly options: ZkClientOptions) {}

  /** Opens the connection and the session; resolves once the server has accepted it. */
  static async connect(options: ZkClientOptions): Promise<ZkClient> {
    assert(options.sessionTimeoutMs > 0 && options.connectTimeoutMs > 0, 'timeouts must be positive');
    const socket = netConnect({ host: options.host, port: options.port });
    socket.setNoDelay(true);
    const client = new ZkClient(socket, options);
    await client.handshake();
    return client;
  }

  private handshake(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new ZkError('CONNECTIONLOSS', -4, 'connect', `no session within ${this.options.connectTimeoutMs} ms`)), this.options.connectTimeoutMs);
      const fail = (error: Error): void => {
        clearTimeout(timer);
        this.socket.removeAllListeners('data');
        this.socket.destroy();
        reject(error);
      };
      this.socket.once('error', (error) => fail(error));
      this.socket.once('connect', () => {
        const request = new JuteWriter().int(0).long(0n).int(this.options.sessionTimeoutMs).long(0n).buffer(Buffer.alloc(SESSION_PASSWORD_BYTES)).bool(false);
        this.socket.write(request.frame());
      });
      const onData = (chunk: Buffer): void => {
        const frames = this.splitter.push(chunk);
        if (frames.length === 0) return;
        assert(frames.length === 1, 'server sent frames before the session was established');
        const reader = new JuteReader(frames[0]);
        reader.int(); // protocol version
        const timeoutMs = reader.int();
        this.sessionId = reader.long();
        if (timeoutMs <= 0) return fail(new ZkError('SESSIONEXPIRED', -112, 'connect', 'server refused the session'));
        clearTimeout(timer);
        this.negotiatedTimeoutMs = timeoutMs;
        this.socket.removeListener('data', onData);
        this.socket.removeAllListeners('error');
        this.attach();
        resolve();
      };
      this.socket.on('data', onData);
    });
  }

  private attach(): void {
    this.socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of this.splitter.push(chunk)) this.dispatch(new JuteReader(frame));
      } catch (error) {
        this.teardown(`protocol error: ${(error as Error).message}`);
      }
    });
    this.socket.on('error', (error) => this.teardown(`socket error: ${error.message}`));
    this.socket.on('close', () => this.teardown('connection closed'));
    this.pingTimer = setInterval(() => this.ping(), Math.max(1, Math.floor(this.negotiatedTimeoutMs / 3)));
    this.pingTimer.unref();
  }

  private dispatch(reader: JuteReader): void {
    const xid = reader.int();
    reader.long(); // zxid
    const err = reader.int();
    if (xid === XID_PING) return;
    if (xid === XID_NOTIFICATION) {
      const type = watchEventType(reader.int());
      reader.int(); // keeper state
      const path = reader.string() ?? '';
      for (const listener of [...this.eventListeners]) listener({ type, path });
      return;
    }
    const head = this.pending.shift();
    if (head === undefined || head.xid !== xid) throw new Error(`reply xid ${xid} does not match the oldest request (${head?.xid ?? 'none'})`);
    if (err === ERR_OK) head.resolve(reader);
    else head.reject(ZkError.fromCode(err, head.op, head.path));
  }

  private ping(): void {
    if (this.closedReason !== null) return;
    this.socket.write(new JuteWriter().int(XID_PING).int(OP.ping).frame());
  }

  private teardown(reason: string): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.socket.destroy();
    for (const request of this.pending.splice(0)) request.reject(new ZkError('CONNECTIONLOSS', -4, String(request.op), `${request.path}: ${reason}`));
    for (const listener of [...this.closeListeners]) listener(reason);
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  private request(op: number, path: string, body: (writer: JuteWriter) => void): Promise<JuteReader> {
    if (this.closedReason !== null) return Promise.reject(new ZkError('CONNECTIONLOSS', -4, String(op), `${path}: ${this.closedReason}`));
    if (this.pending.length >= IN_FLIGHT_REQUESTS_MAX) return Promise.reject(new ZkError('RESOURCE', -1, String(op), `more than ${IN_FLIGHT_REQUESTS_MAX} requests in flight`));
    const xid = this.nextXid;
    this.nextXid = this.nextXid >= 2 ** 31 - 1 ? 1 : this.nextXid + 1;
    const writer = new JuteWriter().int(xid).int(op);
    body(writer);
    return new Promise<JuteReader>((resolve, reject) => {
      this.pending.push({ xid, op, path, resolve, reject });
      this.socket.write(writer.frame());
    });
  }

  async create(path: string, data: Buffer, mode: CreateMode): Promise<string> {
    const reply = await this.request(OP.create, path, (w) => {
      w.string(path).buffer(data).int(1).int(31).string('world').string('anyone').int(createFlags(mode));
    });
    return reply.string() ?? path;
  }

  async delete(path: string, version = -1): Promise<void> {
    await this.request(OP.delete, path, (w) => w.string(path).int(version));
  }

  /** Whether the node exists; with `watch`, a one-shot watch is left on the path either way. */
  async exists(path: string, watch: boolean): Promise<boolean> {
    try {
      await this.request(OP.exists, path, (w) => w.string(path).bool(watch));
      return true;
    } catch (error) {
      if (error instanceof ZkError && error.code === ERR_NONODE) return false;
      throw error;
    }
  }

  async getData(path: string): Promise<Buffer> {
    const reply = await this.request(OP.getData, path, (w) => w.string(path).bool(false));
    return Buffer.from(reply.buffer() ?? Buffer.alloc(0));
  }

  async setData(path: string, data: Buffer, version = -1): Promise<void> {
    await this.request(OP.setData, path, (w) => w.string(path).buffer(data).int(version));
  }

  async getChildren(path: string, watch: boolean): Promise<string[]> {
    const reply = await this.request(OP.getChildren, path, (w) => w.string(path).bool(watch));
    return reply.strings();
  }

  /** Makes the connected server catch up with the leader (a read after it is linearizable). */
  async sync(path: string): Promise<void> {
    await this.request(OP.sync, path, (w) => w.string(path));
  }

  /** A watch that stays armed: `recursive` covers the whole subtree (ZooKeeper 3.6+). */
  async addWatch(path: string, recursive: boolean): Promise<void> {
    await this.request(OP.addWatch, path, (w) => w.string(path).int(recursive ? 1 : 0));
  }

  onEvent(listener: (event: ZkWatchEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Closes the session on the server (its ephemeral nodes go at once), then the socket. */
  async close(timeoutMs: number): Promise<void> {
    if (this.closedReason !== null) return;
    const closing = this.request(OP.closeSession, '', () => undefined).then(() => undefined, () => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closing, new Promise((resolve) => { timer = setTimeout(resolve, timeoutMs); })]);
    clearTimeout(timer);
    this.teardown('closed by the client');
  }

  /** Drops the connection without closing the session (the session then expires on its own). */
  destroy(): void {
    this.teardown('destroyed by the client');
  }
}
