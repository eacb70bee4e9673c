import { Harness, bytes, cmd, op, testLimits } from './helpers';

describe('txn', () => {
  it('applies the success branch when every check holds, as one revision', () => {
    const h = new Harness();
    h.ok(cmd.create('/cfg/a', 'v1', { makeParents: true }));
    const output = h.apply(
      cmd.txn(
        [
          { target: 'exists', path: '/cfg/a' },
          { target: 'not-exists', path: '/cfg/b' },
          { target: 'version', path: '/cfg/a', compare: 'eq', operand: 1 },
          { target: 'value', path: '/cfg/a', compare: 'eq', operand: bytes('v1') },
          { target: 'modRevision', path: '/cfg/a', compare: 'lt', operand: 2 },
          { target: 'createRevision', path: '/cfg/b', compare: 'eq', operand: 0 },
        ],
        [op.set('/cfg/a', 'v2', 1), op.create('/cfg/b', 'new'), op.put('/cfg/c/d', 'deep'), op.create('/cfg/seq-', '', { sequential: true })],
        [op.del('/cfg/a')],
      ),
    );
    expect(output.result).toEqual({
      ok: true, kind: 'txn', succeeded: true, revision: 2,
      results: [
        { ok: true, kind: 'set', revision: 2, version: 2 },
        { ok: true, kind: 'create', path: '/cfg/b', revision: 2 },
        { ok: true, kind: 'put', revision: 2, version: 1, created: true, ephemeralOwner: 0 },
        { ok: true, kind: 'create', path: '/cfg/seq-0000000000', revision: 2 },
      ],
    });
    expect(output.events.map((event) => [event.type, event.path])).toEqual([
      ['UPDATE', '/cfg/a'], ['ADD', '/cfg/b'], ['ADD', '/cfg/c'], ['ADD', '/cfg/c/d'], ['ADD', '/cfg/seq-0000000000'],
    ]);
    expect(new Set(output.events.map((event) => event.revision))).toEqual(new Set([2]));
    expect(h.sm.revision).toBe(2);
  });

  it('applies the failure branch when a check fails (etcd else)', () => {
    const h = new Harness();
    h.ok(cmd.create('/a', 'x'));
    const result = h.ok(cmd.txn([{ target: 'value', path: '/a', compare: 'eq', operand: bytes('y') }], [op.del('/a')], [op.set('/a', 'was-not-y')]));
    expect(result).toMatchObject({ succeeded: false, results: [{ kind: 'set', version: 2 }] });
    expect(h.value('/a')).toBe('was-not-y');
  });

  it('compares like etcd on missing nodes: numbers as 0, values never match', () => {
    const h = new Harness();
    const holds = (check: Parameters<typeof cmd.txn>[0][number]): boolean => h.ok(cmd.txn([check], [], [])).succeeded as boolean;
    expect(holds({ target: 'version', path: '/m', compare: 'eq', operand: 0 })).toBe(true);
    expect(holds({ target: 'modRevision', path: '/m', compare: 'eq', operand: 0 })).toBe(true);
    expect(holds({ target: 'value', path: '/m', compare: 'eq', operand: new Uint8Array(0) })).toBe(false);
    expect(holds({ target: 'value', path: '/m', compare: 'ne', operand: bytes('x') })).toBe(false);
    h.ok(cmd.create('/m', 'abc'));
    expect(holds({ target: 'value', path: '/m', compare: 'gt', operand: bytes('ab') })).toBe(true);
    expect(holds({ target: 'value', path: '/m', compare: 'lt', operand: bytes('abd') })).toBe(true);
    expect(holds({ target: 'value', path: '/m', compare: 'ne', operand: bytes('abc') })).toBe(false);
    expect(holds({ target: 'version', path: '/m', compare: 'gt', operand: 0 })).toBe(true);
    expect(holds({ target: 'createRevision', path: '/m', compare: 'ne', operand: 1 })).toBe(false);
    // A txn whose branch is empty changes nothing and keeps the revision.
    expect(h.sm.revision).toBe(1);
  });

  it('fails as a whole, changing nothing, when any op of the branch fails', () => {
    const h = new Harness();
    h.ok(cmd.create('/a', 'x'));
    const message = h.fails(cmd.txn([], [op.set('/a', 'changed'), op.create('/a/new'), op.create('/a/q/', '', { sequential: true, makeParents: true }), op.create('/a')]), 'already-exists');
    expect(message).toBe('txn success op 3 (create /a): /a already exists');
    expect(h.value('/a')).toBe('x');
    expect(h.sm.exists('/a/new')).toBe(false);
    expect(h.sm.exists('/a/q')).toBe(false);
  });

  it('validates sizes and keeps to one namespace', () => {
    const h = new Harness(testLimits({ txnOpsMax: 2 }));
    h.fails(cmd.txn([], [op.create('/a'), op.create('/b/x', '', { makeParents: true })]), 'invalid-argument');
    expect(h.fails(cmd.txn([], [op.create('/a/1'), op.create('/a/2'), op.create('/a/3')]), 'invalid-argument')).toContain('txnOpsMax 2');
    expect(h.fails(cmd.txn([{ target: 'exists', path: '/b' }], [op.create('/a')]), 'invalid-argument')).toContain('namespaces a, b');
    h.fails(cmd.txn([{ target: 'exists', path: 'bad' }], []), 'invalid-argument');
    h.fails(cmd.txn([], [], [op.set('/', 'x')]), 'invalid-argument');
    expect(h.sm.revision).toBe(0);
  });

  it('supports delete-then-recreate and other sequences within one txn', () => {
    const h = new Harness();
    h.ok(cmd.create('/a/b', 'old', { makeParents: true }));
    const output = h.apply(cmd.txn([{ target: 'version', path: '/a/b', compare: 'eq', operand: 1 }], [op.del('/a/b'), op.create('/a/b', 'new')]));
    expect(output.events.map((event) => event.type)).toEqual(['REMOVE', 'ADD']);
    expect(h.sm.stat('/a/b')).toMatchObject({ version: 1, createRevision: 2 });
  });
});
