// Original file: proto/corral/v1/corral.proto

import type { WatchEvent as _corral_v1_WatchEvent, WatchEvent__Output as _corral_v1_WatchEvent__Output } from '../../corral/v1/WatchEvent';
import type { Long } from '@grpc/proto-loader';

// Original file: proto/corral/v1/corral.proto

export const _corral_v1_WatchResponse_Cancel = {
  NONE: 'NONE',
  COMPACTED: 'COMPACTED',
  SLOW_CONSUMER: 'SLOW_CONSUMER',
} as const;

export type _corral_v1_WatchResponse_Cancel =
  | 'NONE'
  | 0
  | 'COMPACTED'
  | 1
  | 'SLOW_CONSUMER'
  | 2

export type _corral_v1_WatchResponse_Cancel__Output = typeof _corral_v1_WatchResponse_Cancel[keyof typeof _corral_v1_WatchResponse_Cancel]

export interface WatchResponse {
  'events'?: (_corral_v1_WatchEvent)[];
  'cancelled'?: (_corral_v1_WatchResponse_Cancel);
  'compact_revision'?: (number | string | Long);
  'resume_revision'?: (number | string | Long);
  'replay_done'?: (boolean);
  'revision'?: (number | string | Long);
}

export interface WatchResponse__Output {
  'events': (_corral_v1_WatchEvent__Output)[];
  'cancelled': (_corral_v1_WatchResponse_Cancel__Output);
  'compact_revision': (number);
  'resume_revision': (number);
  'replay_done': (boolean);
  'revision': (number);
}
