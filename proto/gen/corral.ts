import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { AcquireLockRequest as _corral_v1_AcquireLockRequest, AcquireLockRequest__Output as _corral_v1_AcquireLockRequest__Output } from './corral/v1/AcquireLockRequest';
import type { AcquireLockResponse as _corral_v1_AcquireLockResponse, AcquireLockResponse__Output as _corral_v1_AcquireLockResponse__Output } from './corral/v1/AcquireLockResponse';
import type { AddNodeRequest as _corral_v1_AddNodeRequest, AddNodeRequest__Output as _corral_v1_AddNodeRequest__Output } from './corral/v1/AddNodeRequest';
import type { AddNodeResponse as _corral_v1_AddNodeResponse, AddNodeResponse__Output as _corral_v1_AddNodeResponse__Output } from './corral/v1/AddNodeResponse';
import type { ChildEntry as _corral_v1_ChildEntry, ChildEntry__Output as _corral_v1_ChildEntry__Output } from './corral/v1/ChildEntry';
import type { CloseSessionRequest as _corral_v1_CloseSessionRequest, CloseSessionRequest__Output as _corral_v1_CloseSessionRequest__Output } from './corral/v1/CloseSessionRequest';
import type { CloseSessionResponse as _corral_v1_CloseSessionResponse, CloseSessionResponse__Output as _corral_v1_CloseSessionResponse__Output } from './corral/v1/CloseSessionResponse';
import type { ClusterClient as _corral_v1_ClusterClient, ClusterDefinition as _corral_v1_ClusterDefinition } from './corral/v1/Cluster';
import type { ClusterStatusRequest as _corral_v1_ClusterStatusRequest, ClusterStatusRequest__Output as _corral_v1_ClusterStatusRequest__Output } from './corral/v1/ClusterStatusRequest';
import type { ClusterStatusResponse as _corral_v1_ClusterStatusResponse, ClusterStatusResponse__Output as _corral_v1_ClusterStatusResponse__Output } from './corral/v1/ClusterStatusResponse';
import type { Compare as _corral_v1_Compare, Compare__Output as _corral_v1_Compare__Output } from './corral/v1/Compare';
import type { CreateGroupRequest as _corral_v1_CreateGroupRequest, CreateGroupRequest__Output as _corral_v1_CreateGroupRequest__Output } from './corral/v1/CreateGroupRequest';
import type { CreateGroupResponse as _corral_v1_CreateGroupResponse, CreateGroupResponse__Output as _corral_v1_CreateGroupResponse__Output } from './corral/v1/CreateGroupResponse';
import type { CreateRequest as _corral_v1_CreateRequest, CreateRequest__Output as _corral_v1_CreateRequest__Output } from './corral/v1/CreateRequest';
import type { CreateResponse as _corral_v1_CreateResponse, CreateResponse__Output as _corral_v1_CreateResponse__Output } from './corral/v1/CreateResponse';
import type { DeleteRequest as _corral_v1_DeleteRequest, DeleteRequest__Output as _corral_v1_DeleteRequest__Output } from './corral/v1/DeleteRequest';
import type { DeleteResponse as _corral_v1_DeleteResponse, DeleteResponse__Output as _corral_v1_DeleteResponse__Output } from './corral/v1/DeleteResponse';
import type { ExistsRequest as _corral_v1_ExistsRequest, ExistsRequest__Output as _corral_v1_ExistsRequest__Output } from './corral/v1/ExistsRequest';
import type { ExistsResponse as _corral_v1_ExistsResponse, ExistsResponse__Output as _corral_v1_ExistsResponse__Output } from './corral/v1/ExistsResponse';
import type { GetRequest as _corral_v1_GetRequest, GetRequest__Output as _corral_v1_GetRequest__Output } from './corral/v1/GetRequest';
import type { GetResponse as _corral_v1_GetResponse, GetResponse__Output as _corral_v1_GetResponse__Output } from './corral/v1/GetResponse';
import type { GroupInfo as _corral_v1_GroupInfo, GroupInfo__Output as _corral_v1_GroupInfo__Output } from './corral/v1/GroupInfo';
import type { InspectLockRequest as _corral_v1_InspectLockRequest, InspectLockRequest__Output as _corral_v1_InspectLockRequest__Output } from './corral/v1/InspectLockRequest';
import type { KVClient as _corral_v1_KVClient, KVDefinition as _corral_v1_KVDefinition } from './corral/v1/KV';
import type { KeepAliveRequest as _corral_v1_KeepAliveRequest, KeepAliveRequest__Output as _corral_v1_KeepAliveRequest__Output } from './corral/v1/KeepAliveRequest';
import type { KeepAliveResponse as _corral_v1_KeepAliveResponse, KeepAliveResponse__Output as _corral_v1_KeepAliveResponse__Output } from './corral/v1/KeepAliveResponse';
import type { ListLocksRequest as _corral_v1_ListLocksRequest, ListLocksRequest__Output as _corral_v1_ListLocksRequest__Output } from './corral/v1/ListLocksRequest';
import type { ListLocksResponse as _corral_v1_ListLocksResponse, ListLocksResponse__Output as _corral_v1_ListLocksResponse__Output } from './corral/v1/ListLocksResponse';
import type { ListRequest as _corral_v1_ListRequest, ListRequest__Output as _corral_v1_ListRequest__Output } from './corral/v1/ListRequest';
import type { ListResponse as _corral_v1_ListResponse, ListResponse__Output as _corral_v1_ListResponse__Output } from './corral/v1/ListResponse';
import type { ListSessionsRequest as _corral_v1_ListSessionsRequest, ListSessionsRequest__Output as _corral_v1_ListSessionsRequest__Output } from './corral/v1/ListSessionsRequest';
import type { ListSessionsResponse as _corral_v1_ListSessionsResponse, ListSessionsResponse__Output as _corral_v1_ListSessionsResponse__Output } from './corral/v1/ListSessionsResponse';
import type { LockClient as _corral_v1_LockClient, LockDefinition as _corral_v1_LockDefinition } from './corral/v1/Lock';
import type { LockGuard as _corral_v1_LockGuard, LockGuard__Output as _corral_v1_LockGuard__Output } from './corral/v1/LockGuard';
import type { LockInfo as _corral_v1_LockInfo, LockInfo__Output as _corral_v1_LockInfo__Output } from './corral/v1/LockInfo';
import type { LockWaiter as _corral_v1_LockWaiter, LockWaiter__Output as _corral_v1_LockWaiter__Output } from './corral/v1/LockWaiter';
import type { MaintenanceClient as _corral_v1_MaintenanceClient, MaintenanceDefinition as _corral_v1_MaintenanceDefinition } from './corral/v1/Maintenance';
import type { Member as _corral_v1_Member, Member__Output as _corral_v1_Member__Output } from './corral/v1/Member';
import type { ObserveRequest as _corral_v1_ObserveRequest, ObserveRequest__Output as _corral_v1_ObserveRequest__Output } from './corral/v1/ObserveRequest';
import type { OpenSessionRequest as _corral_v1_OpenSessionRequest, OpenSessionRequest__Output as _corral_v1_OpenSessionRequest__Output } from './corral/v1/OpenSessionRequest';
import type { OpenSessionResponse as _corral_v1_OpenSessionResponse, OpenSessionResponse__Output as _corral_v1_OpenSessionResponse__Output } from './corral/v1/OpenSessionResponse';
import type { PutRequest as _corral_v1_PutRequest, PutRequest__Output as _corral_v1_PutRequest__Output } from './corral/v1/PutRequest';
import type { PutResponse as _corral_v1_PutResponse, PutResponse__Output as _corral_v1_PutResponse__Output } from './corral/v1/PutResponse';
import type { ReleaseLockRequest as _corral_v1_ReleaseLockRequest, ReleaseLockRequest__Output as _corral_v1_ReleaseLockRequest__Output } from './corral/v1/ReleaseLockRequest';
import type { ReleaseLockResponse as _corral_v1_ReleaseLockResponse, ReleaseLockResponse__Output as _corral_v1_ReleaseLockResponse__Output } from './corral/v1/ReleaseLockResponse';
import type { RemoveNodeRequest as _corral_v1_RemoveNodeRequest, RemoveNodeRequest__Output as _corral_v1_RemoveNodeRequest__Output } from './corral/v1/RemoveNodeRequest';
import type { RemoveNodeResponse as _corral_v1_RemoveNodeResponse, RemoveNodeResponse__Output as _corral_v1_RemoveNodeResponse__Output } from './corral/v1/RemoveNodeResponse';
import type { RequestId as _corral_v1_RequestId, RequestId__Output as _corral_v1_RequestId__Output } from './corral/v1/RequestId';
import type { SessionClient as _corral_v1_SessionClient, SessionDefinition as _corral_v1_SessionDefinition } from './corral/v1/Session';
import type { SessionInfo as _corral_v1_SessionInfo, SessionInfo__Output as _corral_v1_SessionInfo__Output } from './corral/v1/SessionInfo';
import type { SetRequest as _corral_v1_SetRequest, SetRequest__Output as _corral_v1_SetRequest__Output } from './corral/v1/SetRequest';
import type { SetResponse as _corral_v1_SetResponse, SetResponse__Output as _corral_v1_SetResponse__Output } from './corral/v1/SetResponse';
import type { SnapshotChunk as _corral_v1_SnapshotChunk, SnapshotChunk__Output as _corral_v1_SnapshotChunk__Output } from './corral/v1/SnapshotChunk';
import type { SnapshotRequest as _corral_v1_SnapshotRequest, SnapshotRequest__Output as _corral_v1_SnapshotRequest__Output } from './corral/v1/SnapshotRequest';
import type { Stat as _corral_v1_Stat, Stat__Output as _corral_v1_Stat__Output } from './corral/v1/Stat';
import type { TimeToLiveRequest as _corral_v1_TimeToLiveRequest, TimeToLiveRequest__Output as _corral_v1_TimeToLiveRequest__Output } from './corral/v1/TimeToLiveRequest';
import type { TransferLeaderRequest as _corral_v1_TransferLeaderRequest, TransferLeaderRequest__Output as _corral_v1_TransferLeaderRequest__Output } from './corral/v1/TransferLeaderRequest';
import type { TransferLeaderResponse as _corral_v1_TransferLeaderResponse, TransferLeaderResponse__Output as _corral_v1_TransferLeaderResponse__Output } from './corral/v1/TransferLeaderResponse';
import type { TxnOp as _corral_v1_TxnOp, TxnOp__Output as _corral_v1_TxnOp__Output } from './corral/v1/TxnOp';
import type { TxnOpResult as _corral_v1_TxnOpResult, TxnOpResult__Output as _corral_v1_TxnOpResult__Output } from './corral/v1/TxnOpResult';
import type { TxnRequest as _corral_v1_TxnRequest, TxnRequest__Output as _corral_v1_TxnRequest__Output } from './corral/v1/TxnRequest';
import type { TxnResponse as _corral_v1_TxnResponse, TxnResponse__Output as _corral_v1_TxnResponse__Output } from './corral/v1/TxnResponse';
import type { WatchClient as _corral_v1_WatchClient, WatchDefinition as _corral_v1_WatchDefinition } from './corral/v1/Watch';
import type { WatchEvent as _corral_v1_WatchEvent, WatchEvent__Output as _corral_v1_WatchEvent__Output } from './corral/v1/WatchEvent';
import type { WatchRequest as _corral_v1_WatchRequest, WatchRequest__Output as _corral_v1_WatchRequest__Output } from './corral/v1/WatchRequest';
import type { WatchResponse as _corral_v1_WatchResponse, WatchResponse__Output as _corral_v1_WatchResponse__Output } from './corral/v1/WatchResponse';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  corral: {
    v1: {
      AcquireLockRequest: MessageTypeDefinition<_corral_v1_AcquireLockRequest, _corral_v1_AcquireLockRequest__Output>
      AcquireLockResponse: MessageTypeDefinition<_corral_v1_AcquireLockResponse, _corral_v1_AcquireLockResponse__Output>
      AddNodeRequest: MessageTypeDefinition<_corral_v1_AddNodeRequest, _corral_v1_AddNodeRequest__Output>
      AddNodeResponse: MessageTypeDefinition<_corral_v1_AddNodeResponse, _corral_v1_AddNodeResponse__Output>
      ChildEntry: MessageTypeDefinition<_corral_v1_ChildEntry, _corral_v1_ChildEntry__Output>
      CloseSessionRequest: MessageTypeDefinition<_corral_v1_CloseSessionRequest, _corral_v1_CloseSessionRequest__Output>
      CloseSessionResponse: MessageTypeDefinition<_corral_v1_CloseSessionResponse, _corral_v1_CloseSessionResponse__Output>
      Cluster: SubtypeConstructor<typeof grpc.Client, _corral_v1_ClusterClient> & { service: _corral_v1_ClusterDefinition }
      ClusterStatusRequest: MessageTypeDefinition<_corral_v1_ClusterStatusRequest, _corral_v1_ClusterStatusRequest__Output>
      ClusterStatusResponse: MessageTypeDefinition<_corral_v1_ClusterStatusResponse, _corral_v1_ClusterStatusResponse__Output>
      Compare: MessageTypeDefinition<_corral_v1_Compare, _corral_v1_Compare__Output>
      CreateGroupRequest: MessageTypeDefinition<_corral_v1_CreateGroupRequest, _corral_v1_CreateGroupRequest__Output>
      CreateGroupResponse: MessageTypeDefinition<_corral_v1_CreateGroupResponse, _corral_v1_CreateGroupResponse__Output>
      CreateMode: EnumTypeDefinition
      CreateRequest: MessageTypeDefinition<_corral_v1_CreateRequest, _corral_v1_CreateRequest__Output>
      CreateResponse: MessageTypeDefinition<_corral_v1_CreateResponse, _corral_v1_CreateResponse__Output>
      DeleteRequest: MessageTypeDefinition<_corral_v1_DeleteRequest, _corral_v1_DeleteRequest__Output>
      DeleteResponse: MessageTypeDefinition<_corral_v1_DeleteResponse, _corral_v1_DeleteResponse__Output>
      ExistsRequest: MessageTypeDefinition<_corral_v1_ExistsRequest, _corral_v1_ExistsRequest__Output>
      ExistsResponse: MessageTypeDefinition<_corral_v1_ExistsResponse, _corral_v1_ExistsResponse__Output>
      GetRequest: MessageTypeDefinition<_corral_v1_GetRequest, _corral_v1_GetRequest__Output>
      GetResponse: MessageTypeDefinition<_corral_v1_GetResponse, _corral_v1_GetResponse__Output>
      GroupInfo: MessageTypeDefinition<_corral_v1_GroupInfo, _corral_v1_GroupInfo__Output>
      InspectLockRequest: MessageTypeDefinition<_corral_v1_InspectLockRequest, _corral_v1_InspectLockRequest__Output>
      KV: SubtypeConstructor<typeof grpc.Client, _corral_v1_KVClient> & { service: _corral_v1_KVDefinition }
      KeepAliveRequest: MessageTypeDefinition<_corral_v1_KeepAliveRequest, _corral_v1_KeepAliveRequest__Output>
      KeepAliveResponse: MessageTypeDefinition<_corral_v1_KeepAliveResponse, _corral_v1_KeepAliveResponse__Output>
      ListLocksRequest: MessageTypeDefinition<_corral_v1_ListLocksRequest, _corral_v1_ListLocksRequest__Output>
      ListLocksResponse: MessageTypeDefinition<_corral_v1_ListLocksResponse, _corral_v1_ListLocksResponse__Output>
      ListRequest: MessageTypeDefinition<_corral_v1_ListRequest, _corral_v1_ListRequest__Output>
      ListResponse: MessageTypeDefinition<_corral_v1_ListResponse, _corral_v1_ListResponse__Output>
      ListSessionsRequest: MessageTypeDefinition<_corral_v1_ListSessionsRequest, _corral_v1_ListSessionsRequest__Output>
      ListSessionsResponse: MessageTypeDefinition<_corral_v1_ListSessionsResponse, _corral_v1_ListSessionsResponse__Output>
      Lock: SubtypeConstructor<typeof grpc.Client, _corral_v1_LockClient> & { service: _corral_v1_LockDefinition }
      LockGuard: MessageTypeDefinition<_corral_v1_LockGuard, _corral_v1_LockGuard__Output>
      LockInfo: MessageTypeDefinition<_corral_v1_LockInfo, _corral_v1_LockInfo__Output>
      LockWaiter: MessageTypeDefinition<_corral_v1_LockWaiter, _corral_v1_LockWaiter__Output>
      Maintenance: SubtypeConstructor<typeof grpc.Client, _corral_v1_MaintenanceClient> & { service: _corral_v1_MaintenanceDefinition }
      Member: MessageTypeDefinition<_corral_v1_Member, _corral_v1_Member__Output>
      ObserveRequest: MessageTypeDefinition<_corral_v1_ObserveRequest, _corral_v1_ObserveRequest__Output>
      OpenSessionRequest: MessageTypeDefinition<_corral_v1_OpenSessionRequest, _corral_v1_OpenSessionRequest__Output>
      OpenSessionResponse: MessageTypeDefinition<_corral_v1_OpenSessionResponse, _corral_v1_OpenSessionResponse__Output>
      PutRequest: MessageTypeDefinition<_corral_v1_PutRequest, _corral_v1_PutRequest__Output>
      PutResponse: MessageTypeDefinition<_corral_v1_PutResponse, _corral_v1_PutResponse__Output>
      ReleaseLockRequest: MessageTypeDefinition<_corral_v1_ReleaseLockRequest, _corral_v1_ReleaseLockRequest__Output>
      ReleaseLockResponse: MessageTypeDefinition<_corral_v1_ReleaseLockResponse, _corral_v1_ReleaseLockResponse__Output>
      RemoveNodeRequest: MessageTypeDefinition<_corral_v1_RemoveNodeRequest, _corral_v1_RemoveNodeRequest__Output>
      RemoveNodeResponse: MessageTypeDefinition<_corral_v1_RemoveNodeResponse, _corral_v1_RemoveNodeResponse__Output>
      RequestId: MessageTypeDefinition<_corral_v1_RequestId, _corral_v1_RequestId__Output>
      Session: SubtypeConstructor<typeof grpc.Client, _corral_v1_SessionClient> & { service: _corral_v1_SessionDefinition }
      SessionInfo: MessageTypeDefinition<_corral_v1_SessionInfo, _corral_v1_SessionInfo__Output>
      SetRequest: MessageTypeDefinition<_corral_v1_SetRequest, _corral_v1_SetRequest__Output>
      SetResponse: MessageTypeDefinition<_corral_v1_SetResponse, _corral_v1_SetResponse__Output>
      SnapshotChunk: MessageTypeDefinition<_corral_v1_SnapshotChunk, _corral_v1_SnapshotChunk__Output>
      SnapshotRequest: MessageTypeDefinition<_corral_v1_SnapshotRequest, _corral_v1_SnapshotRequest__Output>
      Stat: MessageTypeDefinition<_corral_v1_Stat, _corral_v1_Stat__Output>
      TimeToLiveRequest: MessageTypeDefinition<_corral_v1_TimeToLiveRequest, _corral_v1_TimeToLiveRequest__Output>
      TransferLeaderRequest: MessageTypeDefinition<_corral_v1_TransferLeaderRequest, _corral_v1_TransferLeaderRequest__Output>
      TransferLeaderResponse: MessageTypeDefinition<_corral_v1_TransferLeaderResponse, _corral_v1_TransferLeaderResponse__Output>
      TxnOp: MessageTypeDefinition<_corral_v1_TxnOp, _corral_v1_TxnOp__Output>
      TxnOpResult: MessageTypeDefinition<_corral_v1_TxnOpResult, _corral_v1_TxnOpResult__Output>
      TxnRequest: MessageTypeDefinition<_corral_v1_TxnRequest, _corral_v1_TxnRequest__Output>
      TxnResponse: MessageTypeDefinition<_corral_v1_TxnResponse, _corral_v1_TxnResponse__Output>
      Watch: SubtypeConstructor<typeof grpc.Client, _corral_v1_WatchClient> & { service: _corral_v1_WatchDefinition }
      WatchEvent: MessageTypeDefinition<_corral_v1_WatchEvent, _corral_v1_WatchEvent__Output>
      WatchRequest: MessageTypeDefinition<_corral_v1_WatchRequest, _corral_v1_WatchRequest__Output>
      WatchResponse: MessageTypeDefinition<_corral_v1_WatchResponse, _corral_v1_WatchResponse__Output>
    }
  }
}

