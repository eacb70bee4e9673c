// Original file: proto/corral/v1/corral.proto

import type { CreateResponse as _corral_v1_CreateResponse, CreateResponse__Output as _corral_v1_CreateResponse__Output } from '../../corral/v1/CreateResponse';
import type { SetResponse as _corral_v1_SetResponse, SetResponse__Output as _corral_v1_SetResponse__Output } from '../../corral/v1/SetResponse';
import type { PutResponse as _corral_v1_PutResponse, PutResponse__Output as _corral_v1_PutResponse__Output } from '../../corral/v1/PutResponse';
import type { DeleteResponse as _corral_v1_DeleteResponse, DeleteResponse__Output as _corral_v1_DeleteResponse__Output } from '../../corral/v1/DeleteResponse';

export interface TxnOpResult {
  'create'?: (_corral_v1_CreateResponse | null);
  'set'?: (_corral_v1_SetResponse | null);
  'put'?: (_corral_v1_PutResponse | null);
  'delete'?: (_corral_v1_DeleteResponse | null);
  'result'?: "create"|"set"|"put"|"delete";
}

export interface TxnOpResult__Output {
  'create'?: (_corral_v1_CreateResponse__Output | null);
  'set'?: (_corral_v1_SetResponse__Output | null);
  'put'?: (_corral_v1_PutResponse__Output | null);
  'delete'?: (_corral_v1_DeleteResponse__Output | null);
  'result'?: "create"|"set"|"put"|"delete";
}
