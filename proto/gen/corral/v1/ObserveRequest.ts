// Original file: proto/corral/v1/corral.proto


export interface ObserveRequest {
  'name'?: (string);
}

export interface ObserveRequest__Output {
  'name': (string);
}
