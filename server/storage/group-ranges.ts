// Everything one group owns on disk, for deleting a group.

import { GROUP_DATA_KINDS, KIND_DESCRIPTOR, KIND_HARD_STATE, type KeyRange, groupKey, groupRange, snapshotMetaKey } from './keys';
import type { BatchOp } from './rocks-db';

export interface GroupRanges {
  /** Deletes of the records that make a group "exist" and loadable (hard state,
   *  descriptor, snapshot meta): cheap, so they go in one synced batch. */
  readonly anchorDeletes: readonly BatchOp[];
  /** Every key range of the group (log, snapshot chunks, ...), cleared afterwards. */
  readonly all: readonly KeyRange[];
}

export function groupRangesOf(groupId: number): GroupRanges {
  return {
    anchorDeletes: [
      { type: 'del', key: groupKey(KIND_HARD_STATE, groupId) },
      { type: 'del', key: groupKey(KIND_DESCRIPTOR, groupId) },
      { type: 'del', key: snapshotMetaKey(groupId) },
    ],
    all: GROUP_DATA_KINDS.map((kind) => groupRange(kind, groupId)),
  };
}
