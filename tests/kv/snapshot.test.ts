import { KvCodecError, ByteWriter } from '../../server/kv/byte-codec';
import type { KvCommand, NodeOp, TxnCheck } from '../../server/kv/commands';
import { KvStateMachine } from '../../server/kv/state-machine';
import { SeededRandom } from '../../server/util/random';
import { Harness, cmd, op, testLimits } from './helpers';

function same(a: KvStateMachine, b: KvStateMachine): void {
  expect(Buffer.from(a.snapshot()).equals(Buffer.from(b.snapshot()))).toBe(true);
}

/** Builds a state with every kind of memory: counters, sessions, remembered requests,
 *  expired ids, locks with waiters and deadlines. */
function richState(): Harness {
  const h = new Harness();
  const [a, b, c, dead] = [h.openSession(4000, 10), h.openSession(6000, 10), h.openSession(5000, 10), h.openSession(5000, 10)];
  h.ok(cmd.create('/jobs/job-', 'j', { sequential: true, makeParents: true }));
  h.ok(cmd.create('/jobs/job-', 'j', { sequential: true, request: { sessionId: a, requestId: 1 } }));
  h.ok(cmd.put('/nodes/a', 'node-a', { ephemeralOwner: a }));
  h.ok(cmd.put('/nodes/b', 'node-b', { ephemeralOwner: b }));
  h.ok(cmd.acquire('/locks/x', a, 1, { maxHoldMs: 1000, nowMs: 20 }));
  h.ok(cmd.acquire('/locks/x', b, 1, { waitTimeoutMs: 9000, nowMs: 20 }));
  h.ok(cmd.acquire('/locks/x', c, 1, { nowMs: 20 }));
  h.ok(cmd.acquire('/locks/y', c, 2, { nowMs: 20 }));
  h.ok(cmd.expire([dead], 30));
  h.ok(cmd.keepalive([a, b], 40));
  return h;
}

describe('snapshot / restore', () => {
  it('restores an indistinguishable state machine', () => {
    const h = richState();
    const restored = KvStateMachine.restore(h.sm.snapshot(), h.limits);
    same(h.sm, restored);
    expect(restored.appliedIndex).toBe(h.sm.appliedIndex);
    expect(restored.revision).toBe(h.sm.revision);
    expect(restored.sessions()).toEqual(h.sm.sessions());
    expect(restored.locks()).toEqual(h.sm.locks());
    expect(restored.list('/jobs')).toEqual(h.sm.list('/jobs'));
    expect(restored.dueLockTimeouts(100_000, 10)).toEqual(h.sm.dueLockTimeouts(100_000, 10));
    expect(restored.checkInvariants()).toEqual([]);

    // The same commands give the same outputs on both: counters, request memory, expired
    // ids, FIFO queues and deadlines all survived.
    const [a, b, c, dead] = [1, 2, 3, 4];
    const followUps: KvCommand[] = [
      cmd.create('/jobs/job-', 'j', { sequential: true }),
      cmd.create('/jobs/job-', 'j', { sequential: true, request: { sessionId: a, requestId: 1 } }),
      cmd.create('/x', '', { ephemeralOwner: dead }),
      cmd.expireHolds([{ name: '/locks/x', token: 9 }], 50),
      cmd.release('/locks/y', 12),
      cmd.expire([b], 60),
      cmd.close(c, 70),
      cmd.acquire('/locks/x', a, 5),
    ];
    let index = h.sm.appliedIndex;
    for (const command of followUps) {
      index += 1;
      const expected = h.sm.apply(index, command);
      const actual = restored.apply(index, command);
      expect(actual).toEqual(expected);
    }
    same(h.sm, restored);
  });

  it('is canonical: the same state reached in a different order gives the same bytes', () => {
    const one = new Harness();
    one.ok(cmd.txn([], [op.create('/a'), op.create('/a/b'), op.create('/a/c'), op.create('/a/d')]));
    one.ok(cmd.del('/a/d'));
    const two = new Harness();
    two.ok(cmd.txn([], [op.create('/a'), op.create('/a/d'), op.create('/a/c'), op.create('/a/b')]));
    // A rolled-back txn removes and re-inserts nodes internally; the image must not notice.
    two.fails(cmd.txn([], [op.del('/a/b'), op.del('/a/c'), op.create('/a')]), 'already-exists');
    two.ok(cmd.del('/a/d'));
    expect(one.sm.list('/a')).toEqual(two.sm.list('/a'));
    one.sm.skipEntry(two.sm.appliedIndex);
    same(one.sm, two.sm);
  });

  it('refuses malformed images with KvCodecError', () => {
    const bytesOf = richState().sm.snapshot();
    expect(() => KvStateMachine.restore(Uint8Array.of(1, 2, 3))).toThrow(KvCodecError);
    for (const length of [5, 20, Math.floor(bytesOf.length / 2), bytesOf.length - 1]) {
      expect(() => KvStateMachine.restore(bytesOf.subarray(0, length), testLimits())).toThrow(KvCodecError);
    }
    const writer = new ByteWriter();
    for (const byte of [0x43, 0x4b, 0x56, 0x53, 1, 5, 0, 2]) writer.u8(byte);
    writer.string('/a/b'); // a child before its parent
    writer.bytes(new Uint8Array(0));
    expect(() => KvStateMachine.restore(writer.finish())).toThrow(KvCodecError);
  });
});

// ---------------------------------------------------------------------------------------
// Randomized: random command sequences applied to two state machines, one restored from the
// other's snapshot midway, stay identical (results, events, grants, final image); every
// failure changes nothing; every invariant holds after every apply.

const PATHS = ['/a', '/a/x', '/a/y', '/a/x/1', '/a/x/2', '/b', '/b/z', '/b/z/q'];
const LOCKS = ['/l/1', '/l/2'];

class CommandGenerator {
  private readonly sessionIds: number[] = [1];
  private liveSessionIds: number[] = [];
  private readonly tokens: number[] = [1];

  constructor(private readonly random: SeededRandom) {}

  observe(index: number, command: KvCommand, machine: KvStateMachine): void {
    if (command.type === 'sessionOpen') this.sessionIds.push(index);
    this.liveSessionIds = machine.sessions().map((session) => session.id);
    for (const lock of machine.locks()) if (lock.holder !== null) this.tokens.push(lock.holder.token);
    if (this.tokens.length > 32) this.tokens.splice(0, this.tokens.length - 32);
  }

  next(nowMs: number): KvCommand {
    const r = this.random;
    const path = this.pick(PATHS);
    const value = this.pick(['', 'v', 'value-2', 'x'.repeat(40)]);
    // Mostly live sessions (so that commands succeed), sometimes any id ever seen.
    const session = this.liveSessionIds.length > 0 && r.chance(0.8) ? this.pick(this.liveSessionIds) : this.pick(this.sessionIds);
    const owner = r.chance(0.4) ? session : 0;
    const guard = r.chance(0.1) ? { lockName: this.pick(LOCKS), token: this.pick(this.tokens) } : null;
    const request = r.chance(0.3) ? { sessionId: session, requestId: r.nextInt(6) } : null;
    const version = r.chance(0.5) ? null : r.nextInt(4);
    switch (r.nextInt(14)) {
      case 0:
      case 1:
        return cmd.create(r.chance(0.2) ? `${path}/s-` : path, value, { ephemeralOwner: owner, sequential: r.chance(0.2), makeParents: r.chance(0.5), guard, request });
      case 2:
        return cmd.set(path, value, { expectedVersion: version, guard, request });
      case 3:
        return cmd.put(path, value, { ephemeralOwner: owner, guard, request });
      case 4:
        return cmd.del(path, { expectedVersion: version, recursive: r.chance(0.5), ifExists: r.chance(0.3), guard, request });
      case 5:
        return this.txn(guard, request);
      case 6:
        return cmd.open(this.pick([1000, 3000]), nowMs);
      case 7:
        return cmd.keepalive([session, this.pick(this.sessionIds)], nowMs);
      case 8:
        return r.chance(0.5) ? cmd.close(session, nowMs) : cmd.expire([session, this.pick(this.sessionIds)], nowMs);
      case 9:
      case 10:
        return cmd.acquire(this.pick(LOCKS), session, r.nextInt(3), { maxHoldMs: this.pick([0, 500]), waitTimeoutMs: this.pick([null, 0, 300]), nowMs });
      case 11:
        return cmd.release(this.pick(LOCKS), this.pick(this.tokens), nowMs);
      case 12:
        return cmd.cancelWait(this.pick(LOCKS), session, r.nextInt(3), nowMs);
      default:
        return cmd.expireHolds([{ name: this.pick(LOCKS), token: this.pick(this.tokens) }], nowMs);
    }
  }

  private txn(guard: { lockName: string; token: number } | null, request: { sessionId: number; requestId: number } | null): KvCommand {
    const r = this.random;
    const namespace = this.pick(['/a', '/b']);
    const paths = PATHS.filter((path) => path.startsWith(namespace));
    const checks: TxnCheck[] = [];
    for (let index = r.nextInt(3); index > 0; index -= 1) {
      checks.push(
        r.chance(0.5)
          ? { target: this.pick(['exists', 'not-exists'] as const), path: this.pick(paths) }
          : { target: this.pick(['version', 'modRevision', 'createRevision'] as const), path: this.pick(paths), compare: this.pick(['eq', 'ne', 'lt', 'gt'] as const), operand: r.nextInt(5) },
      );
    }
    const branch = (): NodeOp[] =>
      Array.from({ length: r.nextInt(3) }, () =>
        this.pick([
          op.create(this.pick(paths), 'c', { makeParents: r.chance(0.5) }),
          op.set(this.pick(paths), 's'),
          op.put(this.pick(paths), 'p'),
          op.del(this.pick(paths), { recursive: true, ifExists: r.chance(0.5) }),
        ]),
      );
    return cmd.txn(checks, branch(), branch(), { guard, request });
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.random.nextInt(items.length)];
  }
}

function runRandom(seed: number, steps: number): { failures: number; events: number } {
  const random = new SeededRandom(seed);
  const limits = testLimits({ ephemeralsPerSessionMax: 3, locksWaitersMax: 3, requestIdsPerSessionMax: 3, expiredSessionsRememberedMax: 4, nodesMax: 12, recursiveDeleteNodesMax: 6 });
  const generator = new CommandGenerator(random.fork());
  let primary = new KvStateMachine(limits);
  let replica: KvStateMachine | null = null;
  let failures = 0;
  let events = 0;
  let nowMs = 0;
  const restoreAt = Math.floor(steps / 3) + random.nextInt(Math.floor(steps / 3));
  for (let index = 1; index <= steps; index += 1) {
    nowMs += random.nextInt(200);
    if (index === restoreAt) replica = KvStateMachine.restore(primary.snapshot(), limits);
    if (random.chance(0.03)) {
      primary.skipEntry(index);
      replica?.skipEntry(index);
      continue;
    }
    const command = generator.next(nowMs);
    const before = random.chance(0.2) ? primary.snapshot() : null;
    const output = primary.apply(index, command);
    expect(primary.checkInvariants()).toEqual([]);
    if (!output.result.ok) {
      failures += 1;
      if (before !== null) {
        const control = KvStateMachine.restore(before, limits);
        control.skipEntry(index);
        same(primary, control);
      }
    }
    events += output.events.length;
    if (replica !== null) expect(replica.apply(index, command)).toEqual(output);
    generator.observe(index, command, primary);
    if (index % 97 === 0) {
      // Occasionally swap roles: the primary continues from its own snapshot.
      primary = KvStateMachine.restore(primary.snapshot(), limits);
    }
  }
  if (replica === null) throw new Error('replica never created');
  same(primary, replica);
  expect(replica.sessions()).toEqual(primary.sessions());
  expect(replica.locks()).toEqual(primary.locks());
  return { failures, events };
}

describe('randomized equivalence', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])('seed %i: restored and original stay identical', (seed) => {
    const { failures, events } = runRandom(seed, 600);
    // The run must exercise both outcomes, or it proves little.
    expect(failures).toBeGreaterThan(100);
    expect(events).toBeGreaterThan(60);
  });
});

