// Original file: proto/corral/v1/corral.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { WatchRequest as _corral_v1_WatchRequest, WatchRequest__Output as _corral_v1_WatchRequest__Output } from '../../corral/v1/WatchRequest';
import type { WatchResponse as _corral_v1_WatchResponse, WatchResponse__Output as _corral_v1_WatchResponse__Output } from '../../corral/v1/WatchResponse';

export interface WatchClient extends grpc.Client {
  Watch(argument: _corral_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_corral_v1_WatchResponse__Output>;
  Watch(argument: _corral_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_corral_v1_WatchResponse__Output>;
  watch(argument: _corral_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_corral_v1_WatchResponse__Output>;
  watch(argument: _corral_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_corral_v1_WatchResponse__Output>;
  
}

export interface WatchHandlers extends grpc.UntypedServiceImplementation {
  Watch: grpc.handleServerStreamingCall<_corral_v1_WatchRequest__Output, _corral_v1_WatchResponse>;
  
}

export interface WatchDefinition extends grpc.ServiceDefinition {
  Watch: MethodDefinition<_corral_v1_WatchRequest, _corral_v1_WatchResponse, _corral_v1_WatchRequest__Output, _corral_v1_WatchResponse__Output>
}
