// Original file: proto/corral/v1/corral.proto

import type { Stat as _corral_v1_Stat, Stat__Output as _corral_v1_Stat__Output } from '../../corral/v1/Stat';
import type { Long } from '@grpc/proto-loader';

export interface SetResponse {
  'stat'?: (_corral_v1_Stat | null);
  'revision'?: (number | string | Long);
}

export interface SetResponse__Output {
  'stat': (_corral_v1_Stat__Output | null);
  'revision': (number);
}
