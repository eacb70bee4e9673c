// Original file: proto/corral/v1/corral.proto

import type { ChildEntry as _corral_v1_ChildEntry, ChildEntry__Output as _corral_v1_ChildEntry__Output } from '../../corral/v1/ChildEntry';
import type { Long } from '@grpc/proto-loader';

export interface ListResponse {
  'children'?: (_corral_v1_ChildEntry)[];
  'more'?: (boolean);
  'revision'?: (number | string | Long);
}

export interface ListResponse__Output {
  'children': (_corral_v1_ChildEntry__Output)[];
  'more': (boolean);
  'revision': (number);
}
