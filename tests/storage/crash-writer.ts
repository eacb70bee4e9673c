// Child process of the crash-safety test (node-store-crash.test.ts); not a test itself.
// Continues the logs of three groups from whatever the store holds, writing one group-commit
// batch after another, and prints one line per batch AFTER `write` resolved:
//   ack <batch> <last0> <last1> <last2> <snapshotIndex1> <term2>
// The parent SIGKILLs it at some point and checks that every acknowledged record survived.
//   group 0: appends 5 entries per batch (term 1)
//   group 1: appends 3 entries per batch (term 1); every 20th batch also saves a snapshot at
//            its current last index, in the same write (chunked: 10 KiB in 4 KiB chunks)
//   group 2: appends 2 entries per batch; every 7th batch overwrites its last entry in a
//            higher term first (a truncation). Its commit stays one below its last index,
//            so a truncation never touches a committed entry.
// Commits: group 0 and 1 commit their last index.
// Entry data is entryData(group, index, term), so the parent can check any entry.

import { NodeStore } from '../../server/storage/node-store';
import type { GroupWrite } from '../../server/storage/storage-types';
import { CRASH_SNAPSHOT_BYTES, makeEntries, patternData } from './store-fixtures';

const BATCHES_MAX = 100_000;
const GROUPS = [0, 1, 2] as const;

interface GroupCursor {
  last: number;
  term: number;
  snapshotIndex: number;
}

async function resume(store: NodeStore): Promise<GroupCursor[]> {
  const cursors: GroupCursor[] = [];
  for (const groupId of GROUPS) {
    const loaded = await store.loadGroup(groupId);
    if (loaded.corruption !== null) throw new Error(`group ${groupId} corrupt: ${JSON.stringify(loaded.corruption)}`);
    const { snapshot, entries } = loaded.initial;
    const lastEntry = entries[entries.length - 1];
    cursors.push({ last: snapshot.index + entries.length, term: Math.max(1, lastEntry?.term ?? snapshot.term), snapshotIndex: snapshot.index });
  }
  return cursors;
}

function nextWrites(batch: number, [g0, g1, g2]: GroupCursor[]): GroupWrite[] {
  const writes: GroupWrite[] = [];
  writes.push({ groupId: 0, entries: makeEntries(0, g0!.last + 1, 5, 1), hardState: { term: 1, vote: 1, commit: g0!.last + 5 } });
  g0!.last += 5;

  const snapshot = batch % 20 === 0 && g1!.last > g1!.snapshotIndex
    ? { meta: { index: g1!.last, term: 1, conf: { voters: [1, 2, 3], learners: [] } }, data: patternData(CRASH_SNAPSHOT_BYTES, g1!.last) }
    : undefined;
  if (snapshot !== undefined) g1!.snapshotIndex = g1!.last;
  writes.push({ groupId: 1, entries: makeEntries(1, g1!.last + 1, 3, 1), hardState: { term: 1, vote: 1, commit: g1!.last + 3 }, ...(snapshot ? { snapshot } : {}) });
  g1!.last += 3;

  const truncate = batch % 7 === 0 && g2!.last > 0;
  if (truncate) g2!.term += 1;
  const from = truncate ? g2!.last : g2!.last + 1;
  writes.push({ groupId: 2, entries: makeEntries(2, from, 2, g2!.term), hardState: { term: g2!.term, vote: 1, commit: from } });
  g2!.last = from + 1;
  return writes;
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (dir === undefined) throw new Error('usage: crash-writer <dir>');
  const store = await NodeStore.open({ dir, snapshotChunkBytes: 4096 });
  const cursors = await resume(store);
  for (let batch = 1; batch <= BATCHES_MAX; batch++) {
    await store.write(nextWrites(batch, cursors));
    const [g0, g1, g2] = cursors;
    process.stdout.write(`ack ${batch} ${g0!.last} ${g1!.last} ${g2!.last} ${g1!.snapshotIndex} ${g2!.term}\n`);
  }
  await store.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`crash-writer failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
