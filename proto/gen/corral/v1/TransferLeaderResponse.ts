// Original file: proto/corral/v1/corral.proto


export interface TransferLeaderResponse {
}

export interface TransferLeaderResponse__Output {
}
