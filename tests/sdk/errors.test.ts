// CorralError.from: gRPC statuses and Corral metadata become the right typed error.

import * as grpc from '@grpc/grpc-js';
import {
  AbortedError, AlreadyExistsError, CancelledError, CompactedError, CorralError, DeadlineExceededError, InvalidArgumentError,
  LockNotHeldError, LockWaitTimeoutError, NotEmptyError, NotFoundError, ResourceExhaustedError, SessionExpiredError,
  UnavailableError, VersionMismatchError,
} from '../../client-sdk';

function serviceError(code: grpc.status, details: string, metadata: Record<string, string> = {}): grpc.ServiceError {
  const md = new grpc.Metadata();
  for (const [key, value] of Object.entries(metadata)) md.set(key, value);
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: md });
}

test.each([
  [grpc.status.NOT_FOUND, 'node /a does not exist', {}, NotFoundError, 'not-found'],
  [grpc.status.ALREADY_EXISTS, '/a already exists', {}, AlreadyExistsError, 'already-exists'],
  [grpc.status.FAILED_PRECONDITION, '/a is at version 3, expected 2', {}, VersionMismatchError, 'version-mismatch'],
  [grpc.status.FAILED_PRECONDITION, '/a has 2 children; delete them first or delete recursively', {}, NotEmptyError, 'not-empty'],
  [grpc.status.FAILED_PRECONDITION, 'lock /jobs/x is held with token 9, not 4', {}, LockNotHeldError, 'lock-not-held'],
  [grpc.status.FAILED_PRECONDITION, 'guard lock /jobs/x is not held', {}, LockNotHeldError, 'lock-not-held'],
  [grpc.status.NOT_FOUND, 'session 12 has expired', {}, SessionExpiredError, 'session-expired'],
  [grpc.status.NOT_FOUND, 'session 12 does not exist (never opened, or closed)', {}, SessionExpiredError, 'session-expired'],
  [grpc.status.DEADLINE_EXCEEDED, 'lock /jobs/x was not acquired: the wait timed out after 0 ms (held by session 3)', { 'corral-error': 'deadline-exceeded' }, LockWaitTimeoutError, 'lock-wait-timeout'],
  [grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded', {}, DeadlineExceededError, 'deadline-exceeded'],
  [grpc.status.INVALID_ARGUMENT, 'bad path', {}, InvalidArgumentError, 'invalid-argument'],
  [grpc.status.RESOURCE_EXHAUSTED, 'too many', {}, ResourceExhaustedError, 'resource-exhausted'],
  [grpc.status.UNAVAILABLE, 'group 1: node 2 is not the leader', { 'corral-error': 'not-leader', 'corral-leader-id': '3' }, UnavailableError, 'unavailable'],
  [grpc.status.ABORTED, 'leadership changed', { 'corral-error': 'aborted' }, AbortedError, 'aborted'],
  [grpc.status.CANCELLED, 'Cancelled on client', {}, CancelledError, 'cancelled'],
  [grpc.status.FAILED_PRECONDITION, 'something else', { 'corral-reason': 'not-empty' }, NotEmptyError, 'not-empty'],
  [grpc.status.OUT_OF_RANGE, 'compacted', { 'corral-revision': '77' }, CompactedError, 'compacted'],
])('status %i "%s" -> %p', (code, details, metadata, type, expectedCode) => {
  const error = CorralError.from(serviceError(code, details, metadata));
  expect(error).toBeInstanceOf(type);
  expect(error).toBeInstanceOf(CorralError);
  expect(error.code).toBe(expectedCode);
  expect(error.message).toBe(details);
  expect(error.details.grpcCode).toBe(code);
});

test('leader hints, server codes and revisions are carried in details', () => {
  const error = CorralError.from(serviceError(grpc.status.UNAVAILABLE, 'not leader', { 'corral-error': 'not-leader', 'corral-leader-id': '3', 'corral-leader-address': '10.0.0.3:7400' }));
  expect(error.details).toMatchObject({ leaderId: 3, leaderAddress: '10.0.0.3:7400', serverCode: 'not-leader' });
  expect(CorralError.from(serviceError(grpc.status.OUT_OF_RANGE, 'x', { 'corral-revision': '77' })).details.revision).toBe(77);
});

test('only UNAVAILABLE and ABORTED are retryable', () => {
  expect(new UnavailableError('x').retryable).toBe(true);
  expect(new AbortedError('x').retryable).toBe(true);
  for (const error of [new NotFoundError('x'), new VersionMismatchError('x'), new DeadlineExceededError('x'), new SessionExpiredError('x')]) expect(error.retryable).toBe(false);
});

test('anything else is normalized: CorralErrors pass through, aborts are cancellations, the rest internal', () => {
  const original = new NotFoundError('x');
  expect(CorralError.from(original)).toBe(original);
  const abort = new Error('aborted');
  abort.name = 'AbortError';
  expect(CorralError.from(abort)).toBeInstanceOf(CancelledError);
  expect(CorralError.from(new TypeError('boom'))).toMatchObject({ code: 'internal', message: 'boom' });
  expect(CorralError.from('text')).toMatchObject({ code: 'internal', message: 'text' });
  expect(CorralError.from(serviceError(grpc.status.UNIMPLEMENTED, 'no such method')).code).toBe('internal');
});
