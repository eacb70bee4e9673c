// Original file: proto/corral/v1/corral.proto

import type { Stat as _corral_v1_Stat, Stat__Output as _corral_v1_Stat__Output } from '../../corral/v1/Stat';
import type { Long } from '@grpc/proto-loader';

// Original file: proto/corral/v1/corral.proto

export const _corral_v1_WatchEvent_Type = {
  ADD: 'ADD',
  UPDATE: 'UPDATE',
  REMOVE: 'REMOVE',
} as const;

export type _corral_v1_WatchEvent_Type =
  | 'ADD'
  | 0
  | 'UPDATE'
  | 1
  | 'REMOVE'
  | 2

export type _corral_v1_WatchEvent_Type__Output = typeof _corral_v1_WatchEvent_Type[keyof typeof _corral_v1_WatchEvent_Type]

export interface WatchEvent {
  'type'?: (_corral_v1_WatchEvent_Type);
  'path'?: (string);
  'revision'?: (number | string | Long);
  'value'?: (Buffer | Uint8Array | string);
  'prev_value'?: (Buffer | Uint8Array | string);
  'stat'?: (_corral_v1_Stat | null);
}

export interface WatchEvent__Output {
  'type': (_corral_v1_WatchEvent_Type__Output);
  'path': (string);
  'revision': (number);
  'value': (Buffer);
  'prev_value': (Buffer);
  'stat': (_corral_v1_Stat__Output | null);
}
