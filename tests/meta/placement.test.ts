// The placement decisions on the meta leader, as a pure function: one test per rule, then
// whole scenarios (a node joins, a node leaves, leaders skewed) driven to convergence by
// applying each decided action to a model of the cluster.

import { initialLayout, type ClusterLayout, type GroupRecord, type MemberRecord } from '../../server/meta/layout';
import { planNewGroup } from '../../server/meta/new-group';
import { decidePlacement } from '../../server/meta/placement';
import type { MetaGroupView, ObservedGroup, PlacementAction, PlacementInput } from '../../server/meta/placement-input';
import { preferredCounts } from '../../server/meta/placement-leaders';
import type { NodeId } from '../../server/raft/types';

const STEPS_MAX = 200;

function members(...specs: [NodeId, MemberRecord['state']][]): MemberRecord[] {
  return specs.map(([id, state]) => ({ id, address: `127.0.0.1:${7000 + id}`, state }));
}

/** A cluster model: the catalog, the meta configuration and what the group leaders report. */
interface Model {
  layout: ClusterLayout;
  meta: { leader: NodeId; voters: NodeId[]; learners: NodeId[]; settled: boolean; caughtUp: Set<NodeId> };
  live: Set<NodeId>;
  observed: Map<number, ObservedGroup>;
}

function settledObservations(layout: ClusterLayout): Map<number, ObservedGroup> {
  return new Map(layout.groups.map((g) => [g.id, { leader: g.preferredLeader, term: 1, voters: [...g.voters], learners: [...g.learners] }]));
}

function modelOf(layout: ClusterLayout, overrides: Partial<Model> = {}): Model {
  const ids = layout.members.map((m) => m.id);
  return {
    layout,
    meta: {
      leader: layout.metaVoters[0],
      voters: [...layout.metaVoters],
      learners: ids.filter((id) => !layout.metaVoters.includes(id)),
      settled: true,
      caughtUp: new Set(ids),
    },
    live: new Set(ids),
    observed: settledObservations(layout),
    ...overrides,
  };
}

function inputOf(model: Model): PlacementInput {
  const meta: MetaGroupView = { ...model.meta };
  return { layout: model.layout, meta, live: model.live, observed: model.observed, limits: { movesInFlightMax: 2 } };
}

function threeNodes(kvGroups = 6): ClusterLayout {
  return initialLayout({ clusterId: 'c', members: members([1, 'active'], [2, 'active'], [3, 'active']), kvGroups, replication: 3 });
}

function withMembers(layout: ClusterLayout, list: MemberRecord[]): ClusterLayout {
  return { ...layout, members: list };
}

/** Member 3 leaves; member 4 already replaced it as a meta voter (so only KV moves remain). */
function threeLeaving(kvGroups: number): Model {
  const layout = withMembers(threeNodes(kvGroups), members([1, 'active'], [2, 'active'], [3, 'leaving'], [4, 'active']));
  const model = modelOf({ ...layout, metaVoters: [1, 2, 4] });
  model.meta.voters = [1, 2, 4];
  model.meta.learners = [3];
  return model;
}

function withGroup(layout: ClusterLayout, id: number, change: Partial<GroupRecord>): ClusterLayout {
  return { ...layout, groups: layout.groups.map((g) => (g.id === id ? { ...g, ...change } : g)) };
}

/** Applies an action to the model the way the cluster would once it settles: catalog
 *  commands change the layout; meta changes the meta configuration; a group's leader
 *  then brings its configuration to the target (observed = target). */
function apply(model: Model, action: PlacementAction): void {
  if (action.kind === 'meta-transfer') {
    model.meta.leader = action.to;
    return;
  }
  if (action.kind === 'meta-conf-change') {
    const { type, nodeId } = action.change;
    model.meta.voters = model.meta.voters.filter((id) => id !== nodeId);
    model.meta.learners = model.meta.learners.filter((id) => id !== nodeId);
    if (type === 'add-learner') model.meta.learners.push(nodeId);
    if (type === 'promote-learner') model.meta.voters.push(nodeId);
    return;
  }
  const command = action.command;
  const layout = model.layout;
  switch (command.type) {
    case 'set-group-replicas': {
      const group = layout.groups.find((g) => g.id === command.id)!;
      expect(group.epoch).toBe(command.expectedEpoch);
      model.layout = withGroup(layout, command.id, { voters: [...command.voters], learners: [...command.learners], epoch: group.epoch + 1 });
      model.observed.set(command.id, { leader: command.voters[0], term: 2, voters: [...command.voters], learners: [...command.learners] });
      return;
    }
    case 'set-preferred-leader':
      model.layout = withGroup(layout, command.id, { preferredLeader: command.nodeId });
      return;
    case 'set-member-state':
      model.layout = withMembers(layout, layout.members.map((m) => (m.id === command.id ? { ...m, state: command.state } : m)));
      return;
    case 'set-meta-voters':
      model.layout = { ...layout, metaVoters: [...command.voters] };
      return;
    default:
      throw new Error(`unexpected command ${command.type}`);
  }
}

function isRemoval(action: PlacementAction | null): boolean {
  return action?.kind === 'meta-command' && action.command.type === 'set-member-state';
}

/** Decides and applies until nothing is left to do; returns the actions taken. */
function converge(model: Model): PlacementAction[] {
  const actions: PlacementAction[] = [];
  for (let step = 0; step < STEPS_MAX; step++) {
    const action = decidePlacement(inputOf(model));
    if (action === null) return actions;
    actions.push(action);
    apply(model, action);
  }
  throw new Error(`placement did not converge in ${STEPS_MAX} steps: last ${JSON.stringify(actions.slice(-4))}`);
}

describe('placement decisions', () => {
  test('a bootstrapped cluster in place needs nothing', () => {
    expect(decidePlacement(inputOf(modelOf(threeNodes())))).toBeNull();
  });

  test('a member missing from the meta configuration joins it as a learner', () => {
    const layout = withMembers(threeNodes(), members([1, 'active'], [2, 'active'], [3, 'active'], [4, 'active']));
    const model = modelOf(layout);
    model.meta.learners = [];
    expect(decidePlacement(inputOf(model))).toMatchObject({ kind: 'meta-conf-change', change: { type: 'add-learner', nodeId: 4 } });
  });

  test('no meta configuration change while one is in flight', () => {
    const layout = withMembers(threeNodes(), members([1, 'active'], [2, 'active'], [3, 'active'], [4, 'active']));
    const model = modelOf(layout);
    model.meta.learners = [];
    model.meta.settled = false;
    const action = decidePlacement(inputOf(model));
    expect(action?.kind).not.toBe('meta-conf-change');
  });

  test('a leaving meta voter is replaced by a caught-up active learner, and only a caught-up one', () => {
    const layout = withMembers(threeNodes(), members([1, 'leaving'], [2, 'active'], [3, 'active'], [4, 'active'], [5, 'active']));
    const model = modelOf(layout);
    model.meta.caughtUp = new Set([1, 2, 3, 5]);
    expect(decidePlacement(inputOf(model))).toMatchObject({ kind: 'meta-conf-change', change: { type: 'promote-learner', nodeId: 5 } });
    model.meta.caughtUp = new Set([1, 2, 3]);
    expect(decidePlacement(inputOf(model))?.kind).not.toBe('meta-conf-change');
  });

  test('a meta voter that is down is replaced by a live learner, then steps back', () => {
    const layout = withMembers(threeNodes(), members([1, 'active'], [2, 'active'], [3, 'active'], [4, 'active']));
    const model = modelOf(layout, { live: new Set([1, 2, 4]) });
    expect(decidePlacement(inputOf(model))).toMatchObject({ kind: 'meta-conf-change', change: { type: 'promote-learner', nodeId: 4 } });
    model.meta.voters = [1, 2, 3, 4];
    model.meta.learners = [];
    expect(decidePlacement(inputOf(model))).toMatchObject({ kind: 'meta-conf-change', change: { type: 'remove-node', nodeId: 3 } });
    model.meta.voters = [1, 2, 4];
    expect(decidePlacement(inputOf(model))).toMatchObject({ kind: 'meta-conf-change', change: { type: 'add-learner', nodeId: 3 } });
  });

  test('five active members want five meta voters', () => {
    const layout = withMembers(threeNodes(), members([1, 'active'], [2, 'active'], [3, 'active'], [4, 'active'], [5, 'active']));
    expect(decidePlacement(inputOf(modelOf(layout)))).toMatchObject({ kind: 'meta-conf-change', change: { type: 'promote-learner', nodeId: 4 } });
  });

  test('a removed member leaves the meta group; the meta leader hands over first if it is the one', () => {
    const layout = withMembers(threeNodes(), members([1, 'active'], [2, 'active'], [3, 'removed'], [4, 'active']));
    const model = modelOf({ ...layout, metaVoters: [1, 2, 3, 4] });
    model.meta.voters = [1, 2, 3, 4];
    model.meta.learners = [];
    expect(decidePlacement(inputOf(model))).toMatchObject({ kind: 'meta-conf-change', change: { type: 'remove-node', nodeId: 3 } });
    model.meta.leader = 3;
    expect(decidePlacement(inputOf(model))).toEqual(expect.objectContaining({ kind: 'meta-transfer', to: 1 }));
  });

  test('the catalog records the meta voters the configuration has', () => {
    const model = modelOf({ ...threeNodes(), metaVoters: [1, 2] });
    model.meta.voters = [1, 2, 3];
    model.meta.learners = [];
    expect(decidePlacement(inputOf(model))).toMatchObject({ kind: 'meta-command', command: { type: 'set-meta-voters', voters: [1, 2, 3] } });
  });

  test('a replica on a leaving member moves to the least loaded usable member, guarded by the epoch', () => {
    const model = threeLeaving(2);
    const action = decidePlacement(inputOf(model));
    expect(action).toMatchObject({ kind: 'meta-command', command: { type: 'set-group-replicas', id: 1, voters: [1, 2, 4], expectedEpoch: 1 } });
  });

  test('a member down for too long is treated like a leaving one', () => {
    const layout = withMembers(threeNodes(2), members([1, 'active'], [2, 'active'], [3, 'active'], [4, 'active']));
    const model = modelOf({ ...layout, metaVoters: [1, 2, 4] }, { live: new Set([1, 2, 4]) });
    model.meta.voters = [1, 2, 4];
    model.meta.learners = [3];
    expect(decidePlacement(inputOf(model))).toMatchObject({ kind: 'meta-command', command: { type: 'set-group-replicas', voters: [1, 2, 4] } });
  });

  test('a group whose move is not complete is left alone, and at most movesInFlightMax groups move', () => {
    const model = threeLeaving(3);
    model.observed.set(1, { leader: 1, term: 1, voters: [1, 2], learners: [] }); // group 1 still moving
    expect(decidePlacement(inputOf(model))).toMatchObject({ command: { type: 'set-group-replicas', id: 2 } });
    model.observed.set(2, { leader: 1, term: 1, voters: [1, 2], learners: [] });
    const next = decidePlacement(inputOf(model));
    expect(next === null || (next.kind === 'meta-command' && next.command.type !== 'set-group-replicas')).toBe(true);
  });

  test('an under-replicated group gains a replica; an over-replicated one sheds one', () => {
    const base = withMembers(threeNodes(1), members([1, 'active'], [2, 'active'], [3, 'active'], [4, 'active']));
    const under = modelOf(withGroup(base, 1, { voters: [1, 2] }));
    under.meta.learners = [4];
    expect(decidePlacement(inputOf(under))).toMatchObject({ command: { type: 'set-group-replicas', voters: [1, 2, 3] } });
    const over = modelOf(withGroup(base, 1, { voters: [1, 2, 3, 4], preferredLeader: 1 }));
    over.meta.learners = [4];
    expect(decidePlacement(inputOf(over))).toMatchObject({ command: { type: 'set-group-replicas', voters: [1, 2, 3] } });
  });

  test('a leaving member is removed only once nothing targets or holds it, and every group reported', () => {
    const model = threeLeaving(2);
    const moved = { ...model.layout, groups: model.layout.groups.map((g) => ({ ...g, voters: g.voters.map((id) => (id === 3 ? 4 : id)), epoch: 2 })) };
    model.layout = moved;
    model.observed = settledObservations(moved);
    model.observed.set(1, { leader: 1, term: 2, voters: [1, 2, 3, 4], learners: [] });
    expect(isRemoval(decidePlacement(inputOf(model)))).toBe(false);
    model.observed.delete(1);
    expect(isRemoval(decidePlacement(inputOf(model)))).toBe(false);
    model.observed = settledObservations(moved);
    expect(decidePlacement(inputOf(model))).toMatchObject({ command: { type: 'set-member-state', id: 3, state: 'removed' } });
  });

  test('replicas are evened out over a new member, one move at a time', () => {
    const layout = withMembers(threeNodes(3), members([1, 'active'], [2, 'active'], [3, 'active'], [4, 'active']));
    const model = modelOf(layout);
    model.meta.learners = [4];
    const action = decidePlacement(inputOf(model));
    expect(action).toMatchObject({ kind: 'meta-command', command: { type: 'set-group-replicas' } });
    converge(model);
    const load = new Map<NodeId, number>();
    for (const g of model.layout.groups) for (const id of g.voters) load.set(id, (load.get(id) ?? 0) + 1);
    expect(Math.max(...load.values()) - Math.min(...[1, 2, 3, 4].map((id) => load.get(id) ?? 0))).toBeLessThanOrEqual(1);
  });

  test('skewed preferred leaders converge to two per node for 3 nodes and 6 groups', () => {
    const layout = threeNodes(6);
    const model = modelOf({ ...layout, groups: layout.groups.map((g) => ({ ...g, preferredLeader: 1 })) });
    const actions = converge(model);
    expect(actions.length).toBeGreaterThan(0);
    expect([...preferredCounts(model.layout, [1, 2, 3]).values()]).toEqual([2, 2, 2]);
  });

  test('a preferred leader that is not a voter, or not usable, is replaced', () => {
    const model = modelOf(withGroup(threeNodes(1), 1, { preferredLeader: 9 }));
    expect(decidePlacement(inputOf(model))).toMatchObject({ command: { type: 'set-preferred-leader', id: 1 } });
  });

  test('scenario: node 4 joins, node 1 leaves; everything ends on 2, 3, 4 with 1 removed', () => {
    const layout = withMembers(threeNodes(6), members([1, 'active'], [2, 'active'], [3, 'active'], [4, 'active']));
    const model = modelOf(layout);
    model.meta.learners = [];
    converge(model);
    expect(model.meta.learners).toEqual([4]);
    model.layout = withMembers(model.layout, model.layout.members.map((m) => (m.id === 1 ? { ...m, state: 'leaving' } : m)));
    converge(model);
    expect(model.layout.members.find((m) => m.id === 1)?.state).toBe('removed');
    expect([...model.meta.voters].sort()).toEqual([2, 3, 4]);
    expect([...model.layout.metaVoters].sort()).toEqual([2, 3, 4]);
    for (const group of model.layout.groups) {
      expect(group.voters).not.toContain(1);
      expect(group.voters).toHaveLength(3);
      expect(group.voters).toContain(group.preferredLeader);
    }
    expect([...preferredCounts(model.layout, [2, 3, 4]).values()]).toEqual([2, 2, 2]);
  });
});

describe('planning a new group', () => {
  test('least loaded members, the next id, a preferred leader that evens out leadership', () => {
    const layout = withMembers(threeNodes(2), members([1, 'active'], [2, 'active'], [3, 'active'], [4, 'active']));
    const plan = planNewGroup(layout, [1, 2, 3, 4], 0);
    // Loads 2, 2, 2, 0: member 4 first, then the lowest ids; 4 leads nothing yet.
    expect(plan).toEqual({ ok: true, group: { id: 3, voters: [1, 2, 4], learners: [], epoch: 1, preferredLeader: 4 } });
  });

  test('more replicas than usable members is refused with the numbers', () => {
    const plan = planNewGroup(threeNodes(1), [1, 2], 3);
    expect(plan).toEqual({ ok: false, message: 'replication 3 needs 3 active members, the cluster has 2' });
  });
});
