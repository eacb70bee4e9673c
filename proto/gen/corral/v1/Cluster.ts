// Original file: proto/corral/v1/corral.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AddNodeRequest as _corral_v1_AddNodeRequest, AddNodeRequest__Output as _corral_v1_AddNodeRequest__Output } from '../../corral/v1/AddNodeRequest';
import type { AddNodeResponse as _corral_v1_AddNodeResponse, AddNodeResponse__Output as _corral_v1_AddNodeResponse__Output } from '../../corral/v1/AddNodeResponse';
import type { ClusterStatusRequest as _corral_v1_ClusterStatusRequest, ClusterStatusRequest__Output as _corral_v1_ClusterStatusRequest__Output } from '../../corral/v1/ClusterStatusRequest';
import type { ClusterStatusResponse as _corral_v1_ClusterStatusResponse, ClusterStatusResponse__Output as _corral_v1_ClusterStatusResponse__Output } from '../../corral/v1/ClusterStatusResponse';
import type { CreateGroupRequest as _corral_v1_CreateGroupRequest, CreateGroupRequest__Output as _corral_v1_CreateGroupRequest__Output } from '../../corral/v1/CreateGroupRequest';
import type { CreateGroupResponse as _corral_v1_CreateGroupResponse, CreateGroupResponse__Output as _corral_v1_CreateGroupResponse__Output } from '../../corral/v1/CreateGroupResponse';
import type { RemoveNodeRequest as _corral_v1_RemoveNodeRequest, RemoveNodeRequest__Output as _corral_v1_RemoveNodeRequest__Output } from '../../corral/v1/RemoveNodeRequest';
import type { RemoveNodeResponse as _corral_v1_RemoveNodeResponse, RemoveNodeResponse__Output as _corral_v1_RemoveNodeResponse__Output } from '../../corral/v1/RemoveNodeResponse';
import type { TransferLeaderRequest as _corral_v1_TransferLeaderRequest, TransferLeaderRequest__Output as _corral_v1_TransferLeaderRequest__Output } from '../../corral/v1/TransferLeaderRequest';
import type { TransferLeaderResponse as _corral_v1_TransferLeaderResponse, TransferLeaderResponse__Output as _corral_v1_TransferLeaderResponse__Output } from '../../corral/v1/TransferLeaderResponse';

export interface ClusterClient extends grpc.Client {
  AddNode(argument: _corral_v1_AddNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_AddNodeResponse__Output>): grpc.ClientUnaryCall;
  AddNode(argument: _corral_v1_AddNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_AddNodeResponse__Output>): grpc.ClientUnaryCall;
  AddNode(argument: _corral_v1_AddNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_AddNodeResponse__Output>): grpc.ClientUnaryCall;
  AddNode(argument: _corral_v1_AddNodeRequest, callback: grpc.requestCallback<_corral_v1_AddNodeResponse__Output>): grpc.ClientUnaryCall;
  addNode(argument: _corral_v1_AddNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_AddNodeResponse__Output>): grpc.ClientUnaryCall;
  addNode(argument: _corral_v1_AddNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_AddNodeResponse__Output>): grpc.ClientUnaryCall;
  addNode(argument: _corral_v1_AddNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_AddNodeResponse__Output>): grpc.ClientUnaryCall;
  addNode(argument: _corral_v1_AddNodeRequest, callback: grpc.requestCallback<_corral_v1_AddNodeResponse__Output>): grpc.ClientUnaryCall;
  
  CreateGroup(argument: _corral_v1_CreateGroupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_CreateGroupResponse__Output>): grpc.ClientUnaryCall;
  CreateGroup(argument: _corral_v1_CreateGroupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_CreateGroupResponse__Output>): grpc.ClientUnaryCall;
  CreateGroup(argument: _corral_v1_CreateGroupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_CreateGroupResponse__Output>): grpc.ClientUnaryCall;
  CreateGroup(argument: _corral_v1_CreateGroupRequest, callback: grpc.requestCallback<_corral_v1_CreateGroupResponse__Output>): grpc.ClientUnaryCall;
  createGroup(argument: _corral_v1_CreateGroupRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_CreateGroupResponse__Output>): grpc.ClientUnaryCall;
  createGroup(argument: _corral_v1_CreateGroupRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_CreateGroupResponse__Output>): grpc.ClientUnaryCall;
  createGroup(argument: _corral_v1_CreateGroupRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_CreateGroupResponse__Output>): grpc.ClientUnaryCall;
  createGroup(argument: _corral_v1_CreateGroupRequest, callback: grpc.requestCallback<_corral_v1_CreateGroupResponse__Output>): grpc.ClientUnaryCall;
  
  RemoveNode(argument: _corral_v1_RemoveNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_RemoveNodeResponse__Output>): grpc.ClientUnaryCall;
  RemoveNode(argument: _corral_v1_RemoveNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_RemoveNodeResponse__Output>): grpc.ClientUnaryCall;
  RemoveNode(argument: _corral_v1_RemoveNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_RemoveNodeResponse__Output>): grpc.ClientUnaryCall;
  RemoveNode(argument: _corral_v1_RemoveNodeRequest, callback: grpc.requestCallback<_corral_v1_RemoveNodeResponse__Output>): grpc.ClientUnaryCall;
  removeNode(argument: _corral_v1_RemoveNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_RemoveNodeResponse__Output>): grpc.ClientUnaryCall;
  removeNode(argument: _corral_v1_RemoveNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_RemoveNodeResponse__Output>): grpc.ClientUnaryCall;
  removeNode(argument: _corral_v1_RemoveNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_RemoveNodeResponse__Output>): grpc.ClientUnaryCall;
  removeNode(argument: _corral_v1_RemoveNodeRequest, callback: grpc.requestCallback<_corral_v1_RemoveNodeResponse__Output>): grpc.ClientUnaryCall;
  
  Status(argument: _corral_v1_ClusterStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _corral_v1_ClusterStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_ClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _corral_v1_ClusterStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _corral_v1_ClusterStatusRequest, callback: grpc.requestCallback<_corral_v1_ClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _corral_v1_ClusterStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _corral_v1_ClusterStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_ClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _corral_v1_ClusterStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _corral_v1_ClusterStatusRequest, callback: grpc.requestCallback<_corral_v1_ClusterStatusResponse__Output>): grpc.ClientUnaryCall;
  
  TransferLeader(argument: _corral_v1_TransferLeaderRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_TransferLeaderResponse__Output>): grpc.ClientUnaryCall;
  TransferLeader(argument: _corral_v1_TransferLeaderRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_TransferLeaderResponse__Output>): grpc.ClientUnaryCall;
  TransferLeader(argument: _corral_v1_TransferLeaderRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_TransferLeaderResponse__Output>): grpc.ClientUnaryCall;
  TransferLeader(argument: _corral_v1_TransferLeaderRequest, callback: grpc.requestCallback<_corral_v1_TransferLeaderResponse__Output>): grpc.ClientUnaryCall;
  transferLeader(argument: _corral_v1_TransferLeaderRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_TransferLeaderResponse__Output>): grpc.ClientUnaryCall;
  transferLeader(argument: _corral_v1_TransferLeaderRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_TransferLeaderResponse__Output>): grpc.ClientUnaryCall;
  transferLeader(argument: _corral_v1_TransferLeaderRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_TransferLeaderResponse__Output>): grpc.ClientUnaryCall;
  transferLeader(argument: _corral_v1_TransferLeaderRequest, callback: grpc.requestCallback<_corral_v1_TransferLeaderResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ClusterHandlers extends grpc.UntypedServiceImplementation {
  AddNode: grpc.handleUnaryCall<_corral_v1_AddNodeRequest__Output, _corral_v1_AddNodeResponse>;
  
  CreateGroup: grpc.handleUnaryCall<_corral_v1_CreateGroupRequest__Output, _corral_v1_CreateGroupResponse>;
  
  RemoveNode: grpc.handleUnaryCall<_corral_v1_RemoveNodeRequest__Output, _corral_v1_RemoveNodeResponse>;
  
  Status: grpc.handleUnaryCall<_corral_v1_ClusterStatusRequest__Output, _corral_v1_ClusterStatusResponse>;
  
  TransferLeader: grpc.handleUnaryCall<_corral_v1_TransferLeaderRequest__Output, _corral_v1_TransferLeaderResponse>;
  
}

export interface ClusterDefinition extends grpc.ServiceDefinition {
  AddNode: MethodDefinition<_corral_v1_AddNodeRequest, _corral_v1_AddNodeResponse, _corral_v1_AddNodeRequest__Output, _corral_v1_AddNodeResponse__Output>
  CreateGroup: MethodDefinition<_corral_v1_CreateGroupRequest, _corral_v1_CreateGroupResponse, _corral_v1_CreateGroupRequest__Output, _corral_v1_CreateGroupResponse__Output>
  RemoveNode: MethodDefinition<_corral_v1_RemoveNodeRequest, _corral_v1_RemoveNodeResponse, _corral_v1_RemoveNodeRequest__Output, _corral_v1_RemoveNodeResponse__Output>
  Status: MethodDefinition<_corral_v1_ClusterStatusRequest, _corral_v1_ClusterStatusResponse, _corral_v1_ClusterStatusRequest__Output, _corral_v1_ClusterStatusResponse__Output>
  TransferLeader: MethodDefinition<_corral_v1_TransferLeaderRequest, _corral_v1_TransferLeaderResponse, _corral_v1_TransferLeaderRequest__Output, _corral_v1_TransferLeaderResponse__Output>
}
