// Original file: proto/corral/v1/corral.proto

export const CreateMode = {
  PERSISTENT: 'PERSISTENT',
  EPHEMERAL: 'EPHEMERAL',
  PERSISTENT_SEQUENTIAL: 'PERSISTENT_SEQUENTIAL',
  EPHEMERAL_SEQUENTIAL: 'EPHEMERAL_SEQUENTIAL',
} as const;

export type CreateMode =
  | 'PERSISTENT'
  | 0
  | 'EPHEMERAL'
  | 1
  | 'PERSISTENT_SEQUENTIAL'
  | 2
  | 'EPHEMERAL_SEQUENTIAL'
  | 3

export type CreateMode__Output = typeof CreateMode[keyof typeof CreateMode]
