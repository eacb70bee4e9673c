// Public surface of the KV group state machine (server/kv). Internals (node tree, tables,
// codecs' helpers) are not exported from here.

export type {
  CompareOp,
  CreateOp,
  DeleteOp,
  KvCommand,
  KvCommandType,
  KvOk,
  KvResult,
  LockGuard,
  LockHoldRef,
  NodeOp,
  NodeOpResult,
  PutOp,
  RequestTag,
  SetOp,
  TxnCheck,
} from './commands';
export { NO_SESSION, decodeCommand, encodeCommand } from './commands';
export { decodeResult, encodeResult } from './result-codec';
export type { KvError, KvErrorCode } from './kv-error';
export { KV_ERROR_GRPC_STATUS, kvError } from './kv-error';
export type { KvLimits } from './limits';
export { defaultKvLimits, validateKvLimits } from './limits';
export {
  ROOT_PATH,
  basenameOf,
  checkPath,
  checkSequentialPrefix,
  childPath,
  isRoot,
  isSelfOrDescendant,
  namespaceOf,
  parentOf,
} from './path';
export type { NodeStat } from './node-tree';
export type { DueLockTimeouts, LockGrant, LockHolder, LockInfo, LockWaiter } from './lock-table';
export type { ApplyOutput, ListOptions, ListResult, NodeView, SessionView } from './state-machine';
export { KvStateMachine } from './state-machine';
export type { WatchEvent, WatchEventType, WatchKind } from './watch-event';
export type { ReplaySource, SubscribeResult, WatchRequest } from './watch-hub';
export { WatchHub } from './watch-hub';
export type { WatchNext, WatchTerminal } from './watcher';
export { Watcher } from './watcher';
export type { KeepaliveOutcome, LockTimeoutSource, ReplicatedSession, SessionTrackerConfig } from './session-tracker';
export { SessionTracker, defaultSessionTrackerConfig, validateSessionTrackerConfig } from './session-tracker';
export type { KvApplied } from './kv-group';
export { KvGroupStateMachine } from './kv-group';
