// Original file: proto/corral/v1/corral.proto

import type { LockGuard as _corral_v1_LockGuard, LockGuard__Output as _corral_v1_LockGuard__Output } from '../../corral/v1/LockGuard';
import type { Long } from '@grpc/proto-loader';

export interface DeleteRequest {
  'path'?: (string);
  'expected_version'?: (number | string | Long);
  'recursive'?: (boolean);
  'guard'?: (_corral_v1_LockGuard | null);
  'ignore_missing'?: (boolean);
}

export interface DeleteRequest__Output {
  'path': (string);
  'expected_version': (number);
  'recursive': (boolean);
  'guard': (_corral_v1_LockGuard__Output | null);
  'ignore_missing': (boolean);
}
