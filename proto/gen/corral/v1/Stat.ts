// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface Stat {
  'version'?: (number | string | Long);
  'create_revision'?: (number | string | Long);
  'mod_revision'?: (number | string | Long);
  'ephemeral_owner'?: (number | string | Long);
  'num_children'?: (number);
  'data_length'?: (number);
}

export interface Stat__Output {
  'version': (number);
  'create_revision': (number);
  'mod_revision': (number);
  'ephemeral_owner': (number);
  'num_children': (number);
  'data_length': (number);
}
