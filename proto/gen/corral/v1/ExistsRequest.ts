// Original file: proto/corral/v1/corral.proto


export interface ExistsRequest {
  'path'?: (string);
  'serializable'?: (boolean);
}

export interface ExistsRequest__Output {
  'path': (string);
  'serializable': (boolean);
}
