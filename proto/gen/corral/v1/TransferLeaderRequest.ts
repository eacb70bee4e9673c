// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface TransferLeaderRequest {
  'group_id'?: (number | string | Long);
  'to'?: (number | string | Long);
}

export interface TransferLeaderRequest__Output {
  'group_id': (number);
  'to': (number);
}
