// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface CloseSessionRequest {
  'session_id'?: (number | string | Long);
  'namespace'?: (string);
}

export interface CloseSessionRequest__Output {
  'session_id': (number);
  'namespace': (string);
}
