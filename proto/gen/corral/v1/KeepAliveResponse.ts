// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface KeepAliveResponse {
  'alive'?: (number | string | Long)[];
  'expired'?: (number | string | Long)[];
  'ttl_remaining_ms'?: (number | string | Long);
}

export interface KeepAliveResponse__Output {
  'alive': (number)[];
  'expired': (number)[];
  'ttl_remaining_ms': (number);
}
