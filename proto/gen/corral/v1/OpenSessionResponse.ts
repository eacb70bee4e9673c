// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface OpenSessionResponse {
  'session_id'?: (number | string | Long);
  'ttl_ms'?: (number | string | Long);
}

export interface OpenSessionResponse__Output {
  'session_id': (number);
  'ttl_ms': (number);
}
