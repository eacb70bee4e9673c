// The group leader's next step toward the catalog target: add learner, catch up, promote,
// remove (leadership handed over first when the leader itself leaves), then the preferred
// leader. Pure, so each rule is one case; a final case walks a whole move.

import { nextReplicaStep, type ReplicaStepInput } from '../../server/meta/replica-step';
import type { ConfState, NodeId, PeerProgress } from '../../server/raft/types';

const LAST_INDEX = 1_000;

function peer(id: NodeId, match: number, extra: Partial<PeerProgress> = {}): PeerProgress {
  return { id, match, next: match + 1, state: 'replicate', learner: false, recentActive: true, ...extra };
}

function inputOf(conf: ConfState, target: ConfState, extra: Partial<ReplicaStepInput> = {}): ReplicaStepInput {
  const ids = [...new Set([...conf.voters, ...conf.learners])];
  return {
    self: 1,
    target,
    preferredLeader: 1,
    conf,
    appliedConf: conf,
    progress: ids.map((id) => peer(id, LAST_INDEX)),
    lastIndex: LAST_INDEX,
    catchUpLagEntriesMax: 100,
    ...extra,
  };
}

const C123: ConfState = { voters: [1, 2, 3], learners: [] };
const C124: ConfState = { voters: [1, 2, 4], learners: [] };

describe('a group leader steps toward its target', () => {
  test('in place: nothing to do', () => {
    expect(nextReplicaStep(inputOf(C123, C123)).kind).toBe('none');
  });

  test('nothing while a configuration change is in flight', () => {
    const step = nextReplicaStep(inputOf({ voters: [1, 2, 3], learners: [4] }, C124, { appliedConf: C123 }));
    expect(step).toEqual({ kind: 'none', reason: 'a configuration change is in flight' });
  });

  test('a new member first joins as a learner', () => {
    expect(nextReplicaStep(inputOf(C123, C124))).toMatchObject({ kind: 'conf-change', change: { type: 'add-learner', nodeId: 4 } });
  });

  test('a learner is promoted only once it streams entries close to the end of the log', () => {
    const conf = { voters: [1, 2, 3], learners: [4] };
    const behind = inputOf(conf, C124, { progress: [peer(1, LAST_INDEX), peer(2, LAST_INDEX), peer(3, LAST_INDEX), peer(4, 500, { learner: true })] });
    expect(nextReplicaStep(behind).kind).toBe('none');
    const snapshotting = inputOf(conf, C124, { progress: [peer(1, LAST_INDEX), peer(2, LAST_INDEX), peer(3, LAST_INDEX), peer(4, LAST_INDEX, { learner: true, state: 'snapshot' })] });
    expect(nextReplicaStep(snapshotting).kind).toBe('none');
    const fresh = inputOf(conf, C124, { lastIndex: 3, progress: [peer(1, 3), peer(2, 3), peer(3, 3), peer(4, 0, { learner: true, state: 'probe' })] });
    expect(nextReplicaStep(fresh).kind).toBe('none');
    const close = inputOf(conf, C124, { progress: [peer(1, LAST_INDEX), peer(2, LAST_INDEX), peer(3, LAST_INDEX), peer(4, 950, { learner: true })] });
    expect(nextReplicaStep(close)).toMatchObject({ kind: 'conf-change', change: { type: 'promote-learner', nodeId: 4 } });
  });

  test('a voter leaves only after the new voter votes', () => {
    expect(nextReplicaStep(inputOf({ voters: [1, 2, 3, 4], learners: [] }, C124))).toMatchObject({ kind: 'conf-change', change: { type: 'remove-node', nodeId: 3 } });
    const stillLearner = inputOf({ voters: [1, 2, 3], learners: [4] }, C124, {
      progress: [peer(1, LAST_INDEX), peer(2, LAST_INDEX), peer(3, LAST_INDEX), peer(4, 10, { learner: true })],
    });
    expect(nextReplicaStep(stillLearner).kind).toBe('none');
  });

  test('a learner that is not in the target is removed', () => {
    expect(nextReplicaStep(inputOf({ voters: [1, 2, 3], learners: [5] }, C123))).toMatchObject({ kind: 'conf-change', change: { type: 'remove-node', nodeId: 5 } });
  });

  test('a leaving leader hands leadership over: to the preferred leader if caught up, else the most caught-up voter', () => {
    const conf = { voters: [1, 2, 3, 4], learners: [] };
    const target = { voters: [2, 3, 4], learners: [] };
    expect(nextReplicaStep(inputOf(conf, target, { preferredLeader: 3 }))).toEqual(expect.objectContaining({ kind: 'transfer', to: 3, cause: 'departure' }));
    const progress = [peer(1, LAST_INDEX), peer(2, 990), peer(3, 995), peer(4, 0, { state: 'probe' })];
    expect(nextReplicaStep(inputOf(conf, target, { preferredLeader: 4, progress }))).toEqual(expect.objectContaining({ kind: 'transfer', to: 3 }));
    const silent = progress.map((p) => ({ ...p, recentActive: p.id === 1 }));
    expect(nextReplicaStep(inputOf(conf, target, { progress: silent })).kind).toBe('none');
  });

  test('in place, leadership goes to the preferred leader when it is caught up and active', () => {
    expect(nextReplicaStep(inputOf(C123, C123, { preferredLeader: 2 }))).toEqual(expect.objectContaining({ kind: 'transfer', to: 2, cause: 'balance' }));
    const silent = [peer(1, LAST_INDEX), peer(2, LAST_INDEX, { recentActive: false }), peer(3, LAST_INDEX)];
    expect(nextReplicaStep(inputOf(C123, C123, { preferredLeader: 2, progress: silent })).kind).toBe('none');
    expect(nextReplicaStep(inputOf(C123, C123, { preferredLeader: 7 })).kind).toBe('none');
  });

  test('a whole move, one step at a time, never has fewer voters than the target', () => {
    let conf: ConfState = C123;
    const target = { voters: [2, 3, 4], learners: [] };
    const steps: string[] = [];
    for (let round = 0; round < 10; round++) {
      const step = nextReplicaStep(inputOf(conf, target, { preferredLeader: 2 }));
      if (step.kind === 'none') break;
      if (step.kind === 'transfer') {
        steps.push(`transfer ${step.to}`);
        break; // the new leader continues
      }
      const { type, nodeId } = step.change;
      steps.push(`${type} ${nodeId}`);
      const voters = conf.voters.filter((id) => id !== nodeId);
      const learners = conf.learners.filter((id) => id !== nodeId);
      conf = type === 'add-learner' ? { voters, learners: [...learners, nodeId] } : type === 'promote-learner' ? { voters: [...voters, nodeId], learners } : { voters, learners };
      expect(conf.voters.length).toBeGreaterThanOrEqual(3);
    }
    expect(steps).toEqual(['add-learner 4', 'promote-learner 4', 'transfer 2']);
    const continued = nextReplicaStep(inputOf(conf, target, { self: 2, preferredLeader: 2 }));
    expect(continued).toMatchObject({ kind: 'conf-change', change: { type: 'remove-node', nodeId: 1 } });
  });
});
