// The request runner with a scripted transport: leader hints followed, safe retries bounded,
// non-idempotent writes never resent after an ambiguous failure, aborts honoured.

import * as grpc from '@grpc/grpc-js';
import { CancelledError, CorralError, NotFoundError, OutcomeUnknownError, UnavailableError } from '../../client-sdk';
import { RequestRunner, type UnaryCall } from '../../client-sdk/request-runner';
import { Topology } from '../../client-sdk/topology';
import type { Method, Transport } from '../../client-sdk/transport';
import type { CallSafety } from '../../client-sdk/retry-policy';

type Reply = { readonly ok: unknown } | { readonly error: grpc.ServiceError } | { readonly hang: true };

function failure(code: grpc.status, details: string, metadata: Record<string, string> = {}): { error: grpc.ServiceError } {
  const md = new grpc.Metadata();
  for (const [key, value] of Object.entries(metadata)) md.set(key, value);
  return { error: Object.assign(new Error(details), { code, details, metadata: md }) };
}

const STATUS = {
  cluster_id: 'c',
  node_id: 1,
  members: [1, 2, 3].map((id) => ({ id, address: `n${id}:1`, state: 'active', meta_voter: true })),
  groups: [{ id: 7, voters: [1, 2, 3], learners: [], epoch: 1, leader: 1, term: 1, commit: 1, applied: 1 }],
  slot_count: 1,
  slots: [7],
};

/** Answers Status from the table and every other call from the script, in order. */
class ScriptedTransport implements Transport {
  readonly calls: { address: string; path: string }[] = [];
  constructor(private readonly script: Reply[]) {}

  unary<Request, Response>(address: string, method: Method<Request, Response>, _request: Request, options: { deadlineMs: number; signal?: AbortSignal }): Promise<Response> {
    if (method.path.endsWith('/Status')) return Promise.resolve(STATUS as unknown as Response);
    this.calls.push({ address, path: method.path });
    const reply = this.script.shift() ?? { ok: {} };
    if ('hang' in reply) {
      return new Promise<Response>((_resolve, reject) => {
        options.signal?.addEventListener('abort', () => reject(failure(grpc.status.CANCELLED, 'Cancelled on client').error));
      });
    }
    return 'ok' in reply ? Promise.resolve(reply.ok as Response) : Promise.reject(reply.error);
  }

  serverStream(): never {
    throw new Error('not used');
  }

  bidiStream(): never {
    throw new Error('not used');
  }

  close(): void {}
}

const method: Method<object, object> = { path: '/corral.v1.KV/Put', requestSerialize: () => Buffer.alloc(0), responseDeserialize: () => ({}) };

function runner(script: Reply[], attemptsMax = 5): { runner: RequestRunner; transport: ScriptedTransport; sleeps: number[] } {
  const transport = new ScriptedTransport(script);
  const sleeps: number[] = [];
  const topology = new Topology(['n1:1'], (address, deadlineMs) => transport.unary(address, { ...method, path: '/corral.v1.Cluster/Status' }, {}, { deadlineMs }) as never);
  const instance = new RequestRunner(transport, topology, {
    defaultTimeoutMs: 5_000,
    attemptsMax,
    backoff: { baseMs: 10, capMs: 100 },
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { runner: instance, transport, sleeps };
}

function call(safety: CallSafety): UnaryCall<object, object> {
  return { method, request: {}, namespace: 'jobs', role: safety === 'read' ? 'replica' : 'leader', safety, what: 'put /jobs/a' };
}

test('a write goes to the leader; a not-leader answer with a hint sends the retry to the hinted node', async () => {
  const { runner: r, transport, sleeps } = runner([failure(grpc.status.UNAVAILABLE, 'not leader', { 'corral-error': 'not-leader', 'corral-leader-id': '3' }), { ok: { done: true } }]);
  await expect(r.run(call('write'))).resolves.toEqual({ done: true });
  expect(transport.calls.map((c) => c.address)).toEqual(['n1:1', 'n3:1']);
  expect(sleeps).toEqual([5]);
});

test('retryable failures are retried with growing backoff, and the attempts are bounded', async () => {
  const noLeader = () => failure(grpc.status.UNAVAILABLE, 'no leader yet', { 'corral-error': 'unavailable' });
  const { runner: r, transport, sleeps } = runner([noLeader(), noLeader(), noLeader(), noLeader(), noLeader(), noLeader()], 4);
  await expect(r.run(call('write'))).rejects.toBeInstanceOf(UnavailableError);
  expect(transport.calls).toHaveLength(4);
  expect(sleeps).toEqual([5, 10, 20]);
});

test('a plain write that timed out is NOT resent: OutcomeUnknownError after one attempt', async () => {
  const { runner: r, transport } = runner([failure(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded')]);
  const error = await r.run(call('write')).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OutcomeUnknownError);
  expect((error as CorralError).message).toMatch(/put \/jobs\/a timed out .* may or may not have been applied/);
  expect(transport.calls).toHaveLength(1);
});

test('a plain write whose connection dropped is not resent; the same write with a request id is', async () => {
  const drop = () => failure(grpc.status.UNAVAILABLE, 'Connection dropped');
  const plain = runner([drop()]);
  await expect(plain.runner.run(call('write'))).rejects.toBeInstanceOf(OutcomeUnknownError);
  expect(plain.transport.calls).toHaveLength(1);
  const tagged = runner([drop(), { ok: { again: true } }]);
  await expect(tagged.runner.run(call('idempotent-write'))).resolves.toEqual({ again: true });
  expect(tagged.transport.calls).toHaveLength(2);
});

test('a write that never left (connection refused) is resent, to another node', async () => {
  const { runner: r, transport } = runner([failure(grpc.status.UNAVAILABLE, 'No connection established. Last error: Error: connect ECONNREFUSED n1:1'), { ok: {} }]);
  await r.run(call('write'));
  expect(transport.calls).toHaveLength(2);
  expect(transport.calls[0].address).toBe('n1:1');
  expect(transport.calls[1].address).not.toBe('n1:1');
});

test('definite failures are not retried', async () => {
  const { runner: r, transport } = runner([failure(grpc.status.NOT_FOUND, 'node /jobs/a does not exist')]);
  await expect(r.run(call('read'))).rejects.toBeInstanceOf(NotFoundError);
  expect(transport.calls).toHaveLength(1);
});

test('an AbortSignal cancels a call in flight', async () => {
  const { runner: r } = runner([{ hang: true }]);
  const controller = new AbortController();
  const pending = r.run(call('read'), { signal: controller.signal });
  setImmediate(() => controller.abort());
  await expect(pending).rejects.toBeInstanceOf(CancelledError);
  const aborted = new AbortController();
  aborted.abort();
  await expect(r.run(call('read'), { signal: aborted.signal })).rejects.toBeInstanceOf(CancelledError);
});
