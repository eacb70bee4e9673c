// Crash safety with a real process: a child writes group-commit batches in a loop and prints
// each acknowledged batch; we SIGKILL it after a number of acks, reopen the store and check
// that everything acknowledged is there and intact. Three rounds: each child resumes from
// what the previous one left behind (recovery, then more writes, then another kill).
//
// Limits: SIGKILL kills the process, not the machine: the OS page cache survives, so this
// proves the store's atomicity, ordering and recovery logic, not the disk's fsync.

import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { NodeStore } from '../../server/storage/node-store';
import { CRASH_SNAPSHOT_BYTES, entryData, makeTempDir, patternData, removeDir } from './store-fixtures';

const REPO_ROOT = resolve(__dirname, '../..');
const WRITER = join(__dirname, 'crash-writer.ts');
/** Acks to wait for before each kill (different per round so kills land at varied points). */
const ACKS_PER_ROUND = [150, 220, 90];
/** Safety bound: a child that does not reach its acks by then is killed and the test fails. */
const ROUND_DEADLINE_MS = 45_000;

interface Ack {
  readonly batch: number;
  readonly last: readonly [number, number, number];
  readonly snapshotIndex1: number;
  readonly term2: number;
}

interface RoundResult {
  readonly acks: Ack[];
  readonly stderr: string;
  readonly killedByUs: boolean;
}

let dir: string;
const children = new Set<ChildProcess>();

beforeEach(async () => {
  dir = await makeTempDir('crash');
});

afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  await removeDir(dir);
});

function parseAck(line: string): Ack | null {
  const parts = line.split(' ');
  if (parts[0] !== 'ack' || parts.length !== 7) return null;
  const [batch, last0, last1, last2, snapshotIndex1, term2] = parts.slice(1).map(Number) as [number, number, number, number, number, number];
  return { batch, last: [last0, last1, last2], snapshotIndex1, term2 };
}

/** Runs the writer until it has printed `acksWanted` acks, then SIGKILLs it. */
function runAndKill(acksWanted: number): Promise<RoundResult> {
  return new Promise((resolveRound, rejectRound) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const acks: Ack[] = [];
    let pending = '';
    let stderr = '';
    let killedByUs = false;
    const kill = (): void => {
      killedByUs = true;
      child.kill('SIGKILL');
    };
    const deadline = setTimeout(kill, ROUND_DEADLINE_MS);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => {
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop()!; // an incomplete last line is not an ack
      for (const line of lines) {
        const ack = parseAck(line);
        if (ack !== null) acks.push(ack);
      }
      if (acks.length >= acksWanted && !killedByUs) kill();
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => (stderr += text));
    child.on('error', (error) => {
      clearTimeout(deadline);
      rejectRound(error);
    });
    child.on('exit', () => {
      clearTimeout(deadline);
      children.delete(child);
      resolveRound({ acks, stderr, killedByUs });
    });
  });
}

async function verify(lastAck: Ack): Promise<void> {
  const store = await NodeStore.open({ dir });
  try {
    for (const groupId of [0, 1, 2] as const) {
      const loaded = await store.loadGroup(groupId);
      expect(loaded.corruption).toBeNull();
      const { snapshot, entries, hardState } = loaded.initial;
      const lastIndex = snapshot.index + entries.length;
      expect(lastIndex).toBeGreaterThanOrEqual(lastAck.last[groupId]);
      const ackedCommit = groupId === 2 ? lastAck.last[2] - 1 : lastAck.last[groupId];
      expect(hardState.commit).toBeGreaterThanOrEqual(ackedCommit);
      for (const entry of entries) {
        if (groupId !== 2) expect(entry.term).toBe(1);
        expect(Buffer.from(entry.data).equals(entryData(groupId, entry.index, entry.term))).toBe(true);
      }
      if (groupId === 2) expect(entries[entries.length - 1]!.term).toBeGreaterThanOrEqual(lastAck.term2);
    }
    const snapshot = await store.loadSnapshot(1);
    if (lastAck.snapshotIndex1 > 0) {
      expect(snapshot!.meta.index).toBeGreaterThanOrEqual(lastAck.snapshotIndex1);
      expect(Buffer.from(snapshot!.data).equals(patternData(CRASH_SNAPSHOT_BYTES, snapshot!.meta.index))).toBe(true);
    }
  } finally {
    await store.close();
  }
}

test('every acknowledged write survives SIGKILL, across three crash-and-resume rounds', async () => {
  let previous: Ack | null = null;
  for (const acksWanted of ACKS_PER_ROUND) {
    const round = await runAndKill(acksWanted);
    expect(round.stderr).toBe('');
    expect(round.killedByUs).toBe(true);
    expect(round.acks.length).toBeGreaterThanOrEqual(acksWanted);
    const lastAck = round.acks[round.acks.length - 1]!;
    // The child resumed where the previous one's durable state ended.
    if (previous !== null) expect(round.acks[0]!.last[0]).toBeGreaterThan(previous.last[0]);
    await verify(lastAck);
    previous = lastAck;
  }
  expect(previous!.snapshotIndex1).toBeGreaterThan(0);
}, 180_000);
