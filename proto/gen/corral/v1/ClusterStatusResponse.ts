// Original file: proto/corral/v1/corral.proto

import type { Member as _corral_v1_Member, Member__Output as _corral_v1_Member__Output } from '../../corral/v1/Member';
import type { GroupInfo as _corral_v1_GroupInfo, GroupInfo__Output as _corral_v1_GroupInfo__Output } from '../../corral/v1/GroupInfo';
import type { Long } from '@grpc/proto-loader';

export interface ClusterStatusResponse {
  'cluster_id'?: (string);
  'node_id'?: (number | string | Long);
  'members'?: (_corral_v1_Member)[];
  'groups'?: (_corral_v1_GroupInfo)[];
  'slot_count'?: (number);
  'slots'?: (number | string | Long)[];
}

export interface ClusterStatusResponse__Output {
  'cluster_id': (string);
  'node_id': (number);
  'members': (_corral_v1_Member__Output)[];
  'groups': (_corral_v1_GroupInfo__Output)[];
  'slot_count': (number);
  'slots': (number)[];
}
