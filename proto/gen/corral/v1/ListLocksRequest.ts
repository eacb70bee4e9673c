// Original file: proto/corral/v1/corral.proto


export interface ListLocksRequest {
  'namespace'?: (string);
}

export interface ListLocksRequest__Output {
  'namespace': (string);
}
