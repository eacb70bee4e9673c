// Original file: proto/corral/v1/corral.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { SnapshotChunk as _corral_v1_SnapshotChunk, SnapshotChunk__Output as _corral_v1_SnapshotChunk__Output } from '../../corral/v1/SnapshotChunk';
import type { SnapshotRequest as _corral_v1_SnapshotRequest, SnapshotRequest__Output as _corral_v1_SnapshotRequest__Output } from '../../corral/v1/SnapshotRequest';

export interface MaintenanceClient extends grpc.Client {
  Snapshot(argument: _corral_v1_SnapshotRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_corral_v1_SnapshotChunk__Output>;
  Snapshot(argument: _corral_v1_SnapshotRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_corral_v1_SnapshotChunk__Output>;
  snapshot(argument: _corral_v1_SnapshotRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_corral_v1_SnapshotChunk__Output>;
  snapshot(argument: _corral_v1_SnapshotRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_corral_v1_SnapshotChunk__Output>;
  
}

export interface MaintenanceHandlers extends grpc.UntypedServiceImplementation {
  Snapshot: grpc.handleServerStreamingCall<_corral_v1_SnapshotRequest__Output, _corral_v1_SnapshotChunk>;
  
}

export interface MaintenanceDefinition extends grpc.ServiceDefinition {
  Snapshot: MethodDefinition<_corral_v1_SnapshotRequest, _corral_v1_SnapshotChunk, _corral_v1_SnapshotRequest__Output, _corral_v1_SnapshotChunk__Output>
}
