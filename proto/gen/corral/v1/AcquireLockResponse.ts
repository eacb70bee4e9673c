// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface AcquireLockResponse {
  'token'?: (number | string | Long);
  'session_id'?: (number | string | Long);
}

export interface AcquireLockResponse__Output {
  'token': (number);
  'session_id': (number);
}
