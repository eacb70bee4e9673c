// The pieces a host is built from, named at the boundary (hashicorp/raft style): each is a
// small interface with a real implementation (RocksDB, gRPC) and an in-memory fake for tests.

import type { Message, NodeId, Snapshot, SnapshotMeta } from '../raft/types';

export type GroupId = number;
export const META_GROUP_ID: GroupId = 0;

// The storage vocabulary (one group's share of a group-commit batch, and what loading a
// group returns) is the node store's own; the host composes storage, so it reuses it.
export type { GroupWrite, LoadedGroup } from '../storage/storage-types';
import type { GroupWrite, LoadedGroup } from '../storage/storage-types';

/** Durable storage of every group on this node. `write` is ONE fsynced batch for all groups. */
export interface HostStorage {
  /** `sync: false` only for batches whose loss is harmless (commit-index-only changes). */
  write(batch: readonly GroupWrite[], options?: { readonly sync?: boolean }): Promise<void>;
  listGroups(): Promise<GroupId[]>;
  loadGroup(groupId: GroupId): Promise<LoadedGroup>;
  saveSnapshot(groupId: GroupId, meta: SnapshotMeta, data: Uint8Array): Promise<void>;
  loadSnapshot(groupId: GroupId): Promise<Snapshot | null>;
  compact(groupId: GroupId, index: number): Promise<void>;
  deleteGroup(groupId: GroupId): Promise<void>;
}

export interface GroupMessage {
  readonly groupId: GroupId;
  readonly message: Message;
}

/** Peer messaging. `send` never blocks or throws: it queues (bounded) and drops on overflow. */
export interface HostTransport {
  send(to: NodeId, messages: GroupMessage[]): void;
  onReceive(handler: (from: NodeId, messages: GroupMessage[]) => void): void;
  sendSnapshot(
    to: NodeId,
    groupId: GroupId,
    message: Message,
    chunks: AsyncIterable<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<{ ok: boolean; error?: string }>;
  onSnapshot(handler: (from: NodeId, groupId: GroupId, message: Message, data: Uint8Array) => Promise<void>): void;
  onUnreachable?(handler: (nodeId: NodeId) => void): void;
}

/**
 * A replicated state machine of one group. Deterministic: the same entries give the same
 * state and results on every replica.
 */
export interface GroupStateMachine {
  /** Index of the last entry reflected in the state (0 for an empty machine). */
  readonly appliedIndex: number;
  /** Apply one committed entry with non-empty application data; returns the proposer's result. */
  applyEntry(index: number, term: number, data: Uint8Array): unknown;
  /** Note an entry that carries no application data (leader no-op, conf change). */
  skipEntry(index: number): void;
  /** Serialize the whole state as of `appliedIndex`. */
  snapshot(): Uint8Array;
  /** Replace the whole state with a snapshot image taken at `index`. */
  restore(data: Uint8Array, index: number): void;
}
