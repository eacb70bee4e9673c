// Throughput of the peer transport between two nodes on loopback (one process, both ends).
//   npx tsx tests/transport/throughput.ts [durationMs]
// Scenarios: 64 groups of heartbeats; 64 groups of 'app' messages carrying one 256-byte
// entry. The sender keeps a bounded window of rounds in flight (one round = one message per
// group, sent in one event-loop turn) so that it measures the transport, not its drop path.

import * as grpc from '@grpc/grpc-js';
import { performance } from 'node:perf_hooks';
import type { GroupMessage } from '../../server/host/ports';
import { PeerTransport } from '../../server/host/transport/peer-transport';
import type { Message } from '../../server/raft/types';

const GROUPS = 64;
/** Rounds sent but not yet fully received; bounds the sender's queue. */
const ROUNDS_IN_FLIGHT_MAX = 64;
const DURATION_MS = Number(process.argv[2] ?? 3000);

interface Node {
  readonly transport: PeerTransport;
  readonly server: grpc.Server;
  readonly address: string;
}

async function start(nodeId: number): Promise<Node> {
  const transport = new PeerTransport({ nodeId, clusterId: 'bench' });
  const server = new grpc.Server();
  transport.addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { transport, server, address: `127.0.0.1:${port}` };
}

function base(type: Message['type']): Message {
  return { type, from: 1, to: 2, term: 7, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0, rejectHintTerm: 0, snapshot: null, context: '' };
}

function heartbeatRound(round: number): GroupMessage[] {
  return Array.from({ length: GROUPS }, (_, g) => ({ groupId: g + 1, message: { ...base('heartbeat'), commit: 1000 + round } }));
}

const PAYLOAD = new Uint8Array(256).fill(0xab);
function appendRound(round: number): GroupMessage[] {
  return Array.from({ length: GROUPS }, (_, g) => ({
    groupId: g + 1,
    message: { ...base('app'), logTerm: 7, index: round, commit: round, entries: [{ term: 7, index: round + 1, type: 'normal' as const, data: PAYLOAD }] },
  }));
}

interface Result {
  readonly messagesPerSecond: number;
  readonly batchesPerSecond: number;
  readonly messagesPerBatch: number;
  readonly bytesPerMessage: number;
  readonly dropped: number;
}

async function measure(a: Node, b: Node, makeRound: (round: number) => GroupMessage[]): Promise<Result> {
  let receivedMessages = 0;
  let receivedBatches = 0;
  let sentRounds = 0;
  let stop = false;
  let wake: () => void = () => undefined;
  b.transport.onReceive((_from, messages) => {
    receivedMessages += messages.length;
    receivedBatches += 1;
    wake();
  });
  const before = a.transport.stats().peers.find((p) => p.nodeId === 2)!;
  const startedMs = performance.now();
  const timer = setTimeout(() => {
    stop = true;
    wake();
  }, DURATION_MS);
  while (!stop) {
    const inFlight = sentRounds - Math.floor(receivedMessages / GROUPS);
    if (inFlight < ROUNDS_IN_FLIGHT_MAX) {
      a.transport.send(2, makeRound(sentRounds));
      sentRounds += 1;
      await new Promise<void>((resolve) => setImmediate(resolve)); // one round per turn
    } else {
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  clearTimeout(timer);
  const elapsedSeconds = (performance.now() - startedMs) / 1000;
  const after = a.transport.stats().peers.find((p) => p.nodeId === 2)!;
  return {
    messagesPerSecond: receivedMessages / elapsedSeconds,
    batchesPerSecond: receivedBatches / elapsedSeconds,
    messagesPerBatch: receivedMessages / Math.max(1, receivedBatches),
    bytesPerMessage: (after.bytesSent - before.bytesSent) / Math.max(1, after.messagesSent - before.messagesSent),
    dropped: after.droppedQueueFull - before.droppedQueueFull,
  };
}

function report(name: string, result: Result): void {
  const round = (value: number): string => value.toFixed(value < 100 ? 1 : 0);
  process.stdout.write(
    `${name.padEnd(34)} ${round(result.messagesPerSecond).padStart(9)} msg/s ${round(result.batchesPerSecond).padStart(7)} batches/s ` +
      `${round(result.messagesPerBatch).padStart(6)} msg/batch ${round(result.bytesPerMessage).padStart(6)} B/msg  dropped ${result.dropped}\n`,
  );
}

async function main(): Promise<void> {
  const a = await start(1);
  const b = await start(2);
  try {
    a.transport.setPeer(2, b.address);
    b.transport.setPeer(1, a.address);
    process.stdout.write(`node ${process.version}, ${GROUPS} groups, ${DURATION_MS} ms per scenario, window ${ROUNDS_IN_FLIGHT_MAX} rounds\n`);
    report('warm-up (heartbeats)', await measure(a, b, heartbeatRound));
    report('64 groups, heartbeats', await measure(a, b, heartbeatRound));
    report('64 groups, 256-byte appends', await measure(a, b, appendRound));
  } finally {
    await Promise.all([a.transport.close(), b.transport.close()]);
    a.server.forceShutdown();
    b.server.forceShutdown();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exitCode = 1;
});
