// Original file: proto/corral/v1/corral.proto

import type { CreateRequest as _corral_v1_CreateRequest, CreateRequest__Output as _corral_v1_CreateRequest__Output } from '../../corral/v1/CreateRequest';
import type { SetRequest as _corral_v1_SetRequest, SetRequest__Output as _corral_v1_SetRequest__Output } from '../../corral/v1/SetRequest';
import type { PutRequest as _corral_v1_PutRequest, PutRequest__Output as _corral_v1_PutRequest__Output } from '../../corral/v1/PutRequest';
import type { DeleteRequest as _corral_v1_DeleteRequest, DeleteRequest__Output as _corral_v1_DeleteRequest__Output } from '../../corral/v1/DeleteRequest';

export interface TxnOp {
  'create'?: (_corral_v1_CreateRequest | null);
  'set'?: (_corral_v1_SetRequest | null);
  'put'?: (_corral_v1_PutRequest | null);
  'delete'?: (_corral_v1_DeleteRequest | null);
  'op'?: "create"|"set"|"put"|"delete";
}

export interface TxnOp__Output {
  'create'?: (_corral_v1_CreateRequest__Output | null);
  'set'?: (_corral_v1_SetRequest__Output | null);
  'put'?: (_corral_v1_PutRequest__Output | null);
  'delete'?: (_corral_v1_DeleteRequest__Output | null);
  'op'?: "create"|"set"|"put"|"delete";
}
