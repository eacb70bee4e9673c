// Original file: proto/corral/v1/corral.proto

import type { Stat as _corral_v1_Stat, Stat__Output as _corral_v1_Stat__Output } from '../../corral/v1/Stat';

export interface ChildEntry {
  'name'?: (string);
  'stat'?: (_corral_v1_Stat | null);
}

export interface ChildEntry__Output {
  'name': (string);
  'stat': (_corral_v1_Stat__Output | null);
}
