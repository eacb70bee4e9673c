// Original file: proto/corral/v1/corral.proto

import type { LockInfo as _corral_v1_LockInfo, LockInfo__Output as _corral_v1_LockInfo__Output } from '../../corral/v1/LockInfo';

export interface ListLocksResponse {
  'locks'?: (_corral_v1_LockInfo)[];
}

export interface ListLocksResponse__Output {
  'locks': (_corral_v1_LockInfo__Output)[];
}
