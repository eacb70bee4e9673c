// Original file: proto/corral/v1/corral.proto


export interface ReleaseLockResponse {
}

export interface ReleaseLockResponse__Output {
}
