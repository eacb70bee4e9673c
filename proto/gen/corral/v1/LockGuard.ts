// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface LockGuard {
  'lock'?: (string);
  'token'?: (number | string | Long);
}

export interface LockGuard__Output {
  'lock': (string);
  'token': (number);
}
