// When a failed call may be resent, and what the caller is told when it may not.

import * as grpc from '@grpc/grpc-js';
import { CorralError, OutcomeUnknownError } from '../../client-sdk';
import { type CallSafety, decideRetry, neverSent, notApplied, outcomeAmbiguous } from '../../client-sdk/retry-policy';

function grpcError(code: grpc.status, details: string, metadata: Record<string, string> = {}): CorralError {
  const md = new grpc.Metadata();
  for (const [key, value] of Object.entries(metadata)) md.set(key, value);
  return CorralError.from(Object.assign(new Error(details), { code, details, metadata: md }));
}

const notLeader = grpcError(grpc.status.UNAVAILABLE, 'not leader', { 'corral-error': 'not-leader', 'corral-leader-id': '2' });
const noLeaderYet = grpcError(grpc.status.UNAVAILABLE, 'no leader elected yet', { 'corral-error': 'unavailable' });
const refused = grpcError(grpc.status.UNAVAILABLE, 'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1');
const dropped = grpcError(grpc.status.UNAVAILABLE, 'Connection dropped');
const clientDeadline = grpcError(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded after 5.001s');
const serverDeadline = grpcError(grpc.status.DEADLINE_EXCEEDED, 'read barrier timed out', { 'corral-error': 'deadline-exceeded' });
const aborted = grpcError(grpc.status.ABORTED, 'leadership changed', { 'corral-error': 'aborted' });
const notFound = grpcError(grpc.status.NOT_FOUND, 'node /a does not exist');

function decide(error: CorralError, safety: CallSafety, attempts = 1) {
  return decideRetry({ error, safety, attempts, attemptsMax: 5, remainingMs: 1_000 });
}

test('classification of failures', () => {
  expect(neverSent(refused)).toBe(true);
  expect(neverSent(dropped)).toBe(false);
  expect(notApplied(notLeader)).toBe(true);
  expect(notApplied(aborted)).toBe(true);
  expect(outcomeAmbiguous(dropped)).toBe(true);
  expect(outcomeAmbiguous(clientDeadline)).toBe(true);
  expect(outcomeAmbiguous(notLeader)).toBe(false);
});

test.each<[string, CorralError, CallSafety, 'retry' | 'fail']>([
  ['not leader, write', notLeader, 'write', 'retry'],
  ['no leader yet, write', noLeaderYet, 'write', 'retry'],
  ['aborted, write', aborted, 'write', 'retry'],
  ['never sent, write', refused, 'write', 'retry'],
  ['connection dropped, write', dropped, 'write', 'fail'],
  ['client deadline, write', clientDeadline, 'write', 'fail'],
  ['server deadline, write', serverDeadline, 'write', 'fail'],
  ['connection dropped, idempotent write', dropped, 'idempotent-write', 'retry'],
  ['server deadline, idempotent write', serverDeadline, 'idempotent-write', 'retry'],
  ['connection dropped, read', dropped, 'read', 'retry'],
  ['server deadline, read', serverDeadline, 'read', 'retry'],
  ['client deadline, read', clientDeadline, 'read', 'fail'],
  ['not found, read', notFound, 'read', 'fail'],
  ['not found, write', notFound, 'write', 'fail'],
])('%s -> %s', (_name, error, safety, action) => {
  expect(decide(error, safety).action).toBe(action);
});

test('an ambiguous write failure is surfaced as OutcomeUnknownError; a definite one as itself', () => {
  for (const error of [dropped, clientDeadline]) {
    const decision = decide(error, 'write');
    expect(decision.action === 'fail' && decision.error).toBeInstanceOf(OutcomeUnknownError);
  }
  const definite = decide(notFound, 'write');
  expect(definite.action === 'fail' && definite.error).toBe(notFound);
  const read = decide(clientDeadline, 'read');
  expect(read.action === 'fail' && read.error.code).toBe('deadline-exceeded');
});

test('retries stop at attemptsMax and when no time is left', () => {
  expect(decideRetry({ error: notLeader, safety: 'read', attempts: 5, attemptsMax: 5, remainingMs: 1_000 }).action).toBe('fail');
  expect(decideRetry({ error: notLeader, safety: 'read', attempts: 1, attemptsMax: 5, remainingMs: 0 }).action).toBe('fail');
  const refresh = decide(notLeader, 'read');
  expect(refresh.action === 'retry' && refresh.refreshTopology).toBe(true);
});
