// Original file: proto/corral/v1/corral.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CreateRequest as _corral_v1_CreateRequest, CreateRequest__Output as _corral_v1_CreateRequest__Output } from '../../corral/v1/CreateRequest';
import type { CreateResponse as _corral_v1_CreateResponse, CreateResponse__Output as _corral_v1_CreateResponse__Output } from '../../corral/v1/CreateResponse';
import type { DeleteRequest as _corral_v1_DeleteRequest, DeleteRequest__Output as _corral_v1_DeleteRequest__Output } from '../../corral/v1/DeleteRequest';
import type { DeleteResponse as _corral_v1_DeleteResponse, DeleteResponse__Output as _corral_v1_DeleteResponse__Output } from '../../corral/v1/DeleteResponse';
import type { ExistsRequest as _corral_v1_ExistsRequest, ExistsRequest__Output as _corral_v1_ExistsRequest__Output } from '../../corral/v1/ExistsRequest';
import type { ExistsResponse as _corral_v1_ExistsResponse, ExistsResponse__Output as _corral_v1_ExistsResponse__Output } from '../../corral/v1/ExistsResponse';
import type { GetRequest as _corral_v1_GetRequest, GetRequest__Output as _corral_v1_GetRequest__Output } from '../../corral/v1/GetRequest';
import type { GetResponse as _corral_v1_GetResponse, GetResponse__Output as _corral_v1_GetResponse__Output } from '../../corral/v1/GetResponse';
import type { ListRequest as _corral_v1_ListRequest, ListRequest__Output as _corral_v1_ListRequest__Output } from '../../corral/v1/ListRequest';
import type { ListResponse as _corral_v1_ListResponse, ListResponse__Output as _corral_v1_ListResponse__Output } from '../../corral/v1/ListResponse';
import type { PutRequest as _corral_v1_PutRequest, PutRequest__Output as _corral_v1_PutRequest__Output } from '../../corral/v1/PutRequest';
import type { PutResponse as _corral_v1_PutResponse, PutResponse__Output as _corral_v1_PutResponse__Output } from '../../corral/v1/PutResponse';
import type { SetRequest as _corral_v1_SetRequest, SetRequest__Output as _corral_v1_SetRequest__Output } from '../../corral/v1/SetRequest';
import type { SetResponse as _corral_v1_SetResponse, SetResponse__Output as _corral_v1_SetResponse__Output } from '../../corral/v1/SetResponse';
import type { TxnRequest as _corral_v1_TxnRequest, TxnRequest__Output as _corral_v1_TxnRequest__Output } from '../../corral/v1/TxnRequest';
import type { TxnResponse as _corral_v1_TxnResponse, TxnResponse__Output as _corral_v1_TxnResponse__Output } from '../../corral/v1/TxnResponse';

export interface KVClient extends grpc.Client {
  Create(argument: _corral_v1_CreateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_CreateResponse__Output>): grpc.ClientUnaryCall;
  Create(argument: _corral_v1_CreateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_CreateResponse__Output>): grpc.ClientUnaryCall;
  Create(argument: _corral_v1_CreateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_CreateResponse__Output>): grpc.ClientUnaryCall;
  Create(argument: _corral_v1_CreateRequest, callback: grpc.requestCallback<_corral_v1_CreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _corral_v1_CreateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_CreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _corral_v1_CreateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_CreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _corral_v1_CreateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_CreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _corral_v1_CreateRequest, callback: grpc.requestCallback<_corral_v1_CreateResponse__Output>): grpc.ClientUnaryCall;
  
  Delete(argument: _corral_v1_DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _corral_v1_DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _corral_v1_DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _corral_v1_DeleteRequest, callback: grpc.requestCallback<_corral_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _corral_v1_DeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _corral_v1_DeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _corral_v1_DeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _corral_v1_DeleteRequest, callback: grpc.requestCallback<_corral_v1_DeleteResponse__Output>): grpc.ClientUnaryCall;
  
  Exists(argument: _corral_v1_ExistsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ExistsResponse__Output>): grpc.ClientUnaryCall;
  Exists(argument: _corral_v1_ExistsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_ExistsResponse__Output>): grpc.ClientUnaryCall;
  Exists(argument: _corral_v1_ExistsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ExistsResponse__Output>): grpc.ClientUnaryCall;
  Exists(argument: _corral_v1_ExistsRequest, callback: grpc.requestCallback<_corral_v1_ExistsResponse__Output>): grpc.ClientUnaryCall;
  exists(argument: _corral_v1_ExistsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ExistsResponse__Output>): grpc.ClientUnaryCall;
  exists(argument: _corral_v1_ExistsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_ExistsResponse__Output>): grpc.ClientUnaryCall;
  exists(argument: _corral_v1_ExistsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ExistsResponse__Output>): grpc.ClientUnaryCall;
  exists(argument: _corral_v1_ExistsRequest, callback: grpc.requestCallback<_corral_v1_ExistsResponse__Output>): grpc.ClientUnaryCall;
  
  Get(argument: _corral_v1_GetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_GetResponse__Output>): grpc.ClientUnaryCall;
  Get(argument: _corral_v1_GetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_GetResponse__Output>): grpc.ClientUnaryCall;
  Get(argument: _corral_v1_GetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_GetResponse__Output>): grpc.ClientUnaryCall;
  Get(argument: _corral_v1_GetRequest, callback: grpc.requestCallback<_corral_v1_GetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _corral_v1_GetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_GetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _corral_v1_GetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_GetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _corral_v1_GetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_GetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _corral_v1_GetRequest, callback: grpc.requestCallback<_corral_v1_GetResponse__Output>): grpc.ClientUnaryCall;
  
  List(argument: _corral_v1_ListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _corral_v1_ListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _corral_v1_ListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _corral_v1_ListRequest, callback: grpc.requestCallback<_corral_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _corral_v1_ListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _corral_v1_ListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _corral_v1_ListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _corral_v1_ListRequest, callback: grpc.requestCallback<_corral_v1_ListResponse__Output>): grpc.ClientUnaryCall;
  
  Put(argument: _corral_v1_PutRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_PutResponse__Output>): grpc.ClientUnaryCall;
  Put(argument: _corral_v1_PutRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_PutResponse__Output>): grpc.ClientUnaryCall;
  Put(argument: _corral_v1_PutRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_PutResponse__Output>): grpc.ClientUnaryCall;
  Put(argument: _corral_v1_PutRequest, callback: grpc.requestCallback<_corral_v1_PutResponse__Output>): grpc.ClientUnaryCall;
  put(argument: _corral_v1_PutRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_PutResponse__Output>): grpc.ClientUnaryCall;
  put(argument: _corral_v1_PutRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_PutResponse__Output>): grpc.ClientUnaryCall;
  put(argument: _corral_v1_PutRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_PutResponse__Output>): grpc.ClientUnaryCall;
  put(argument: _corral_v1_PutRequest, callback: grpc.requestCallback<_corral_v1_PutResponse__Output>): grpc.ClientUnaryCall;
  
  Set(argument: _corral_v1_SetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_SetResponse__Output>): grpc.ClientUnaryCall;
  Set(argument: _corral_v1_SetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_SetResponse__Output>): grpc.ClientUnaryCall;
  Set(argument: _corral_v1_SetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_SetResponse__Output>): grpc.ClientUnaryCall;
  Set(argument: _corral_v1_SetRequest, callback: grpc.requestCallback<_corral_v1_SetResponse__Output>): grpc.ClientUnaryCall;
  set(argument: _corral_v1_SetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_SetResponse__Output>): grpc.ClientUnaryCall;
  set(argument: _corral_v1_SetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_SetResponse__Output>): grpc.ClientUnaryCall;
  set(argument: _corral_v1_SetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_SetResponse__Output>): grpc.ClientUnaryCall;
  set(argument: _corral_v1_SetRequest, callback: grpc.requestCallback<_corral_v1_SetResponse__Output>): grpc.ClientUnaryCall;
  
  Txn(argument: _corral_v1_TxnRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_TxnResponse__Output>): grpc.ClientUnaryCall;
  Txn(argument: _corral_v1_TxnRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_TxnResponse__Output>): grpc.ClientUnaryCall;
  Txn(argument: _corral_v1_TxnRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_TxnResponse__Output>): grpc.ClientUnaryCall;
  Txn(argument: _corral_v1_TxnRequest, callback: grpc.requestCallback<_corral_v1_TxnResponse__Output>): grpc.ClientUnaryCall;
  txn(argument: _corral_v1_TxnRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_TxnResponse__Output>): grpc.ClientUnaryCall;
  txn(argument: _corral_v1_TxnRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_corral_v1_TxnResponse__Output>): grpc.ClientUnaryCall;
  txn(argument: _corral_v1_TxnRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_corral_v1_TxnResponse__Output>): grpc.ClientUnaryCall;
  txn(argument: _corral_v1_TxnRequest, callback: grpc.requestCallback<_corral_v1_TxnResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface KVHandlers extends grpc.UntypedServiceImplementation {
  Create: grpc.handleUnaryCall<_corral_v1_CreateRequest__Output, _corral_v1_CreateResponse>;
  
  Delete: grpc.handleUnaryCall<_corral_v1_DeleteRequest__Output, _corral_v1_DeleteResponse>;
  
  Exists: grpc.handleUnaryCall<_corral_v1_ExistsRequest__Output, _corral_v1_ExistsResponse>;
  
  Get: grpc.handleUnaryCall<_corral_v1_GetRequest__Output, _corral_v1_GetResponse>;
  
  List: grpc.handleUnaryCall<_corral_v1_ListRequest__Output, _corral_v1_ListResponse>;
  
  Put: grpc.handleUnaryCall<_corral_v1_PutRequest__Output, _corral_v1_PutResponse>;
  
  Set: grpc.handleUnaryCall<_corral_v1_SetRequest__Output, _corral_v1_SetResponse>;
  
  Txn: grpc.handleUnaryCall<_corral_v1_TxnRequest__Output, _corral_v1_TxnResponse>;
  
}

export interface KVDefinition extends grpc.ServiceDefinition {
  Create: MethodDefinition<_corral_v1_CreateRequest, _corral_v1_CreateResponse, _corral_v1_CreateRequest__Output, _corral_v1_CreateResponse__Output>
  Delete: MethodDefinition<_corral_v1_DeleteRequest, _corral_v1_DeleteResponse, _corral_v1_DeleteRequest__Output, _corral_v1_DeleteResponse__Output>
  Exists: MethodDefinition<_corral_v1_ExistsRequest, _corral_v1_ExistsResponse, _corral_v1_ExistsRequest__Output, _corral_v1_ExistsResponse__Output>
  Get: MethodDefinition<_corral_v1_GetRequest, _corral_v1_GetResponse, _corral_v1_GetRequest__Output, _corral_v1_GetResponse__Output>
  List: MethodDefinition<_corral_v1_ListRequest, _corral_v1_ListResponse, _corral_v1_ListRequest__Output, _corral_v1_ListResponse__Output>
  Put: MethodDefinition<_corral_v1_PutRequest, _corral_v1_PutResponse, _corral_v1_PutRequest__Output, _corral_v1_PutResponse__Output>
  Set: MethodDefinition<_corral_v1_SetRequest, _corral_v1_SetResponse, _corral_v1_SetRequest__Output, _corral_v1_SetResponse__Output>
  Txn: MethodDefinition<_corral_v1_TxnRequest, _corral_v1_TxnResponse, _corral_v1_TxnRequest__Output, _corral_v1_TxnResponse__Output>
}
