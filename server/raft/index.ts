// The Raft core's public surface. Everything else in server/raft is internal.

export * from './types';
export { RawNode } from './raw-node';
export { defaultRaftConfig, validateRaftConfig, type ConfigCheck } from './config';
export { encodeConfChange, decodeConfChange, applyConfChange, type ConfChangeOutcome } from './conf-change';
