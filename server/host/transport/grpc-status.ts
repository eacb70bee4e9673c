// CorralError codes -> gRPC statuses for what the transport's server half refuses.
//
// The API layer owns the project's table (server/api/status-map.ts, planned); the host may
// not import from api/, so the transport keeps this copy of the rows it uses. Fold them
// together when that table moves below host/ (e.g. to util/).

import * as grpc from '@grpc/grpc-js';
import type { CorralError, ErrorCode } from '../../util/errors';

const STATUS_OF: Readonly<Record<ErrorCode, grpc.status>> = {
  'invalid-argument': grpc.status.INVALID_ARGUMENT,
  'not-found': grpc.status.NOT_FOUND,
  'already-exists': grpc.status.ALREADY_EXISTS,
  'failed-precondition': grpc.status.FAILED_PRECONDITION,
  'resource-exhausted': grpc.status.RESOURCE_EXHAUSTED,
  unavailable: grpc.status.UNAVAILABLE,
  'not-leader': grpc.status.FAILED_PRECONDITION,
  'deadline-exceeded': grpc.status.DEADLINE_EXCEEDED,
  aborted: grpc.status.ABORTED,
  unauthenticated: grpc.status.UNAUTHENTICATED,
  internal: grpc.status.INTERNAL,
};

/** The status object a server handler passes to its callback to refuse a call. */
export function toStatus(error: CorralError): Partial<grpc.StatusObject> {
  return { code: STATUS_OF[error.code], details: error.message };
}

/** A client-side call error's one-line description: "FAILED_PRECONDITION: ...". */
export function describeCallError(error: grpc.ServiceError): string {
  const name = grpc.status[error.code] ?? String(error.code);
  return `${name}: ${error.details}`;
}
