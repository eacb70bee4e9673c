// Original file: proto/corral/v1/corral.proto


export interface CloseSessionResponse {
}

export interface CloseSessionResponse__Output {
}
