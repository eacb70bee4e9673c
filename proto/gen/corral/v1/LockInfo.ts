// Original file: proto/corral/v1/corral.proto

import type { LockWaiter as _corral_v1_LockWaiter, LockWaiter__Output as _corral_v1_LockWaiter__Output } from '../../corral/v1/LockWaiter';
import type { Long } from '@grpc/proto-loader';

export interface LockInfo {
  'name'?: (string);
  'holder_session_id'?: (number | string | Long);
  'token'?: (number | string | Long);
  'waiters'?: (_corral_v1_LockWaiter)[];
  'granted_at_ms'?: (number | string | Long);
  'max_hold_ms'?: (number | string | Long);
}

export interface LockInfo__Output {
  'name': (string);
  'holder_session_id': (number);
  'token': (number);
  'waiters': (_corral_v1_LockWaiter__Output)[];
  'granted_at_ms': (number);
  'max_hold_ms': (number);
}
