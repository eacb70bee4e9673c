// The chaos checkers must be able to fail: known-bad histories (a stale read, a lost write,
// a write that appeared from nowhere) are rejected, good ones (including indeterminate
// writes that did or did not land) pass. Plus the classification of write failures.

import * as grpc from '@grpc/grpc-js';
import type { KvInput, KvOutput } from '../sim/kv-model';
import { checkKvLinearizable, checkNoLostWrites, survivingValues } from './checkers';
import type { ChaosOperation } from './history';
import { classifyWriteError } from './kv-calls';

let nextId = 0;
function op(client: number, input: KvInput, invokeTime: number, completeTime: number | null, output?: KvOutput): ChaosOperation {
  const outcome = completeTime === null || output === undefined ? { kind: 'indeterminate' as const } : { kind: 'ok' as const, output, completeTime };
  return { id: nextId++, client, input, invokeTime, outcome };
}
const put = (client: number, key: string, value: string, from: number, to: number | null): ChaosOperation =>
  op(client, { kind: 'put', key, value }, from, to, to === null ? undefined : { kind: 'put' });
const get = (client: number, key: string, value: string | null, from: number, to: number): ChaosOperation =>
  op(client, { kind: 'get', key }, from, to, { kind: 'get', value });
const cas = (client: number, key: string, expected: string | null, value: string, ok: boolean | null, from: number, to: number | null): ChaosOperation =>
  op(client, { kind: 'cas', key, expected, value }, from, to, ok === null ? undefined : { kind: 'cas', ok });

describe('checkKvLinearizable', () => {
  test('passes a good history with concurrent writes, a cas and an indeterminate write that landed', () => {
    const history = [
      put(1, '/a/k', 'v1', 0, 10),
      put(2, '/a/k', 'v2', 5, 15), // concurrent with v1: either order
      get(3, '/a/k', 'v1', 16, 20), // so v2 went first, then v1
      cas(1, '/a/k', 'v1', 'v3', true, 21, 30),
      put(2, '/a/k', 'v4', 31, null), // timed out, but it landed
      get(3, '/a/k', 'v4', 40, 45),
      get(1, '/b/k', null, 0, 1),
    ];
    expect(checkKvLinearizable(history)).toEqual([]);
  });

  test('rejects a stale read: a paused old leader answering with the value before an acknowledged write', () => {
    const history = [
      put(1, '/a/k', 'old', 0, 10),
      put(2, '/a/k', 'new', 20, 30),
      get(3, '/a/k', 'old', 40, 50),
    ];
    const anomalies = checkKvLinearizable(history);
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0].checker).toBe('linearizability');
    expect(anomalies[0].key).toBe('/a/k');
  });

  test('rejects a cas that succeeded against a value that had already been overwritten', () => {
    const history = [
      put(1, '/a/k', 'v1', 0, 10),
      put(2, '/a/k', 'v2', 11, 20),
      cas(3, '/a/k', 'v1', 'v3', true, 21, 30),
    ];
    expect(checkKvLinearizable(history).map((a) => a.checker)).toEqual(['linearizability']);
  });

  test('rejects a read of a value nobody wrote, and a read that sees a write that definitely failed', () => {
    expect(checkKvLinearizable([put(1, '/a/k', 'v1', 0, 10), get(2, '/a/k', 'ghost', 11, 12)])).toHaveLength(1);
    // A failed write is not in the history at all (recorded as failed), so reading it is an anomaly too.
    expect(checkKvLinearizable([get(2, '/a/k', 'never-applied', 11, 12)])).toHaveLength(1);
  });
});

describe('checkNoLostWrites', () => {
  const history = [
    put(1, '/a/k', 'v1', 0, 10),
    put(2, '/a/k', 'v2', 20, 30),
    put(3, '/a/k', 'v3', 25, 35), // concurrent with v2: either may be last
    put(1, '/b/k', 'b1', 0, 10),
    put(2, '/b/k', 'b2', 15, null), // unknown outcome: b1 or b2 may be last
  ];

  test('passes when every node returns a value a surviving write left', () => {
    expect(checkNoLostWrites(history, new Map([['/a/k', ['v3', 'v3', 'v3']], ['/b/k', ['b1', 'b1', 'b1']]]))).toEqual([]);
    expect(checkNoLostWrites(history, new Map([['/a/k', ['v2', 'v2', 'v2']], ['/b/k', ['b2', 'b2', 'b2']]]))).toEqual([]);
  });

  test('rejects a lost acknowledged write: the value before it, or the key missing', () => {
    const stale = checkNoLostWrites(history, new Map([['/a/k', ['v1', 'v1', 'v1']]]));
    expect(stale.map((a) => a.checker)).toEqual(['lost-write']);
    expect(stale[0].message).toContain('"v1"');
    expect(checkNoLostWrites(history, new Map([['/b/k', [null, null, null]]]))).toHaveLength(1);
  });

  test('rejects nodes that disagree after healing', () => {
    const anomalies = checkNoLostWrites(history, new Map([['/a/k', ['v3', 'v3', 'v1']]]));
    expect(anomalies.map((a) => a.message)).toEqual([expect.stringContaining('disagree'), expect.stringContaining('"v1"')]);
  });

  test('survivingValues: only writes not strictly followed by an acknowledged write, plus unknown ones', () => {
    expect(survivingValues(history.filter((o) => o.input.key === '/a/k'))).toEqual(new Set(['v2', 'v3']));
    expect(survivingValues(history.filter((o) => o.input.key === '/b/k'))).toEqual(new Set(['b1', 'b2']));
    expect(survivingValues([cas(1, '/c/k', null, 'c1', false, 0, 5)])).toEqual(new Set([null]));
  });
});

describe('classifyWriteError', () => {
  function serviceError(code: grpc.status, corralCode?: string): grpc.ServiceError {
    const metadata = new grpc.Metadata();
    if (corralCode !== undefined) metadata.set('corral-error', corralCode);
    return Object.assign(new Error('boom'), { code, details: 'boom', metadata });
  }

  test('a write refused by a server as not-leader or aborted definitely failed', () => {
    expect(classifyWriteError(serviceError(grpc.status.UNAVAILABLE, 'not-leader')).kind).toBe('failed');
    expect(classifyWriteError(serviceError(grpc.status.ABORTED, 'aborted')).kind).toBe('failed');
  });

  test('deadlines, lost connections and unexplained UNAVAILABLE are indeterminate', () => {
    expect(classifyWriteError(serviceError(grpc.status.DEADLINE_EXCEEDED)).kind).toBe('indeterminate');
    expect(classifyWriteError(serviceError(grpc.status.UNAVAILABLE)).kind).toBe('indeterminate');
    expect(classifyWriteError(serviceError(grpc.status.UNAVAILABLE, 'unavailable')).kind).toBe('indeterminate');
    expect(classifyWriteError(new Error('socket hang up')).kind).toBe('indeterminate');
  });
});

describe('classifyWriteError: never sent', () => {
  test('UNAVAILABLE before any connection carried the call definitely failed', () => {
    const error = Object.assign(new Error('x'), { code: grpc.status.UNAVAILABLE, details: 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:4000', metadata: new grpc.Metadata() });
    expect(classifyWriteError(error).kind).toBe('failed');
    const dropped = Object.assign(new Error('x'), { code: grpc.status.UNAVAILABLE, details: 'Connection dropped', metadata: new grpc.Metadata() });
    expect(classifyWriteError(dropped).kind).toBe('indeterminate');
  });
});

describe('classifyWriteError: refused before proposing', () => {
  function unavailable(details: string): grpc.ServiceError {
    const metadata = new grpc.Metadata();
    metadata.set('corral-error', 'unavailable');
    return Object.assign(new Error(details), { code: grpc.status.UNAVAILABLE, details, metadata });
  }

  test('no leader or a transfer under way: definitely failed; shutting down: indeterminate', () => {
    expect(classifyWriteError(unavailable('group 2: no leader elected yet; retry')).kind).toBe('failed');
    expect(classifyWriteError(unavailable('group 2: leadership transfer in progress; retry')).kind).toBe('failed');
    expect(classifyWriteError(unavailable('node is shutting down')).kind).toBe('indeterminate');
  });
});
