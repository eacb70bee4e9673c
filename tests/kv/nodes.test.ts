import { Harness, bytes, cmd, testLimits, text } from './helpers';

describe('create', () => {
  it('creates a node, bumps the revision once and emits ADD with the value', () => {
    const h = new Harness();
    const output = h.apply(cmd.create('/services', 'root-data'));
    expect(output.result).toEqual({ ok: true, kind: 'create', path: '/services', revision: 1 });
    expect(output.events).toEqual([
      { type: 'ADD', path: '/services', revision: 1, value: bytes('root-data'), prevValue: null, version: 1, createRevision: 1, ephemeralOwner: 0 },
    ]);
    expect(h.sm.revision).toBe(1);
    expect(h.sm.stat('/services')).toEqual({ version: 1, createRevision: 1, modRevision: 1, ephemeralOwner: 0, numChildren: 0, dataLength: 9 });
    expect(h.sm.stat('/')).toMatchObject({ numChildren: 1 });
    expect(h.sm.exists('/services')).toBe(true);
    expect(h.sm.exists('/nope')).toBe(false);
  });

  it('fails without changing anything: exists, no parent, bad path, root, too large', () => {
    const h = new Harness(testLimits({ valueBytesMax: 8 }));
    h.ok(cmd.create('/a', 'x'));
    expect(h.fails(cmd.create('/a', 'y'), 'already-exists')).toBe('/a already exists');
    expect(h.fails(cmd.create('/a/b/c', 'y'), 'no-parent')).toBe('parent /a/b of /a/b/c does not exist');
    expect(h.fails(cmd.create('/a//b'), 'invalid-argument')).toContain('empty segment');
    expect(h.fails(cmd.create('/'), 'invalid-argument')).toContain('root');
    expect(h.fails(cmd.create('/a/big', '123456789'), 'invalid-argument')).toContain('more than valueBytesMax 8');
    expect(h.value('/a')).toBe('x');
  });

  it('makeParents creates missing ancestors as empty persistent nodes in the same revision', () => {
    const h = new Harness();
    const output = h.apply(cmd.create('/a/b/c', 'leaf', { makeParents: true }));
    expect(output.result).toEqual({ ok: true, kind: 'create', path: '/a/b/c', revision: 1 });
    expect(output.events.map((event) => [event.type, event.path, event.revision])).toEqual([
      ['ADD', '/a', 1],
      ['ADD', '/a/b', 1],
      ['ADD', '/a/b/c', 1],
    ]);
    expect(h.value('/a/b')).toBe('');
    expect(h.sm.stat('/a')?.numChildren).toBe(1);
    // Existing ancestors are kept as they are.
    h.ok(cmd.set('/a', 'kept'));
    h.ok(cmd.create('/a/x/y', '', { makeParents: true }));
    expect(h.value('/a')).toBe('kept');
    expect(h.children('/a')).toEqual(['b', 'x']);
  });

  it('numbers sequential nodes with a 10-digit counter per parent', () => {
    const h = new Harness();
    h.ok(cmd.create('/jobs'));
    const paths = [1, 2, 3].map(() => h.ok(cmd.create('/jobs/job-', 'j', { sequential: true })).path);
    expect(paths).toEqual(['/jobs/job-0000000000', '/jobs/job-0000000001', '/jobs/job-0000000002']);
    // The counter belongs to the parent, shared by every prefix under it.
    expect(h.ok(cmd.create('/jobs/other-', '', { sequential: true })).path).toBe('/jobs/other-0000000003');
    // Another parent has its own counter; makeParents works with sequential.
    expect(h.ok(cmd.create('/queue/q/item-', '', { sequential: true, makeParents: true })).path).toBe('/queue/q/item-0000000000');
    // A prefix ending in "/" makes bare numbers.
    expect(h.ok(cmd.create('/jobs/', '', { sequential: true })).path).toBe('/jobs/0000000004');
    // Not at the top level: each node would be its own namespace.
    expect(h.fails(cmd.create('/job-', '', { sequential: true }), 'invalid-argument')).toContain('inside a namespace');
    h.fails(cmd.create('/', '', { sequential: true }), 'invalid-argument');
  });

  it('sequential creates skip names taken by hand, and failed creates do not consume numbers', () => {
    const h = new Harness();
    h.ok(cmd.create('/jobs'));
    h.ok(cmd.create('/jobs/job-0000000000'));
    h.ok(cmd.create('/jobs/job-0000000001'));
    expect(h.ok(cmd.create('/jobs/job-', '', { sequential: true })).path).toBe('/jobs/job-0000000002');
    h.fails(cmd.create('/jobs/job-', '', { sequential: true, ephemeralOwner: 999 }), 'session-not-found');
    expect(h.ok(cmd.create('/jobs/job-', '', { sequential: true })).path).toBe('/jobs/job-0000000003');
  });

  it('ephemeral nodes cannot have children', () => {
    const h = new Harness();
    const session = h.openSession();
    h.ok(cmd.create('/e', '', { ephemeralOwner: session }));
    expect(h.fails(cmd.create('/e/child'), 'ephemeral-parent')).toBe('/e is ephemeral and cannot have children');
    h.fails(cmd.create('/e/a/b', '', { makeParents: true }), 'ephemeral-parent');
    h.fails(cmd.put('/e/x', 'v'), 'ephemeral-parent');
    h.fails(cmd.create('/e/seq-', '', { sequential: true }), 'ephemeral-parent');
  });

  it('enforces nodesMax and ephemeralsPerSessionMax', () => {
    const h = new Harness(testLimits({ nodesMax: 4, ephemeralsPerSessionMax: 1, recursiveDeleteNodesMax: 2 }));
    const session = h.openSession();
    h.ok(cmd.create('/a', '', { ephemeralOwner: session }));
    expect(h.fails(cmd.create('/b', '', { ephemeralOwner: session }), 'resource-exhausted')).toContain('ephemeralsPerSessionMax');
    h.ok(cmd.create('/b'));
    expect(h.fails(cmd.create('/c/d', '', { makeParents: true }), 'resource-exhausted')).toContain('nodesMax');
    h.ok(cmd.create('/c'));
    h.fails(cmd.create('/d'), 'resource-exhausted');
  });
});

describe('set', () => {
  it('bumps the version and emits UPDATE with the previous value', () => {
    const h = new Harness();
    h.ok(cmd.create('/a', 'one'));
    const output = h.apply(cmd.set('/a', 'two', { expectedVersion: 1 }));
    expect(output.result).toEqual({ ok: true, kind: 'set', revision: 2, version: 2 });
    expect(output.events).toEqual([
      { type: 'UPDATE', path: '/a', revision: 2, value: bytes('two'), prevValue: bytes('one'), version: 2, createRevision: 1, ephemeralOwner: 0 },
    ]);
    expect(h.sm.stat('/a')).toMatchObject({ version: 2, createRevision: 1, modRevision: 2 });
    h.ok(cmd.set('/a', 'three'));
    expect(h.value('/a')).toBe('three');
  });

  it('fails on a missing node, a version mismatch and the root', () => {
    const h = new Harness();
    h.ok(cmd.create('/a', 'one'));
    expect(h.fails(cmd.set('/b', 'x'), 'not-found')).toBe('/b does not exist');
    expect(h.fails(cmd.set('/a', 'x', { expectedVersion: 5 }), 'version-mismatch')).toBe('/a is at version 1, expected 5');
    h.fails(cmd.set('/a', 'x', { expectedVersion: 0 }), 'version-mismatch');
    h.fails(cmd.set('/', 'x'), 'invalid-argument');
  });
});

describe('put (registry upsert)', () => {
  it('creates missing parents, then rewrites in place keeping the ephemeral owner', () => {
    const h = new Harness();
    const session = h.openSession();
    const created = h.apply(cmd.put('/nodes/master/10.0.0.5:5678', 'load=1', { ephemeralOwner: session }));
    expect(created.result).toEqual({ ok: true, kind: 'put', revision: 1, version: 1, created: true, ephemeralOwner: session });
    expect(created.events.map((event) => event.path)).toEqual(['/nodes', '/nodes/master', '/nodes/master/10.0.0.5:5678']);
    expect(h.sm.stat('/nodes/master')?.ephemeralOwner).toBe(0);
    // A rewrite (even one that names no owner) keeps the owner.
    const rewritten = h.apply(cmd.put('/nodes/master/10.0.0.5:5678', 'load=2'));
    expect(rewritten.result).toEqual({ ok: true, kind: 'put', revision: 2, version: 2, created: false, ephemeralOwner: session });
    expect(rewritten.events[0]).toMatchObject({ type: 'UPDATE', prevValue: bytes('load=1'), ephemeralOwner: session });
    // A persistent node stays persistent when rewritten with an owner.
    h.ok(cmd.put('/p', 'x'));
    expect(h.ok(cmd.put('/p', 'y', { ephemeralOwner: session })).ephemeralOwner).toBe(0);
  });

  it('fails for an unknown owner when it would create', () => {
    const h = new Harness();
    h.fails(cmd.put('/a/b', 'x', { ephemeralOwner: 42 }), 'session-not-found');
    expect(h.sm.exists('/a')).toBe(false);
  });
});

describe('delete', () => {
  it('removes a leaf and emits REMOVE carrying the last data', () => {
    const h = new Harness();
    h.ok(cmd.create('/a', 'last'));
    const output = h.apply(cmd.del('/a', { expectedVersion: 1 }));
    expect(output.result).toEqual({ ok: true, kind: 'delete', revision: 2, deleted: 1 });
    expect(output.events).toEqual([
      { type: 'REMOVE', path: '/a', revision: 2, value: new Uint8Array(0), prevValue: bytes('last'), version: 1, createRevision: 1, ephemeralOwner: 0 },
    ]);
    expect(h.sm.exists('/a')).toBe(false);
  });

  it('fails on missing, version mismatch, children without recursive, and the root', () => {
    const h = new Harness();
    h.ok(cmd.create('/a/b', '', { makeParents: true }));
    h.fails(cmd.del('/x'), 'not-found');
    h.fails(cmd.del('/a', { expectedVersion: 2 }), 'version-mismatch');
    expect(h.fails(cmd.del('/a'), 'not-empty')).toContain('has 1 children');
    h.fails(cmd.del('/', { recursive: true }), 'invalid-argument');
  });

  it('ifExists makes deleting a missing node a successful no-op (idempotent delete)', () => {
    const h = new Harness();
    h.ok(cmd.create('/a'));
    const output = h.apply(cmd.del('/gone', { ifExists: true, recursive: true }));
    expect(output.result).toEqual({ ok: true, kind: 'delete', revision: 1, deleted: 0 });
    expect(output.events).toEqual([]);
    expect(h.sm.revision).toBe(1);
  });

  it('recursive delete removes the subtree leaves-first in one revision', () => {
    const h = new Harness();
    h.ok(cmd.create('/a/b/c', 'c', { makeParents: true }));
    h.ok(cmd.create('/a/b/d', 'd'));
    h.ok(cmd.create('/a/e', 'e'));
    h.ok(cmd.create('/ab', 'sibling'));
    const output = h.apply(cmd.del('/a', { recursive: true }));
    expect(output.result).toEqual({ ok: true, kind: 'delete', revision: 5, deleted: 5 });
    expect(output.events.map((event) => [event.path, text(event.prevValue)])).toEqual([
      ['/a/e', 'e'],
      ['/a/b/d', 'd'],
      ['/a/b/c', 'c'],
      ['/a/b', ''],
      ['/a', ''],
    ]);
    expect(output.events.every((event) => event.type === 'REMOVE' && event.revision === 5)).toBe(true);
    expect(h.children('/')).toEqual(['ab']);
  });

  it('bounds recursive deletes by recursiveDeleteNodesMax', () => {
    const h = new Harness(testLimits({ recursiveDeleteNodesMax: 3 }));
    h.ok(cmd.create('/a/b/c/d', '', { makeParents: true }));
    expect(h.fails(cmd.del('/a', { recursive: true }), 'resource-exhausted')).toContain('recursiveDeleteNodesMax');
    h.ok(cmd.del('/a/b', { recursive: true }));
    h.ok(cmd.del('/a', { recursive: true }));
  });

  it('removing ephemeral nodes updates the owner index', () => {
    const h = new Harness();
    const session = h.openSession();
    h.ok(cmd.create('/e', '', { ephemeralOwner: session }));
    expect(h.sm.session(session)?.ephemeralCount).toBe(1);
    h.ok(cmd.del('/e'));
    expect(h.sm.session(session)?.ephemeralCount).toBe(0);
  });
});

describe('list', () => {
  it('pages through sorted children', () => {
    const h = new Harness(testLimits({ listPageMax: 3 }));
    for (const name of ['d', 'b', 'a', 'e', 'c']) h.ok(cmd.create(`/p/${name}`, '', { makeParents: true }));
    const first = h.sm.list('/p', { pageSize: 2 });
    expect(first).toEqual({ ok: true, names: ['a', 'b'], more: true, revision: 5 });
    expect(h.sm.list('/p', { pageSize: 2, after: 'b' })).toEqual({ ok: true, names: ['c', 'd'], more: true, revision: 5 });
    expect(h.sm.list('/p', { pageSize: 2, after: 'd' })).toEqual({ ok: true, names: ['e'], more: false, revision: 5 });
    // `after` need not be an existing name.
    expect(h.sm.list('/p', { after: 'bb' })).toEqual({ ok: true, names: ['c', 'd', 'e'], more: false, revision: 5 });
    expect(h.sm.list('/p')).toMatchObject({ names: ['a', 'b', 'c'], more: true });
    expect(h.sm.list('/p/a')).toEqual({ ok: true, names: [], more: false, revision: 5 });
  });

  it('rejects bad page sizes and missing paths', () => {
    const h = new Harness(testLimits({ listPageMax: 3 }));
    expect(h.sm.list('/x')).toMatchObject({ ok: false, code: 'not-found' });
    expect(h.sm.list('/', { pageSize: 4 })).toMatchObject({ ok: false, code: 'invalid-argument' });
    expect(h.sm.list('/', { pageSize: 0 })).toMatchObject({ ok: false, code: 'invalid-argument' });
  });

  it('get returns value and stat, null when missing', () => {
    const h = new Harness();
    h.ok(cmd.create('/a', 'v'));
    expect(h.sm.get('/a')).toEqual({ value: bytes('v'), stat: { version: 1, createRevision: 1, modRevision: 1, ephemeralOwner: 0, numChildren: 0, dataLength: 1 } });
    expect(h.sm.get('/b')).toBeNull();
    expect(h.sm.stat('/b')).toBeNull();
  });
});

describe('revision', () => {
  it('moves only with node changes; appliedIndex moves with every entry', () => {
    const h = new Harness();
    h.openSession();
    expect(h.sm.revision).toBe(0);
    h.ok(cmd.create('/a'));
    h.fails(cmd.create('/a'), 'already-exists');
    h.ok(cmd.keepalive([1], 10));
    h.sm.skipEntry(10);
    expect(h.sm.revision).toBe(1);
    expect(h.sm.appliedIndex).toBe(10);
    expect(() => h.sm.apply(10, cmd.create('/b'))).toThrow('apply 10 after 10');
  });
});
