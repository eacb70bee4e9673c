// Public surface of the storage layer. Everything else in this folder is internal.

export { NodeStore } from './node-store';
export type { SnapshotReader } from './snapshot-reader';
export type { NodeIdentity } from './record-codecs';
export { StorageError, type StorageErrorCode } from './storage-error';
export type { GroupId, GroupWrite, LoadedGroup, LogCorruption, StoreStats } from './storage-types';
export { type NodeStoreOptions, SNAPSHOT_CHUNK_BYTES_DEFAULT, defaultStoreOptions, validateStoreOptions } from './store-options';
export { STORAGE_FORMAT_VERSION } from './format-version';
