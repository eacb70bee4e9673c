// Run as a child process by exit.test.ts: starts two nodes, exchanges messages, leaves a
// reconnect timer pending (a third peer that is down) and a queue full of messages, then
// closes everything the way a node does on shutdown and does NOT call process.exit: the
// process must end by itself, which it does only if nothing is left holding it open.

import * as grpc from '@grpc/grpc-js';
import { PeerTransport } from '../../server/host/transport/peer-transport';
import type { GroupMessage } from '../../server/host/ports';

async function start(nodeId: number): Promise<{ transport: PeerTransport; server: grpc.Server; address: string }> {
  const transport = new PeerTransport({ nodeId, clusterId: 'exit-check', reconnectBackoffMsMin: 20, reconnectBackoffMsMax: 200 });
  const server = new grpc.Server();
  transport.addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { transport, server, address: `127.0.0.1:${port}` };
}

function heartbeat(from: number, to: number): GroupMessage {
  return {
    groupId: 1,
    message: { type: 'heartbeat', from, to, term: 1, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0, rejectHintTerm: 0, snapshot: null, context: '' },
  };
}

async function main(): Promise<void> {
  const a = await start(1);
  const b = await start(2);
  const received = new Promise<void>((resolve) => b.transport.onReceive(() => resolve()));
  a.transport.setPeer(2, b.address);
  b.transport.setPeer(1, a.address);
  a.transport.setPeer(3, '127.0.0.1:1'); // never up: its link sits in backoff
  a.transport.send(2, [heartbeat(1, 2)]);
  a.transport.send(3, [heartbeat(1, 3)]);
  await received;
  await Promise.all([a.transport.close(), b.transport.close()]);
  await Promise.all(
    [a.server, b.server].map((server) => new Promise<void>((resolve, reject) => server.tryShutdown((error) => (error ? reject(error) : resolve())))),
  );
  process.stdout.write('closed\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
