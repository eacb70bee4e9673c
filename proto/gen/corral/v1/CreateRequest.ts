// Original file: proto/corral/v1/corral.proto

import type { CreateMode as _corral_v1_CreateMode, CreateMode__Output as _corral_v1_CreateMode__Output } from '../../corral/v1/CreateMode';
import type { LockGuard as _corral_v1_LockGuard, LockGuard__Output as _corral_v1_LockGuard__Output } from '../../corral/v1/LockGuard';
import type { RequestId as _corral_v1_RequestId, RequestId__Output as _corral_v1_RequestId__Output } from '../../corral/v1/RequestId';
import type { Long } from '@grpc/proto-loader';

export interface CreateRequest {
  'path'?: (string);
  'value'?: (Buffer | Uint8Array | string);
  'mode'?: (_corral_v1_CreateMode);
  'session_id'?: (number | string | Long);
  'make_parents'?: (boolean);
  'guard'?: (_corral_v1_LockGuard | null);
  'request_id'?: (_corral_v1_RequestId | null);
}

export interface CreateRequest__Output {
  'path': (string);
  'value': (Buffer);
  'mode': (_corral_v1_CreateMode__Output);
  'session_id': (number);
  'make_parents': (boolean);
  'guard': (_corral_v1_LockGuard__Output | null);
  'request_id': (_corral_v1_RequestId__Output | null);
}
