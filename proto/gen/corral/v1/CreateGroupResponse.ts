// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface CreateGroupResponse {
  'group_id'?: (number | string | Long);
  'voters'?: (number | string | Long)[];
  'preferred_leader'?: (number | string | Long);
}

export interface CreateGroupResponse__Output {
  'group_id': (number);
  'voters': (number)[];
  'preferred_leader': (number);
}
