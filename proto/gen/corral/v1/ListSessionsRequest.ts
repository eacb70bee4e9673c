// Original file: proto/corral/v1/corral.proto


export interface ListSessionsRequest {
  'namespace'?: (string);
}

export interface ListSessionsRequest__Output {
  'namespace': (string);
}
