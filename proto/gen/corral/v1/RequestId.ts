// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface RequestId {
  'session_id'?: (number | string | Long);
  'id'?: (number | string | Long);
}

export interface RequestId__Output {
  'session_id': (number);
  'id': (number);
}
