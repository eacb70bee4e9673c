// Loads proto/raft/peer.proto at run time (@grpc/proto-loader) and exposes what the
// transport needs from it: method paths and typed encode/decode functions per message.
//
// The transport serializes and parses message bytes itself (the gRPC methods it registers
// pass raw Buffers through), so that it knows the exact bytes of every batch for its
// statistics and can answer a malformed batch with a clear status instead of a generic one.

import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import { assert } from '../../util/assert';
import type {
  WireBatch,
  WireDraft,
  WireMessage,
  WireSnapshotAck,
  WireSnapshotChunk,
  WireStreamAck,
} from './wire-types';

const PACKAGE = 'corral.raft.v1';
export const STREAM_PATH = `/${PACKAGE}.Peer/Stream`;
export const SEND_SNAPSHOT_PATH = `/${PACKAGE}.Peer/SendSnapshot`;

/** Loader options: the wire-types.ts shapes depend on exactly these. */
const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  bytes: Buffer,
  defaults: true,
  arrays: true,
  oneofs: false,
};

export interface Codec<T> {
  /** Fields left out of `value` are zero (and cost nothing on the wire). */
  encode(value: WireDraft<T>): Buffer;
  /** Throws on bytes that are not a valid encoding (the caller maps that to a status). */
  decode(bytes: Buffer): T;
}

export interface PeerProtocol {
  readonly message: Codec<WireMessage>;
  readonly batch: Codec<WireBatch>;
  readonly streamAck: Codec<WireStreamAck>;
  readonly snapshotChunk: Codec<WireSnapshotChunk>;
  readonly snapshotAck: Codec<WireSnapshotAck>;
  /** Enum values as declared in the .proto (tests compare the codec's tables with them). */
  readonly messageTypeValues: ReadonlyMap<string, number>;
  readonly entryTypeValues: ReadonlyMap<string, number>;
}

let loaded: PeerProtocol | null = null;

/** The protocol, loaded once per process. */
export function peerProtocol(): PeerProtocol {
  if (loaded === null) loaded = loadPeerProtocol(resolveProtoPath());
  return loaded;
}

/** The .proto lives in proto/raft at the repository root; this module runs from
 *  server/host/transport (tsx, jest) or dist/server/host/transport (compiled). */
export function resolveProtoPath(): string {
  const candidates = [
    path.resolve(__dirname, '../../../proto/raft/peer.proto'),
    path.resolve(__dirname, '../../../../proto/raft/peer.proto'),
  ];
  const found = candidates.find((candidate) => existsSync(candidate));
  assert(found !== undefined, `peer.proto not found; looked at ${candidates.join(', ')}`);
  return found;
}

function loadPeerProtocol(protoPath: string): PeerProtocol {
  const definition = protoLoader.loadSync(protoPath, LOADER_OPTIONS);
  return {
    message: codecOf<WireMessage>(definition, 'Message'),
    batch: codecOf<WireBatch>(definition, 'Batch'),
    streamAck: codecOf<WireStreamAck>(definition, 'StreamAck'),
    snapshotChunk: codecOf<WireSnapshotChunk>(definition, 'SnapshotChunk'),
    snapshotAck: codecOf<WireSnapshotAck>(definition, 'SnapshotAck'),
    messageTypeValues: enumValues(definition, 'MessageType'),
    entryTypeValues: enumValues(definition, 'EntryType'),
  };
}

function codecOf<T>(definition: protoLoader.PackageDefinition, name: string): Codec<T> {
  const type = definition[`${PACKAGE}.${name}`];
  assert(type !== undefined && type.format === 'Protocol Buffer 3 DescriptorProto', `peer.proto has no message ${name}`);
  const messageType = type as protoLoader.MessageTypeDefinition<object, object>;
  return {
    // The wire-types interfaces are the loader's shapes (see wire-types.ts); this is the one
    // place where the untyped loader meets them.
    encode: (value: WireDraft<T>) => messageType.serialize(value as object),
    decode: (bytes: Buffer) => messageType.deserialize(bytes) as T,
  };
}

function enumValues(definition: protoLoader.PackageDefinition, name: string): ReadonlyMap<string, number> {
  const type = definition[`${PACKAGE}.${name}`];
  assert(type !== undefined && type.format === 'Protocol Buffer 3 EnumDescriptorProto', `peer.proto has no enum ${name}`);
  const values = (type as protoLoader.EnumTypeDefinition).type as { value?: { name: string; number: number }[] };
  assert(Array.isArray(values.value), `enum ${name} has no values`);
  return new Map(values.value.map((value) => [value.name, value.number]));
}
