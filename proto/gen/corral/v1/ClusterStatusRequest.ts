// Original file: proto/corral/v1/corral.proto


export interface ClusterStatusRequest {
}

export interface ClusterStatusRequest__Output {
}
