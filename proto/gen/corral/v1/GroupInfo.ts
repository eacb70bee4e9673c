// Original file: proto/corral/v1/corral.proto

import type { Long } from '@grpc/proto-loader';

export interface GroupInfo {
  'id'?: (number | string | Long);
  'voters'?: (number | string | Long)[];
  'learners'?: (number | string | Long)[];
  'epoch'?: (number | string | Long);
  'leader'?: (number | string | Long);
  'term'?: (number | string | Long);
  'commit'?: (number | string | Long);
  'applied'?: (number | string | Long);
  'applied_voters'?: (number | string | Long)[];
  'applied_learners'?: (number | string | Long)[];
}

export interface GroupInfo__Output {
  'id': (number);
  'voters': (number)[];
  'learners': (number)[];
  'epoch': (number);
  'leader': (number);
  'term': (number);
  'commit': (number);
  'applied': (number);
  'applied_voters': (number)[];
  'applied_learners': (number)[];
}
