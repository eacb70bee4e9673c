// Original file: proto/corral/v1/corral.proto

import type { LockGuard as _corral_v1_LockGuard, LockGuard__Output as _corral_v1_LockGuard__Output } from '../../corral/v1/LockGuard';
import type { RequestId as _corral_v1_RequestId, RequestId__Output as _corral_v1_RequestId__Output } from '../../corral/v1/RequestId';
import type { Long } from '@grpc/proto-loader';

export interface PutRequest {
  'path'?: (string);
  'value'?: (Buffer | Uint8Array | string);
  'ephemeral'?: (boolean);
  'session_id'?: (number | string | Long);
  'guard'?: (_corral_v1_LockGuard | null);
  'request_id'?: (_corral_v1_RequestId | null);
}

export interface PutRequest__Output {
  'path': (string);
  'value': (Buffer);
  'ephemeral': (boolean);
  'session_id': (number);
  'guard': (_corral_v1_LockGuard__Output | null);
  'request_id': (_corral_v1_RequestId__Output | null);
}
