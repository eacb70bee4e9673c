// ZooKeeper's standard lock recipe: each contender creates a sequential ephemeral node under
// the lock's node; the lowest sequence holds the lock; every other contender watches only the
// node just before its own (no thundering herd) and re-checks when that node goes.

import { assert } from '../../../server/util/assert';
import { nowMs } from '../../util/time';
import type { ZkClient } from './zk-client';
import { ERR_NONODE, ZkError } from './zk-protocol';

/** Most re-checks of the queue for one acquire (each follows a predecessor leaving). */
export const LOCK_RECHECKS_MAX = 100_000;
const SEQUENCE_DIGITS = 10;

function sequenceOf(name: string): number {
  return Number(name.slice(-SEQUENCE_DIGITS));
}

/** Waits for `path` to be deleted, or for `remainingMs` to pass (then rejects). */
function waitForDelete(client: ZkClient, path: string, armed: Promise<boolean>, remainingMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (error?: Error): void => {
      clearTimeout(timer);
      stopEvents();
      stopClose();
      if (error === undefined) resolve();
      else reject(error);
    };
    const stopEvents = client.onEvent((event) => {
      if (event.path === path && event.type === 'deleted') done();
    });
    const stopClose = client.onClose((reason) => done(new ZkError('CONNECTIONLOSS', -4, 'lock', reason)));
    timer = setTimeout(() => done(new ZkError('OPERATIONTIMEOUT', -7, 'lock', `${path} still held after the wait`)), Math.max(1, remainingMs));
    armed.then((exists) => { if (!exists) done(); }, (error: Error) => done(error));
  });
}

/** Acquires the lock whose node is `lockPath`; resolves with the path of our queue node. */
export async function acquireZkLock(client: ZkClient, lockPath: string, timeoutMs: number): Promise<string> {
  const deadline = nowMs() + timeoutMs;
  const mine = await client.create(`${lockPath}/lock-`, Buffer.alloc(0), 'ephemeral-sequential');
  const myName = mine.slice(lockPath.length + 1);
  for (let check = 0; check < LOCK_RECHECKS_MAX; check++) {
    const children = (await client.getChildren(lockPath, false)).filter((name) => name.startsWith('lock-'));
    children.sort((a, b) => sequenceOf(a) - sequenceOf(b));
    const position = children.indexOf(myName);
    assert(position >= 0, `our lock node ${mine} is missing from ${lockPath}`);
    if (position === 0) return mine;
    const remainingMs = deadline - nowMs();
    if (remainingMs <= 0) break;
    const previous = `${lockPath}/${children[position - 1]}`;
    // Listen before asking, so the deletion cannot slip between the answer and the listener.
    await waitForDelete(client, previous, client.exists(previous, true), remainingMs);
  }
  await client.delete(mine).catch(() => undefined);
  throw new ZkError('OPERATIONTIMEOUT', -7, 'lock', `${lockPath}: not acquired within ${timeoutMs} ms`);
}

export async function releaseZkLock(client: ZkClient, nodePath: string): Promise<void> {
  try {
    await client.delete(nodePath);
  } catch (error) {
    if (!(error instanceof ZkError && error.code === ERR_NONODE)) throw error;
  }
}
