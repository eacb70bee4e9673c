// The pure write planner: which keys a GroupWrite puts, deletes and clears, and the state
// it leaves, for appends, truncations and snapshots.

import type { GroupLogState } from '../../server/storage/group-log-state';
import { logIndexOfKey, logKey } from '../../server/storage/keys';
import type { BatchOp } from '../../server/storage/rocks-db';
import { planGroupWrite } from '../../server/storage/write-plan';
import { AssertionError } from '../../server/util/assert';
import { makeEntries } from './store-fixtures';

const options = { snapshotChunkBytes: 4 };
const empty: GroupLogState = { snapshot: null, lastIndex: 0 };
const conf = { voters: [1], learners: [] };

function logOps(ops: readonly BatchOp[], type: 'put' | 'del'): number[] {
  return ops.filter((op) => op.type === type).map((op) => logIndexOfKey(1, op.key)).filter((index): index is number => index !== null);
}

describe('planGroupWrite', () => {
  test('an append past the end puts only', () => {
    const plan = planGroupWrite({ snapshot: null, lastIndex: 3 }, { groupId: 1, entries: makeEntries(1, 4, 3, 1) }, null, options);
    expect(logOps(plan.ops, 'put')).toEqual([4, 5, 6]);
    expect(logOps(plan.ops, 'del')).toEqual([]);
    expect(plan.nextState).toEqual({ snapshot: null, lastIndex: 6 });
    expect(plan.entriesWritten).toBe(3);
  });

  test('an overlapping append deletes exactly the suffix it does not overwrite', () => {
    const plan = planGroupWrite({ snapshot: null, lastIndex: 10 }, { groupId: 1, entries: makeEntries(1, 4, 2, 2) }, null, options);
    expect(logOps(plan.ops, 'put')).toEqual([4, 5]);
    expect(logOps(plan.ops, 'del')).toEqual([6, 7, 8, 9, 10]);
    expect(plan.nextState.lastIndex).toBe(5);
  });

  test('a gap, a non-contiguous batch or a term going back is a bug', () => {
    expect(() => planGroupWrite(empty, { groupId: 1, entries: makeEntries(1, 2, 1, 1) }, null, options)).toThrow(AssertionError);
    const holes = [...makeEntries(1, 1, 1, 1), ...makeEntries(1, 3, 1, 1)];
    expect(() => planGroupWrite(empty, { groupId: 1, entries: holes }, null, options)).toThrow(/not contiguous/);
    const regress = [...makeEntries(1, 1, 1, 2), ...makeEntries(1, 2, 1, 1)];
    expect(() => planGroupWrite(empty, { groupId: 1, entries: regress }, null, options)).toThrow(AssertionError);
  });

  test('a snapshot matching the stored log keeps the tail; chunks are staged', () => {
    const data = Buffer.from('0123456789');
    const plan = planGroupWrite({ snapshot: null, lastIndex: 10 }, { groupId: 1, snapshot: { meta: { index: 6, term: 1, conf }, data } }, 1, options);
    expect(logOps(plan.ops, 'del')).toEqual([]);
    expect(plan.stagingOps.length).toBe(3);
    expect(plan.ops.length).toBe(1); // the meta
    expect(plan.nextState.lastIndex).toBe(10);
    expect(plan.nextState.snapshot).toMatchObject({ generation: 1, chunkCount: 3, dataBytes: 10, meta: { index: 6, term: 1 } });
    expect(plan.clears[0]).toEqual({ gte: logKey(1, 0), lt: logKey(1, 7) });
  });

  test('a snapshot not matching the stored log deletes the tail in the synced batch', () => {
    const plan = planGroupWrite({ snapshot: null, lastIndex: 10 }, { groupId: 1, snapshot: { meta: { index: 6, term: 2, conf }, data: Buffer.alloc(0) } }, 1, options);
    expect(logOps(plan.ops, 'del')).toEqual([7, 8, 9, 10]);
    expect(plan.stagingOps.length).toBe(0);
    expect(plan.nextState).toMatchObject({ lastIndex: 6, snapshot: { chunkCount: 0 } });
  });

  test('a snapshot then an append in one write: deletes come before the puts of the same keys', () => {
    const plan = planGroupWrite(
      { snapshot: null, lastIndex: 10 },
      { groupId: 1, snapshot: { meta: { index: 6, term: 2, conf }, data: Buffer.alloc(0) }, entries: makeEntries(1, 7, 2, 2) },
      null,
      options,
    );
    const sequence = plan.ops.map((op) => `${op.type}:${logIndexOfKey(1, op.key) ?? 'meta'}`);
    expect(sequence).toEqual(['del:7', 'del:8', 'del:9', 'del:10', 'put:meta', 'put:7', 'put:8']);
    expect(plan.nextState.lastIndex).toBe(8);
  });

  test('the next snapshot takes the next generation', () => {
    const first = planGroupWrite(empty, { groupId: 1, snapshot: { meta: { index: 0, term: 0, conf }, data: Buffer.alloc(1) } }, null, options);
    const second = planGroupWrite(first.nextState, { groupId: 1, snapshot: { meta: { index: 0, term: 0, conf }, data: Buffer.alloc(1) } }, 0, options);
    expect(second.nextState.snapshot?.generation).toBe(2);
  });

  test('a hard state commit beyond the log is a bug', () => {
    expect(() => planGroupWrite({ snapshot: null, lastIndex: 3 }, { groupId: 1, hardState: { term: 1, vote: 0, commit: 4 } }, null, options)).toThrow(/commit 4 beyond/);
    const withEntries = planGroupWrite({ snapshot: null, lastIndex: 3 }, { groupId: 1, entries: makeEntries(1, 4, 1, 1), hardState: { term: 1, vote: 0, commit: 4 } }, null, options);
    expect(withEntries.ops.length).toBe(2);
  });
});
