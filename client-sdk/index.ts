// Corral's TypeScript client SDK: the public surface. Everything not exported here is
// internal and may change.

export { CorralClient, type CorralClientOptions, type ClientConfig } from './client';
export type { CallOptions } from './call-options';
export {
  CorralError,
  NotFoundError,
  AlreadyExistsError,
  VersionMismatchError,
  NotEmptyError,
  SessionExpiredError,
  LockNotHeldError,
  LockWaitTimeoutError,
  CompactedError,
  UnavailableError,
  AbortedError,
  InvalidArgumentError,
  ResourceExhaustedError,
  DeadlineExceededError,
  OutcomeUnknownError,
  CancelledError,
  type ErrorCode,
  type ErrorDetails,
} from './errors';
export type {
  CreateOptions,
  CreateResult,
  ReadOptions,
  GetResult,
  SetOptions,
  SetResult,
  PutOptions,
  PutResult,
  DeleteOptions,
  DeleteResult,
  ListOptions,
  ListResult,
  ChildEntry,
  TxnOptions,
} from './kv-api';
export type { TxnSpec, TxnCompare, TxnOperation, TxnResult, TxnOpOutcome, CompareTarget, CompareOp } from './txn';
export type { Value, NodeStat, LockGuard } from './values';
export type { ClusterStatus, ClusterMember, ClusterGroup, NodeTargetOptions } from './cluster-api';
export { CorralSession, type SessionOptions, type SessionState, type SessionEvent, type SessionEnd, type SubSessionInfo } from './session';
export type { SessionSummary } from './session-api';
export { Watch, type WatchOptions, type WatchEvent, type WatchEnd, type WatchKind } from './watch';
export { HeldLock, type LockOptions, type LockLost, type LockLostReason, type LockState, type LockWaiterInfo } from './lock';
export { Election, Leadership, type CampaignOptions, type LeaderInfo } from './election';
export { Registry, type RegistryOptions, type RegistryEvent, type RegistryListener, type ConnectionState, type ConnectionListener } from './registry';
export { DEFAULT_PORT, parseEndpoints } from './routing';
