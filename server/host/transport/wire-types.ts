// The shapes of proto/raft/peer.proto as @grpc/proto-loader hands them over, with the
// options of peer-protocol.ts: camelCase names, uint64 as number, bytes as Buffer, enums as
// numbers, every field present (absent sub-messages are null).
//
// Written by hand (one file, not a generated tree) and kept true by the codec tests, which
// round-trip every field through the real protobuf encoding: a misnamed field here would
// come back zero and fail them.

export interface WireEntry {
  readonly term: number;
  readonly index: number;
  readonly type: number;
  readonly data: Uint8Array;
}

export interface WireConfState {
  readonly voters: readonly number[];
  readonly learners: readonly number[];
}

export interface WireSnapshotMeta {
  readonly index: number;
  readonly term: number;
  readonly conf: WireConfState | null;
}

export interface WireSnapshot {
  readonly meta: WireSnapshotMeta | null;
  readonly data: Uint8Array;
}

export interface WireMessage {
  readonly type: number;
  readonly from: number;
  readonly to: number;
  readonly term: number;
  readonly logTerm: number;
  readonly index: number;
  readonly entries: readonly WireEntry[];
  readonly commit: number;
  readonly reject: boolean;
  readonly rejectHint: number;
  readonly rejectHintTerm: number;
  readonly snapshot: WireSnapshot | null;
  readonly context: string;
}

export interface WireGroupMessage {
  readonly groupId: number;
  readonly message: WireMessage | null;
}

export interface WireHeartbeat {
  readonly groupId: number;
  readonly response: boolean;
  readonly term: number;
  readonly commit: number;
  readonly context: string;
  readonly from: number;
  readonly to: number;
}

export interface WireBatch {
  readonly fromNode: number;
  readonly clusterId: string;
  readonly messages: readonly WireGroupMessage[];
  readonly heartbeats: readonly WireHeartbeat[];
}

export interface WireStreamAck {
  readonly batchesReceived: number;
}

export interface WireSnapshotHeader {
  readonly fromNode: number;
  readonly clusterId: string;
  readonly groupId: number;
  readonly message: WireMessage | null;
}

export interface WireSnapshotChunk {
  readonly header: WireSnapshotHeader | null;
  readonly data: Uint8Array;
  readonly last: boolean;
}

export interface WireSnapshotAck {
  readonly bytesReceived: number;
}

/** What the encoder takes: the same shape with every field optional. A field left out is its
 *  proto3 zero value and costs no bytes, whereas protobufjs writes every field that is
 *  present, zeros included; so the codec leaves zero fields out. */
export type WireDraft<T> = {
  -readonly [K in keyof T]?: DraftOf<T[K]>;
};

type DraftOf<V> = V extends Uint8Array
  ? Uint8Array
  : V extends readonly (infer U)[]
    ? readonly DraftOf<U>[]
    : V extends object
      ? WireDraft<V>
      : V extends null
        ? null
        : V;
