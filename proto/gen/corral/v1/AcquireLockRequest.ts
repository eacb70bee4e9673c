// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface AcquireLockRequest {
  'name'?: (string);
  'session_id'?: (number | string | Long);
  'wait_ms'?: (number | string | Long);
  'max_hold_ms'?: (number | string | Long);
  'request_id'?: (number | string | Long);
}

export interface AcquireLockRequest__Output {
  'name': (string);
  'session_id': (number);
  'wait_ms': (number);
  'max_hold_ms': (number);
  'request_id': (number);
}
