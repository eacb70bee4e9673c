// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface AddNodeRequest {
  'id'?: (number | string | Long);
  'address'?: (string);
}

export interface AddNodeRequest__Output {
  'id': (number);
  'address': (string);
}
