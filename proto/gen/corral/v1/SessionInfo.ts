// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface SessionInfo {
  'session_id'?: (number | string | Long);
  'ttl_ms'?: (number | string | Long);
  'remaining_ms'?: (number | string | Long);
  'ephemeral_count'?: (number);
  'locks_held'?: (number);
}

export interface SessionInfo__Output {
  'session_id': (number);
  'ttl_ms': (number);
  'remaining_ms': (number);
  'ephemeral_count': (number);
  'locks_held': (number);
}
