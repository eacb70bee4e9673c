// The meta state machine's membership and catalog commands: what is refused and why, the
// epoch guard on replica changes, and a snapshot that restores the same layout.

import { emptyLayout, initialLayout } from '../../server/meta/layout';
import { MetaStateMachine, encodeMetaCommand, type MetaCommand, type MetaResult } from '../../server/meta/meta-state-machine';
import { groupForNamespace } from '../../server/meta/shard-map';
import { CorralError } from '../../server/util/errors';

function machine(): MetaStateMachine {
  return new MetaStateMachine(
    initialLayout({ clusterId: 'c', members: [1, 2, 3].map((id) => ({ id, address: `h:${id}` })), kvGroups: 2, replication: 3 }),
  );
}

function apply(sm: MetaStateMachine, command: MetaCommand): MetaResult {
  return sm.applyEntry(sm.appliedIndex + 1, 1, encodeMetaCommand(command)) as MetaResult;
}

describe('meta state machine', () => {
  test('a member id is never reused, and an address belongs to one live member', () => {
    const sm = machine();
    expect(apply(sm, { type: 'add-member', id: 4, address: 'h:4' })).toEqual({ ok: true });
    expect(apply(sm, { type: 'add-member', id: 4, address: 'h:40' })).toEqual({ ok: false, message: 'node id 4 is already a member' });
    expect(apply(sm, { type: 'add-member', id: 5, address: 'h:4' })).toEqual({ ok: false, message: 'address h:4 is already used by another member' });
    expect(apply(sm, { type: 'set-member-state', id: 4, state: 'leaving' })).toEqual({ ok: true });
    expect(apply(sm, { type: 'set-member-state', id: 4, state: 'removed' })).toEqual({ ok: true });
    expect(apply(sm, { type: 'set-member-state', id: 4, state: 'active' })).toEqual({ ok: false, message: 'member 4 was removed' });
    expect(apply(sm, { type: 'add-member', id: 4, address: 'h:4' }).ok).toBe(false);
    expect(apply(sm, { type: 'add-member', id: 5, address: 'h:4' })).toEqual({ ok: true }); // a removed member's address is free
    expect(sm.member(4)?.state).toBe('removed');
  });

  test('replica changes are compare-and-set on the epoch, and keep at least one voter', () => {
    const sm = machine();
    expect(apply(sm, { type: 'set-group-replicas', id: 1, voters: [1, 2], learners: [], expectedEpoch: 2 })).toEqual({ ok: false, message: 'group 1 epoch is 1, not 2' });
    expect(apply(sm, { type: 'set-group-replicas', id: 1, voters: [], learners: [], expectedEpoch: 1 }).ok).toBe(false);
    expect(apply(sm, { type: 'set-group-replicas', id: 1, voters: [1, 2], learners: [], expectedEpoch: 1 })).toEqual({ ok: true });
    expect(sm.group(1)).toMatchObject({ voters: [1, 2], epoch: 2 });
  });

  test('a created group needs a fresh id above the meta group and a voter', () => {
    const sm = machine();
    const group = { id: 3, voters: [1, 2, 3], learners: [], epoch: 1, preferredLeader: 1 };
    expect(apply(sm, { type: 'create-group', group: { ...group, id: 0 } }).ok).toBe(false);
    expect(apply(sm, { type: 'create-group', group: { ...group, voters: [] } }).ok).toBe(false);
    expect(apply(sm, { type: 'create-group', group })).toEqual({ ok: true });
    expect(apply(sm, { type: 'create-group', group })).toEqual({ ok: false, message: 'group 3 already exists' });
  });

  test('every applied change is announced, and a snapshot restores the same layout', () => {
    const sm = machine();
    const seen: number[] = [];
    sm.onChange((layout) => seen.push(layout.members.length));
    apply(sm, { type: 'add-member', id: 4, address: 'h:4' });
    apply(sm, { type: 'add-member', id: 4, address: 'h:4' }); // refused: no announcement
    const copy = new MetaStateMachine(emptyLayout('c'));
    copy.restore(sm.snapshot(), sm.appliedIndex);
    expect(copy.layout).toEqual(sm.layout);
    expect(seen).toEqual([4]);
  });

  test('routing before the catalog arrived is a retryable UNAVAILABLE, not a crash', () => {
    expect(() => groupForNamespace(emptyLayout('c').slots, 'services')).toThrow(CorralError);
    expect(() => groupForNamespace([], 'services')).toThrow(/no shard map yet/);
  });
});
