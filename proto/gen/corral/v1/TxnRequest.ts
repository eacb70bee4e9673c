// Original file: proto/corral/v1/corral.proto

import type { Compare as _corral_v1_Compare, Compare__Output as _corral_v1_Compare__Output } from '../../corral/v1/Compare';
import type { TxnOp as _corral_v1_TxnOp, TxnOp__Output as _corral_v1_TxnOp__Output } from '../../corral/v1/TxnOp';
import type { LockGuard as _corral_v1_LockGuard, LockGuard__Output as _corral_v1_LockGuard__Output } from '../../corral/v1/LockGuard';

export interface TxnRequest {
  'compare'?: (_corral_v1_Compare)[];
  'success'?: (_corral_v1_TxnOp)[];
  'failure'?: (_corral_v1_TxnOp)[];
  'guard'?: (_corral_v1_LockGuard | null);
}

export interface TxnRequest__Output {
  'compare': (_corral_v1_Compare__Output)[];
  'success': (_corral_v1_TxnOp__Output)[];
  'failure': (_corral_v1_TxnOp__Output)[];
  'guard': (_corral_v1_LockGuard__Output | null);
}
