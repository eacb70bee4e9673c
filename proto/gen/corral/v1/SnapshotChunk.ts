// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface SnapshotChunk {
  'group_id'?: (number | string | Long);
  'kind'?: (string);
  'applied_index'?: (number | string | Long);
  'size_bytes'?: (number | string | Long);
  'offset'?: (number | string | Long);
  'data'?: (Buffer | Uint8Array | string);
  'last'?: (boolean);
  'sha256'?: (string);
  'served_by'?: (number | string | Long);
  'cluster_id'?: (string);
}

export interface SnapshotChunk__Output {
  'group_id': (number);
  'kind': (string);
  'applied_index': (number);
  'size_bytes': (number);
  'offset': (number);
  'data': (Buffer);
  'last': (boolean);
  'sha256': (string);
  'served_by': (number);
  'cluster_id': (string);
}
