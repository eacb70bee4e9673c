// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface SnapshotRequest {
  'group_ids'?: (number | string | Long)[];
  'local_only'?: (boolean);
  'serializable'?: (boolean);
}

export interface SnapshotRequest__Output {
  'group_ids': (number)[];
  'local_only': (boolean);
  'serializable': (boolean);
}
