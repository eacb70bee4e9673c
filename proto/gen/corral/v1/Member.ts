// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface Member {
  'id'?: (number | string | Long);
  'address'?: (string);
  'state'?: (string);
  'meta_voter'?: (boolean);
}

export interface Member__Output {
  'id': (number);
  'address': (string);
  'state': (string);
  'meta_voter': (boolean);
}
