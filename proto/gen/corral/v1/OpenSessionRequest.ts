// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface OpenSessionRequest {
  'ttl_ms'?: (number | string | Long);
  'namespace'?: (string);
}

export interface OpenSessionRequest__Output {
  'ttl_ms': (number);
  'namespace': (string);
}
