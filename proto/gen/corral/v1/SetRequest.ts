// Original file: proto/corral/v1/corral.proto

import type { LockGuard as _corral_v1_LockGuard, LockGuard__Output as _corral_v1_LockGuard__Output } from '../../corral/v1/LockGuard';
import type { Long } from '@grpc/proto-loader';

export interface SetRequest {
  'path'?: (string);
  'value'?: (Buffer | Uint8Array | string);
  'expected_version'?: (number | string | Long);
  'guard'?: (_corral_v1_LockGuard | null);
}

export interface SetRequest__Output {
  'path': (string);
  'value': (Buffer);
  'expected_version': (number);
  'guard': (_corral_v1_LockGuard__Output | null);
}
