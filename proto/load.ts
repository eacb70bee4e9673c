// Loads Corral's public API definition at run time. Shared by the server, the SDK and the CLI
// (none of which imports another). The options match the generated types in proto/gen
// (`npm run proto:gen`): field names as written, 64-bit integers as numbers, enums as
// strings, defaults filled in, oneofs named.

import * as protoLoader from '@grpc/proto-loader';
import * as grpc from '@grpc/grpc-js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ProtoGrpcType } from './gen/corral';

export const PROTO_LOAD_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** The folder holding the .proto files, found from this module's location (source or dist). */
export function protoDir(): string {
  for (const candidate of [__dirname, join(__dirname, '..', '..', 'proto')]) {
    if (existsSync(join(candidate, 'corral', 'v1', 'corral.proto'))) return candidate;
  }
  throw new Error(`corral.proto not found near ${__dirname}`);
}

let cached: ProtoGrpcType | null = null;

export function loadCorralProto(): ProtoGrpcType {
  if (cached !== null) return cached;
  const definition = protoLoader.loadSync('corral/v1/corral.proto', { ...PROTO_LOAD_OPTIONS, includeDirs: [protoDir()] });
  cached = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  return cached;
}
