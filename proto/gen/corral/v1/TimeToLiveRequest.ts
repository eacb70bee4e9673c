// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface TimeToLiveRequest {
  'session_id'?: (number | string | Long);
  'namespace'?: (string);
}

export interface TimeToLiveRequest__Output {
  'session_id': (number);
  'namespace': (string);
}
