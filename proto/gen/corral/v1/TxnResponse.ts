// Original file: proto/corral/v1/corral.proto

import type { TxnOpResult as _corral_v1_TxnOpResult, TxnOpResult__Output as _corral_v1_TxnOpResult__Output } from '../../corral/v1/TxnOpResult';
import type { Long } from '@grpc/proto-loader';

export interface TxnResponse {
  'succeeded'?: (boolean);
  'results'?: (_corral_v1_TxnOpResult)[];
  'revision'?: (number | string | Long);
}

export interface TxnResponse__Output {
  'succeeded': (boolean);
  'results': (_corral_v1_TxnOpResult__Output)[];
  'revision': (number);
}
