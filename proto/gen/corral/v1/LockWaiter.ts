// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface LockWaiter {
  'session_id'?: (number | string | Long);
  'request_id'?: (number | string | Long);
  'wait_deadline_ms'?: (number | string | Long);
}

export interface LockWaiter__Output {
  'session_id': (number);
  'request_id': (number);
  'wait_deadline_ms': (number);
}
