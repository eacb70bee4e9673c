// Original file: proto/corral/v1/corral.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AcquireLockRequest as _corral_v1_AcquireLockRequest, AcquireLockRequest__Output as _corral_v1_AcquireLockRequest__Output } from '../../corral/v1/AcquireLockRequest';
import type { AcquireLockResponse as _corral_v1_AcquireLockResponse, AcquireLockResponse__Output as _corral_v1_AcquireLockResponse__Output } from '../../corral/v1/AcquireLockResponse';
import type { InspectLockRequest as _corral_v1_InspectLockRequest, InspectLockRequest__Output as _corral_v1_InspectLockRequest__Output } from '../../corral/v1/InspectLockRequest';
import type { ListLocksRequest as _corral_v1_ListLocksRequest, ListLocksRequest__Output as _corral_v1_ListLocksRequest__Output } from '../../corral/v1/ListLocksRequest';
import type { ListLocksResponse as _corral_v1_ListLocksResponse, ListLocksResponse__Output as _corral_v1_ListLocksResponse__Output } from '../../corral/v1/ListLocksResponse';
import type { LockInfo as _corral_v1_LockInfo, LockInfo__Output as _corral_v1_LockInfo__Output } from '../../corral/v1/LockInfo';
import type { ObserveRequest as _corral_v1_ObserveRequest, ObserveRequest__Output as _corral_v1_ObserveRequest__Output } from '../../corral/v1/ObserveRequest';
import type { ReleaseLockRequest as _corral_v1_ReleaseLockRequest, ReleaseLockRequest__Output as _corral_v1_ReleaseLockRequest__Output } from '../../corral/v1/ReleaseLockRequest';
import type { ReleaseLockResponse as _corral_v1_ReleaseLockResponse, ReleaseLockResponse__Output as _corral_v1_ReleaseLockResponse__Output } from '../../corral/v1/ReleaseLockResponse';

export interface LockClient extends grpc.Client {
  Acquire(argument: _corral_v1_AcquireLockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_AcquireLockResponse__Output>): grpc.ClientUnaryCall;
  Acquire(argument: _corral_v1_AcquireLockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_AcquireLockResponse__Output>): grpc.ClientUnaryCall;
  Acquire(argument: _corral_v1_AcquireLockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_AcquireLockResponse__Output>): grpc.ClientUnaryCall;
  Acquire(argument: _corral_v1_AcquireLockRequest, callback: grpc.requestCallback<_corral_v1_AcquireLockResponse__Output>): grpc.ClientUnaryCall;
  acquire(argument: _corral_v1_AcquireLockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_AcquireLockResponse__Output>): grpc.ClientUnaryCall;
  acquire(argument: _corral_v1_AcquireLockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_AcquireLockResponse__Output>): grpc.ClientUnaryCall;
  acquire(argument: _corral_v1_AcquireLockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_AcquireLockResponse__Output>): grpc.ClientUnaryCall;
  acquire(argument: _corral_v1_AcquireLockRequest, callback: grpc.requestCallback<_corral_v1_AcquireLockResponse__Output>): grpc.ClientUnaryCall;
  
  Inspect(argument: _corral_v1_InspectLockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_LockInfo__Output>): grpc.ClientUnaryCall;
  Inspect(argument: _corral_v1_InspectLockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_LockInfo__Output>): grpc.ClientUnaryCall;
  Inspect(argument: _corral_v1_InspectLockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_LockInfo__Output>): grpc.ClientUnaryCall;
  Inspect(argument: _corral_v1_InspectLockRequest, callback: grpc.requestCallback<_corral_v1_LockInfo__Output>): grpc.ClientUnaryCall;
  inspect(argument: _corral_v1_InspectLockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_LockInfo__Output>): grpc.ClientUnaryCall;
  inspect(argument: _corral_v1_InspectLockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_LockInfo__Output>): grpc.ClientUnaryCall;
  inspect(argument: _corral_v1_InspectLockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_LockInfo__Output>): grpc.ClientUnaryCall;
  inspect(argument: _corral_v1_InspectLockRequest, callback: grpc.requestCallback<_corral_v1_LockInfo__Output>): grpc.ClientUnaryCall;
  
  List(argument: _corral_v1_ListLocksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ListLocksResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _corral_v1_ListLocksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_ListLocksResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _corral_v1_ListLocksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ListLocksResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _corral_v1_ListLocksRequest, callback: grpc.requestCallback<_corral_v1_ListLocksResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _corral_v1_ListLocksRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ListLocksResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _corral_v1_ListLocksRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_ListLocksResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _corral_v1_ListLocksRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ListLocksResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _corral_v1_ListLocksRequest, callback: grpc.requestCallback<_corral_v1_ListLocksResponse__Output>): grpc.ClientUnaryCall;
  
  Observe(argument: _corral_v1_ObserveRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_corral_v1_LockInfo__Output>;
  Observe(argument: _corral_v1_ObserveRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_corral_v1_LockInfo__Output>;
  observe(argument: _corral_v1_ObserveRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_corral_v1_LockInfo__Output>;
  observe(argument: _corral_v1_ObserveRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_corral_v1_LockInfo__Output>;
  
  Release(argument: _corral_v1_ReleaseLockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ReleaseLockResponse__Output>): grpc.ClientUnaryCall;
  Release(argument: _corral_v1_ReleaseLockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_ReleaseLockResponse__Output>): grpc.ClientUnaryCall;
  Release(argument: _corral_v1_ReleaseLockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ReleaseLockResponse__Output>): grpc.ClientUnaryCall;
  Release(argument: _corral_v1_ReleaseLockRequest, callback: grpc.requestCallback<_corral_v1_ReleaseLockResponse__Output>): grpc.ClientUnaryCall;
  release(argument: _corral_v1_ReleaseLockRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ReleaseLockResponse__Output>): grpc.ClientUnaryCall;
  release(argument: _corral_v1_ReleaseLockRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_ReleaseLockResponse__Output>): grpc.ClientUnaryCall;
  release(argument: _corral_v1_ReleaseLockRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ReleaseLockResponse__Output>): grpc.ClientUnaryCall;
  release(argument: _corral_v1_ReleaseLockRequest, callback: grpc.requestCallback<_corral_v1_ReleaseLockResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface LockHandlers extends grpc.UntypedServiceImplementation {
  Acquire: grpc.handleUnaryCall<_corral_v1_AcquireLockRequest__Output, _corral_v1_AcquireLockResponse>;
  
  Inspect: grpc.handleUnaryCall<_corral_v1_InspectLockRequest__Output, _corral_v1_LockInfo>;
  
  List: grpc.handleUnaryCall<_corral_v1_ListLocksRequest__Output, _corral_v1_ListLocksResponse>;
  
  Observe: grpc.handleServerStreamingCall<_corral_v1_ObserveRequest__Output, _corral_v1_LockInfo>;
  
  Release: grpc.handleUnaryCall<_corral_v1_ReleaseLockRequest__Output, _corral_v1_ReleaseLockResponse>;
  
}

export interface LockDefinition extends grpc.ServiceDefinition {
  Acquire: MethodDefinition<_corral_v1_AcquireLockRequest, _corral_v1_AcquireLockResponse, _corral_v1_AcquireLockRequest__Output, _corral_v1_AcquireLockResponse__Output>
  Inspect: MethodDefinition<_corral_v1_InspectLockRequest, _corral_v1_LockInfo, _corral_v1_InspectLockRequest__Output, _corral_v1_LockInfo__Output>
  List: MethodDefinition<_corral_v1_ListLocksRequest, _corral_v1_ListLocksResponse, _corral_v1_ListLocksRequest__Output, _corral_v1_ListLocksResponse__Output>
  Observe: MethodDefinition<_corral_v1_ObserveRequest, _corral_v1_LockInfo, _corral_v1_ObserveRequest__Output, _corral_v1_LockInfo__Output>
  Release: MethodDefinition<_corral_v1_ReleaseLockRequest, _corral_v1_ReleaseLockResponse, _corral_v1_ReleaseLockRequest__Output, _corral_v1_ReleaseLockResponse__Output>
}
