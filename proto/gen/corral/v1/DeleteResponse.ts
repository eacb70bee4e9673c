// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface DeleteResponse {
  'deleted'?: (number | string | Long);
  'revision'?: (number | string | Long);
}

export interface DeleteResponse__Output {
  'deleted': (number);
  'revision': (number);
}
