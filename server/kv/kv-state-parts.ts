// The pieces of a KV state machine, handed to the snapshot codec and the invariant checker
// (which live in their own files but need to see inside).

import type { KvLimits } from './limits';
import type { LockTable } from './lock-table';
import type { NodeTree } from './node-tree';
import type { SessionTable } from './session-table';

export interface KvStateParts {
  readonly tree: NodeTree;
  readonly sessions: SessionTable;
  readonly locks: LockTable;
  readonly limits: KvLimits;
  readonly appliedIndex: number;
  readonly revision: number;
}
