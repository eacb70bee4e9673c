// Original file: proto/corral/v1/corral.proto

import type { SessionInfo as _corral_v1_SessionInfo, SessionInfo__Output as _corral_v1_SessionInfo__Output } from '../../corral/v1/SessionInfo';

export interface ListSessionsResponse {
  'sessions'?: (_corral_v1_SessionInfo)[];
}

export interface ListSessionsResponse__Output {
  'sessions': (_corral_v1_SessionInfo__Output)[];
}
