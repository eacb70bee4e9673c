// Original file: proto/corral/v1/corral.proto

import type { Member as _corral_v1_Member, Member__Output as _corral_v1_Member__Output } from '../../corral/v1/Member';

export interface AddNodeResponse {
  'members'?: (_corral_v1_Member)[];
}

export interface AddNodeResponse__Output {
  'members': (_corral_v1_Member__Output)[];
}
