// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

// Original file: proto/corral/v1/corral.proto

export const _corral_v1_WatchRequest_Kind = {
  PATH: 'PATH',
  CHILDREN: 'CHILDREN',
  SUBTREE: 'SUBTREE',
} as const;

export type _corral_v1_WatchRequest_Kind =
  | 'PATH'
  | 0
  | 'CHILDREN'
  | 1
  | 'SUBTREE'
  | 2

export type _corral_v1_WatchRequest_Kind__Output = typeof _corral_v1_WatchRequest_Kind[keyof typeof _corral_v1_WatchRequest_Kind]

export interface WatchRequest {
  'path'?: (string);
  'kind'?: (_corral_v1_WatchRequest_Kind);
  'from_revision'?: (number | string | Long);
  'replay'?: (boolean);
  'one_shot'?: (boolean);
}

export interface WatchRequest__Output {
  'path': (string);
  'kind': (_corral_v1_WatchRequest_Kind__Output);
  'from_revision': (number);
  'replay': (boolean);
  'one_shot': (boolean);
}
