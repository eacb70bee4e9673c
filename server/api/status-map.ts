// The single table from Corral error codes to gRPC statuses, and back out to a ServiceError
// with the leader hint in trailing metadata.

import * as grpc from '@grpc/grpc-js';
import { CorralError, type ErrorCode } from '../util/errors';

export const STATUS_OF: Readonly<Record<ErrorCode, grpc.status>> = {
  'invalid-argument': grpc.status.INVALID_ARGUMENT,
  'not-found': grpc.status.NOT_FOUND,
  'already-exists': grpc.status.ALREADY_EXISTS,
  'failed-precondition': grpc.status.FAILED_PRECONDITION,
  'resource-exhausted': grpc.status.RESOURCE_EXHAUSTED,
  unavailable: grpc.status.UNAVAILABLE,
  'not-leader': grpc.status.UNAVAILABLE,
  'deadline-exceeded': grpc.status.DEADLINE_EXCEEDED,
  aborted: grpc.status.ABORTED,
  unauthenticated: grpc.status.UNAUTHENTICATED,
  internal: grpc.status.INTERNAL,
};

export const LEADER_ID_KEY = 'corral-leader-id';
export const LEADER_ADDRESS_KEY = 'corral-leader-address';
export const ERROR_CODE_KEY = 'corral-error';
export const REVISION_KEY = 'corral-revision';
export const REASON_KEY = 'corral-reason';

export function toServiceError(error: unknown): Partial<grpc.StatusObject> {
  const coded = CorralError.from(error);
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_CODE_KEY, coded.code);
  if (coded.details.leaderHint !== undefined && coded.details.leaderHint !== 0) metadata.set(LEADER_ID_KEY, String(coded.details.leaderHint));
  if (coded.details.leaderAddress !== undefined) metadata.set(LEADER_ADDRESS_KEY, coded.details.leaderAddress);
  if (coded.details.revision !== undefined) metadata.set(REVISION_KEY, String(coded.details.revision));
  if (coded.details.reason !== undefined) metadata.set(REASON_KEY, coded.details.reason);
  return { code: STATUS_OF[coded.code], details: coded.message, metadata };
}
