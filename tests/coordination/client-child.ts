// A client process the coordination tests start and SIGKILL: it opens a session, keeps it
// alive, and plays one role, printing one JSON line per event on stdout:
// - "ephemeral": puts ephemeral nodes, optionally rewrites them (heartbeat data) every
//   `heartbeatMs`; prints {"event":"ready"} then {"event":"heartbeat",...} per rewrite;
// - "contender": loops acquire (FIFO wait) -> guarded writes with the fencing token ->
//   release; prints grant / write / release / refused events.
// It exits when its stdin closes (the test process went away), so it never outlives a test.
//
// Run: node --require tsx/cjs tests/coordination/client-child.ts '<json args>'

import * as grpc from '@grpc/grpc-js';
import { Clients, SessionKeeper, deadline, openSession, sleep, statusOf, unaryCall, withRetry } from './raw-client';

interface CommonArgs {
  readonly endpoints: string[];
  readonly namespace: string;
  readonly ttlMs: number;
  readonly keepaliveMs: number;
  /** Open the session only once the test writes "go" (after every child has booted). */
  readonly waitForGo?: boolean;
}

interface EphemeralArgs extends CommonArgs {
  readonly role: 'ephemeral';
  readonly paths: string[];
  readonly value: string;
  /** 0: write once. */
  readonly heartbeatMs: number;
  readonly heartbeatsMax: number;
}

interface ContenderArgs extends CommonArgs {
  readonly role: 'contender';
  readonly lock: string;
  readonly resource: string;
  readonly holdMs: number;
  readonly roundsMax: number;
  readonly writesPerHold: number;
}

type Args = EphemeralArgs | ContenderArgs;

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

async function put(clients: Clients, args: CommonArgs, path: string, value: string, sessionId: number, guard?: { lock: string; token: number }): Promise<number> {
  const response = await withRetry(`put ${path}`, args.endpoints, (address) =>
    unaryCall<{ revision: number }>((cb) => clients.kv(address).Put({ path, value: Buffer.from(value), ephemeral: sessionId !== 0, session_id: sessionId, ...(guard ? { guard } : {}) }, deadline(5_000), cb)));
  return Number(response.revision);
}

async function runEphemeral(clients: Clients, args: EphemeralArgs, sessionId: number): Promise<void> {
  let revision = 0;
  for (const path of args.paths) revision = await put(clients, args, path, args.value, sessionId);
  emit({ event: 'ready', sessionId, revision });
  for (let beat = 1; args.heartbeatMs > 0 && beat <= args.heartbeatsMax; beat += 1) {
    await sleep(args.heartbeatMs);
    for (const path of args.paths) {
      const value = `${args.value}#${beat}`;
      const written = await put(clients, args, path, value, sessionId);
      emit({ event: 'heartbeat', path, value, revision: written });
    }
  }
}

async function acquire(clients: Clients, args: ContenderArgs, sessionId: number, requestId: number): Promise<number> {
  const response = await withRetry('acquire', args.endpoints, (address) =>
    unaryCall<{ token: number }>((cb) => clients.lock(address).Acquire({ name: args.lock, session_id: sessionId, wait_ms: 120_000, request_id: requestId }, deadline(150_000), cb)));
  return Number(response.token);
}

/** Resolves when the test writes "go" on stdin: sessions then start after every child has
 *  booted, not during the CPU storm of 16 processes starting (which can starve a child's
 *  keepalives past a short TTL). */
function goSignal(): Promise<void> {
  return new Promise((resolve) => {
    let input = '';
    process.stdin.on('data', (chunk: Buffer) => {
      input += chunk.toString();
      if (input.includes('go\n')) resolve();
    });
  });
}

async function runContender(clients: Clients, args: ContenderArgs, sessionId: number): Promise<void> {
  emit({ event: 'ready', sessionId });
  for (let round = 1; round <= args.roundsMax; round += 1) {
    const token = await acquire(clients, args, sessionId, round);
    emit({ event: 'grant', sessionId, token, round });
    for (let write = 0; write < args.writesPerHold; write += 1) {
      try {
        const revision = await put(clients, args, args.resource, `${token}:${write}`, 0, { lock: args.lock, token });
        emit({ event: 'write', sessionId, token, revision });
      } catch (error) {
        const status = statusOf(error);
        emit({ event: 'refused', sessionId, token, code: status.code, details: status.details });
      }
      await sleep(args.holdMs / args.writesPerHold);
    }
    emit({ event: 'release', sessionId, token });
    await withRetry('release', args.endpoints, (address) =>
      unaryCall<unknown>((cb) => clients.lock(address).Release({ name: args.lock, token }, deadline(5_000), cb)));
  }
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as Args;
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
  const clients = new Clients(`child-${process.pid}`);
  if (args.waitForGo === true) {
    const go = goSignal();
    emit({ event: 'booted' });
    await go;
  }
  const sessionId = await openSession(clients, args.endpoints, args.namespace, args.ttlMs);
  const keeper = new SessionKeeper(clients, () => args.endpoints, {
    namespace: args.namespace,
    sessionIds: [sessionId],
    intervalMs: args.keepaliveMs,
    onExpired: (ids) => emit({ event: 'expired', ids }),
  });
  keeper.start();
  if (args.role === 'ephemeral') await runEphemeral(clients, args, sessionId);
  else await runContender(clients, args, sessionId);
  emit({ event: 'done' });
}

main().catch((error: unknown) => {
  const code = (error as Partial<grpc.ServiceError>).code;
  emit({ event: 'failed', code: code ?? null, message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
