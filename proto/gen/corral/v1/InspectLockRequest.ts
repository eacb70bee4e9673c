// Original file: proto/corral/v1/corral.proto


export interface InspectLockRequest {
  'name'?: (string);
  'serializable'?: (boolean);
}

export interface InspectLockRequest__Output {
  'name': (string);
  'serializable': (boolean);
}
