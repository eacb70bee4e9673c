// Original file: proto/corral/v1/corral.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CloseSessionRequest as _corral_v1_CloseSessionRequest, CloseSessionRequest__Output as _corral_v1_CloseSessionRequest__Output } from '../../corral/v1/CloseSessionRequest';
import type { CloseSessionResponse as _corral_v1_CloseSessionResponse, CloseSessionResponse__Output as _corral_v1_CloseSessionResponse__Output } from '../../corral/v1/CloseSessionResponse';
import type { KeepAliveRequest as _corral_v1_KeepAliveRequest, KeepAliveRequest__Output as _corral_v1_KeepAliveRequest__Output } from '../../corral/v1/KeepAliveRequest';
import type { KeepAliveResponse as _corral_v1_KeepAliveResponse, KeepAliveResponse__Output as _corral_v1_KeepAliveResponse__Output } from '../../corral/v1/KeepAliveResponse';
import type { ListSessionsRequest as _corral_v1_ListSessionsRequest, ListSessionsRequest__Output as _corral_v1_ListSessionsRequest__Output } from '../../corral/v1/ListSessionsRequest';
import type { ListSessionsResponse as _corral_v1_ListSessionsResponse, ListSessionsResponse__Output as _corral_v1_ListSessionsResponse__Output } from '../../corral/v1/ListSessionsResponse';
import type { OpenSessionRequest as _corral_v1_OpenSessionRequest, OpenSessionRequest__Output as _corral_v1_OpenSessionRequest__Output } from '../../corral/v1/OpenSessionRequest';
import type { OpenSessionResponse as _corral_v1_OpenSessionResponse, OpenSessionResponse__Output as _corral_v1_OpenSessionResponse__Output } from '../../corral/v1/OpenSessionResponse';
import type { SessionInfo as _corral_v1_SessionInfo, SessionInfo__Output as _corral_v1_SessionInfo__Output } from '../../corral/v1/SessionInfo';
import type { TimeToLiveRequest as _corral_v1_TimeToLiveRequest, TimeToLiveRequest__Output as _corral_v1_TimeToLiveRequest__Output } from '../../corral/v1/TimeToLiveRequest';

export interface SessionClient extends grpc.Client {
  Close(argument: _corral_v1_CloseSessionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_CloseSessionResponse__Output>): grpc.ClientUnaryCall;
  Close(argument: _corral_v1_CloseSessionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_CloseSessionResponse__Output>): grpc.ClientUnaryCall;
  Close(argument: _corral_v1_CloseSessionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_CloseSessionResponse__Output>): grpc.ClientUnaryCall;
  Close(argument: _corral_v1_CloseSessionRequest, callback: grpc.requestCallback<_corral_v1_CloseSessionResponse__Output>): grpc.ClientUnaryCall;
  
  KeepAlive(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_corral_v1_KeepAliveRequest, _corral_v1_KeepAliveResponse__Output>;
  KeepAlive(options?: grpc.CallOptions): grpc.ClientDuplexStream<_corral_v1_KeepAliveRequest, _corral_v1_KeepAliveResponse__Output>;
  keepAlive(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_corral_v1_KeepAliveRequest, _corral_v1_KeepAliveResponse__Output>;
  keepAlive(options?: grpc.CallOptions): grpc.ClientDuplexStream<_corral_v1_KeepAliveRequest, _corral_v1_KeepAliveResponse__Output>;
  
  List(argument: _corral_v1_ListSessionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ListSessionsResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _corral_v1_ListSessionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_ListSessionsResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _corral_v1_ListSessionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ListSessionsResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _corral_v1_ListSessionsRequest, callback: grpc.requestCallback<_corral_v1_ListSessionsResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _corral_v1_ListSessionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ListSessionsResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _corral_v1_ListSessionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_ListSessionsResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _corral_v1_ListSessionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ListSessionsResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _corral_v1_ListSessionsRequest, callback: grpc.requestCallback<_corral_v1_ListSessionsResponse__Output>): grpc.ClientUnaryCall;
  
  Open(argument: _corral_v1_OpenSessionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_OpenSessionResponse__Output>): grpc.ClientUnaryCall;
  Open(argument: _corral_v1_OpenSessionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_OpenSessionResponse__Output>): grpc.ClientUnaryCall;
  Open(argument: _corral_v1_OpenSessionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_OpenSessionResponse__Output>): grpc.ClientUnaryCall;
  Open(argument: _corral_v1_OpenSessionRequest, callback: grpc.requestCallback<_corral_v1_OpenSessionResponse__Output>): grpc.ClientUnaryCall;
  open(argument: _corral_v1_OpenSessionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_OpenSessionResponse__Output>): grpc.ClientUnaryCall;
  open(argument: _corral_v1_OpenSessionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_OpenSessionResponse__Output>): grpc.ClientUnaryCall;
  open(argument: _corral_v1_OpenSessionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_OpenSessionResponse__Output>): grpc.ClientUnaryCall;
  open(argument: _corral_v1_OpenSessionRequest, callback: grpc.requestCallback<_corral_v1_OpenSessionResponse__Output>): grpc.ClientUnaryCall;
  
  TimeToLive(argument: _corral_v1_TimeToLiveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_SessionInfo__Output>): grpc.ClientUnaryCall;
  TimeToLive(argument: _corral_v1_TimeToLiveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_SessionInfo__Output>): grpc.ClientUnaryCall;
  TimeToLive(argument: _corral_v1_TimeToLiveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_SessionInfo__Output>): grpc.ClientUnaryCall;
  TimeToLive(argument: _corral_v1_TimeToLiveRequest, callback: grpc.requestCallback<_corral_v1_SessionInfo__Output>): grpc.ClientUnaryCall;
  timeToLive(argument: _corral_v1_TimeToLiveRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_SessionInfo__Output>): grpc.ClientUnaryCall;
  timeToLive(argument: _corral_v1_TimeToLiveRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_SessionInfo__Output>): grpc.ClientUnaryCall;
  timeToLive(argument: _corral_v1_TimeToLiveRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_SessionInfo__Output>): grpc.ClientUnaryCall;
  timeToLive(argument: _corral_v1_TimeToLiveRequest, callback: grpc.requestCallback<_corral_v1_SessionInfo__Output>): grpc.ClientUnaryCall;
  
}

export interface SessionHandlers extends grpc.UntypedServiceImplementation {
  Close: grpc.handleUnaryCall<_corral_v1_CloseSessionRequest__Output, _corral_v1_CloseSessionResponse>;
  
  KeepAlive: grpc.handleBidiStreamingCall<_corral_v1_KeepAliveRequest__Output, _corral_v1_KeepAliveResponse>;
  
  List: grpc.handleUnaryCall<_corral_v1_ListSessionsRequest__Output, _corral_v1_ListSessionsResponse>;
  
  Open: grpc.handleUnaryCall<_corral_v1_OpenSessionRequest__Output, _corral_v1_OpenSessionResponse>;
  
  TimeToLive: grpc.handleUnaryCall<_corral_v1_TimeToLiveRequest__Output, _corral_v1_SessionInfo>;
  
}

export interface SessionDefinition extends grpc.ServiceDefinition {
  Close: MethodDefinition<_corral_v1_CloseSessionRequest, _corral_v1_CloseSessionResponse, _corral_v1_CloseSessionRequest__Output, _corral_v1_CloseSessionResponse__Output>
  KeepAlive: MethodDefinition<_corral_v1_KeepAliveRequest, _corral_v1_KeepAliveResponse, _corral_v1_KeepAliveRequest__Output, _corral_v1_KeepAliveResponse__Output>
  List: MethodDefinition<_corral_v1_ListSessionsRequest, _corral_v1_ListSessionsResponse, _corral_v1_ListSessionsRequest__Output, _corral_v1_ListSessionsResponse__Output>
  Open: MethodDefinition<_corral_v1_OpenSessionRequest, _corral_v1_OpenSessionResponse, _corral_v1_OpenSessionRequest__Output, _corral_v1_OpenSessionResponse__Output>
  TimeToLive: MethodDefinition<_corral_v1_TimeToLiveRequest, _corral_v1_SessionInfo, _corral_v1_TimeToLiveRequest__Output, _corral_v1_SessionInfo__Output>
}
