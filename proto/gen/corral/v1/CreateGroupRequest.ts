// Original file: proto/corral/v1/corral.proto


export interface CreateGroupRequest {
  'replication'?: (number);
}

export interface CreateGroupRequest__Output {
  'replication': (number);
}
