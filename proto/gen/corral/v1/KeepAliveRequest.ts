// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface KeepAliveRequest {
  'session_ids'?: (number | string | Long)[];
  'namespace'?: (string);
}

export interface KeepAliveRequest__Output {
  'session_ids': (number)[];
  'namespace': (string);
}
