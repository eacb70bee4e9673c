// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface ReleaseLockRequest {
  'name'?: (string);
  'token'?: (number | string | Long);
}

export interface ReleaseLockRequest__Output {
  'name': (string);
  'token': (number);
}
