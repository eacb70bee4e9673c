// The benchmark's ZooKeeper client against a scripted fake server on 127.0.0.1 (port 0): the
// session handshake, request/reply matching by xid, error codes, watch notifications, jute
// framing across TCP chunk boundaries, and close.

import { type Server, type Socket, createServer } from 'node:net';
import { FrameSplitter, JuteReader, JuteWriter } from '../../bench/load/zookeeper/jute-codec';
import { ZkClient, type ZkWatchEvent } from '../../bench/load/zookeeper/zk-client';
import { OP, ZkError } from '../../bench/load/zookeeper/zk-protocol';

interface FakeServer {
  readonly server: Server;
  readonly port: number;
  readonly ops: number[];
  readonly sockets: Socket[];
}

function reply(socket: Socket, xid: number, err: number, body?: (w: JuteWriter) => void): void {
  const writer = new JuteWriter().int(xid).long(7n).int(err);
  body?.(writer);
  const frame = writer.frame();
  // Split every frame in two writes so the client must reassemble it.
  socket.write(frame.subarray(0, 3));
  setImmediate(() => socket.write(frame.subarray(3)));
}

function handle(socket: Socket, ops: number[]): void {
  const splitter = new FrameSplitter();
  let connected = false;
  socket.on('data', (chunk: Buffer) => {
    for (const frame of splitter.push(chunk)) {
      const reader = new JuteReader(frame);
      if (!connected) {
        connected = true;
        reader.int();
        reader.long();
        const timeoutMs = reader.int();
        socket.write(new JuteWriter().int(0).int(timeoutMs).long(42n).buffer(Buffer.alloc(16)).bool(false).frame());
        continue;
      }
      const xid = reader.int();
      const op = reader.int();
      ops.push(op);
      if (op === OP.create) {
        const path = reader.string() ?? '';
        reply(socket, xid, 0, (w) => w.string(`${path}0000000001`));
      } else if (op === OP.exists) {
        reply(socket, xid, -101);
      } else if (op === OP.addWatch) {
        reply(socket, xid, 0);
        const event = new JuteWriter().int(-1).long(-1n).int(0).int(2).int(3).string('/w/a').frame();
        setImmediate(() => socket.write(event));
      } else if (op === OP.closeSession) {
        socket.end(new JuteWriter().int(xid).long(7n).int(0).frame());
      } else if (op !== OP.ping) {
        reply(socket, xid, 0, (w) => w.string('/'));
      }
    }
  });
}

async function startFake(): Promise<FakeServer> {
  const ops: number[] = [];
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    handle(socket, ops);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return { server, port: address.port, ops, sockets };
}

describe('ZkClient', () => {
  let fake: FakeServer | null = null;
  let client: ZkClient | null = null;

  afterEach(async () => {
    client?.destroy();
    for (const socket of fake?.sockets ?? []) socket.destroy();
    await new Promise<void>((resolve) => (fake === null ? resolve() : fake.server.close(() => resolve())));
    fake = null;
    client = null;
  });

  it('opens a session, matches replies, maps errors, delivers events and closes', async () => {
    fake = await startFake();
    client = await ZkClient.connect({ host: '127.0.0.1', port: fake.port, sessionTimeoutMs: 5_000, connectTimeoutMs: 5_000 });
    expect(client.sessionId).toBe(42n);
    expect(client.negotiatedTimeoutMs).toBe(5_000);

    expect(await client.create('/lock/lock-', Buffer.from('x'), 'ephemeral-sequential')).toBe('/lock/lock-0000000001');
    expect(await client.exists('/missing', true)).toBe(false);
    await client.sync('/w');

    const events: ZkWatchEvent[] = [];
    const received = new Promise<void>((resolve) => client!.onEvent((event) => {
      events.push(event);
      resolve();
    }));
    await client.addWatch('/w', true);
    await received;
    expect(events).toEqual([{ type: 'deleted', path: '/w/a' }]);

    await client.close(2_000);
    expect(client.closed).toBe(true);
    expect(fake.ops).toEqual([OP.create, OP.exists, OP.sync, OP.addWatch, OP.closeSession]);
    await expect(client.getData('/w')).rejects.toBeInstanceOf(ZkError);
  });

  it('fails pending requests with CONNECTIONLOSS when the server drops the connection', async () => {
    fake = await startFake();
    client = await ZkClient.connect({ host: '127.0.0.1', port: fake.port, sessionTimeoutMs: 5_000, connectTimeoutMs: 5_000 });
    const closed = new Promise<string>((resolve) => client!.onClose(resolve));
    for (const socket of fake.sockets) socket.destroy();
    expect(await closed).toMatch(/closed|error/);
    await expect(client.getChildren('/', false)).rejects.toThrow(/CONNECTIONLOSS/);
  });

  it('splits frames across chunks and rejects absurd lengths', () => {
    const splitter = new FrameSplitter();
    const frame = new JuteWriter().int(5).string('abc').frame();
    expect(splitter.push(frame.subarray(0, 5))).toHaveLength(0);
    const [body] = splitter.push(frame.subarray(5));
    const reader = new JuteReader(body);
    expect(reader.int()).toBe(5);
    expect(reader.string()).toBe('abc');
    const bad = Buffer.alloc(4);
    bad.writeInt32BE(-5, 0);
    expect(() => new FrameSplitter().push(bad)).toThrow();
  });
});
