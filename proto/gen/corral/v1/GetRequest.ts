// Original file: proto/corral/v1/corral.proto


export interface GetRequest {
  'path'?: (string);
  'serializable'?: (boolean);
}

export interface GetRequest__Output {
  'path': (string);
  'serializable': (boolean);
}
