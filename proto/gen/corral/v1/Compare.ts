// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

// Original file: proto/corral/v1/corral.proto

export const _corral_v1_Compare_Op = {
  EQUAL: 'EQUAL',
  NOT_EQUAL: 'NOT_EQUAL',
  LESS: 'LESS',
  GREATER: 'GREATER',
} as const;

export type _corral_v1_Compare_Op =
  | 'EQUAL'
  | 0
  | 'NOT_EQUAL'
  | 1
  | 'LESS'
  | 2
  | 'GREATER'
  | 3

export type _corral_v1_Compare_Op__Output = typeof _corral_v1_Compare_Op[keyof typeof _corral_v1_Compare_Op]

// Original file: proto/corral/v1/corral.proto

export const _corral_v1_Compare_Target = {
  EXISTS: 'EXISTS',
  VERSION: 'VERSION',
  VALUE: 'VALUE',
  CREATE_REVISION: 'CREATE_REVISION',
  MOD_REVISION: 'MOD_REVISION',
} as const;

export type _corral_v1_Compare_Target =
  | 'EXISTS'
  | 0
  | 'VERSION'
  | 1
  | 'VALUE'
  | 2
  | 'CREATE_REVISION'
  | 3
  | 'MOD_REVISION'
  | 4

export type _corral_v1_Compare_Target__Output = typeof _corral_v1_Compare_Target[keyof typeof _corral_v1_Compare_Target]

export interface Compare {
  'path'?: (string);
  'target'?: (_corral_v1_Compare_Target);
  'op'?: (_corral_v1_Compare_Op);
  'exists'?: (boolean);
  'number'?: (number | string | Long);
  'value'?: (Buffer | Uint8Array | string);
}

export interface Compare__Output {
  'path': (string);
  'target': (_corral_v1_Compare_Target__Output);
  'op': (_corral_v1_Compare_Op__Output);
  'exists': (boolean);
  'number': (number);
  'value': (Buffer);
}
