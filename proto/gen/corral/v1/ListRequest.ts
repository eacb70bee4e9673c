// Original file: proto/corral/v1/corral.proto


export interface ListRequest {
  'path'?: (string);
  'page_size'?: (number);
  'after'?: (string);
  'serializable'?: (boolean);
  'with_stats'?: (boolean);
}

export interface ListRequest__Output {
  'path': (string);
  'page_size': (number);
  'after': (string);
  'serializable': (boolean);
  'with_stats': (boolean);
}
