// Config validation and the conf-change codec.

import {
  applyConfChange,
  decodeConfChange,
  defaultRaftConfig,
  encodeConfChange,
  RawNode,
  validateRaftConfig,
  type RaftConfig,
} from '../../server/raft';
import { AssertionError } from '../../server/util/assert';
import { SeededRandom } from '../../server/util/random';

const base = (): RaftConfig => defaultRaftConfig(1, new SeededRandom(1));

describe('validateRaftConfig', () => {
  test('the default config is valid', () => {
    expect(validateRaftConfig(base())).toEqual({ ok: true });
  });

  const cases: readonly [string, Partial<Record<keyof RaftConfig, unknown>>][] = [
    ['id', { id: 0 }],
    ['electionTicks', { electionTicks: 1 }],
    ['heartbeatTicks', { heartbeatTicks: 10 }],
    ['heartbeatTicks', { heartbeatTicks: 0 }],
    ['readOnlyOption', { readOnlyOption: 'fast' }],
    ['requires checkQuorum', { readOnlyOption: 'lease-based', checkQuorum: false }],
    ['maxInflightMsgs', { maxInflightMsgs: 0 }],
    ['maxInflightBytes', { maxInflightBytes: -1 }],
    ['maxMsgBytes', { maxMsgBytes: 1.5 }],
    ['maxUncommittedBytes', { maxUncommittedBytes: 0 }],
    ['maxEntryBytes', { maxEntryBytes: 0 }],
    ['maxApplyBytes', { maxApplyBytes: Number.NaN }],
    ['random', { random: {} }],
    ['bugs', { bugs: new Set(['typo']) }],
  ];
  test.each(cases)('names the bad field: %s', (field, override) => {
    const result = validateRaftConfig({ ...base(), ...override } as RaftConfig);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toContain(field);
  });

  test('RawNode refuses an invalid config', () => {
    const initial = {
      hardState: { term: 0, vote: 0, commit: 0 },
      snapshot: { index: 0, term: 0, conf: { voters: [1], learners: [] } },
      entries: [],
      applied: 0,
    };
    expect(() => new RawNode({ ...base(), heartbeatTicks: 99 }, initial)).toThrow(AssertionError);
  });
});

describe('conf changes', () => {
  test('encode/decode round-trips every type and large ids', () => {
    for (const type of ['add-learner', 'promote-learner', 'remove-node'] as const) {
      for (const nodeId of [1, 7, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
        expect(decodeConfChange(encodeConfChange({ type, nodeId }))).toEqual({ type, nodeId });
      }
    }
  });

  test('decoding malformed bytes is a broken invariant', () => {
    const good = encodeConfChange({ type: 'add-learner', nodeId: 4 });
    expect(() => decodeConfChange(good.slice(1))).toThrow(AssertionError);
    const badType = good.slice();
    badType[2] = 9;
    expect(() => decodeConfChange(badType)).toThrow(AssertionError);
    expect(() => encodeConfChange({ type: 'add-learner', nodeId: 0 })).toThrow(AssertionError);
  });

  test('single-server changes and their validity', () => {
    const conf = { voters: [1, 2], learners: [3] };
    expect(applyConfChange(conf, { type: 'add-learner', nodeId: 4 })).toEqual({
      ok: true,
      conf: { voters: [1, 2], learners: [3, 4] },
    });
    expect(applyConfChange(conf, { type: 'promote-learner', nodeId: 3 })).toEqual({
      ok: true,
      conf: { voters: [1, 2, 3], learners: [] },
    });
    expect(applyConfChange(conf, { type: 'remove-node', nodeId: 1 })).toEqual({
      ok: true,
      conf: { voters: [2], learners: [3] },
    });
    expect(applyConfChange(conf, { type: 'add-learner', nodeId: 2 }).ok).toBe(false);
    expect(applyConfChange(conf, { type: 'promote-learner', nodeId: 2 }).ok).toBe(false);
    expect(applyConfChange(conf, { type: 'remove-node', nodeId: 9 }).ok).toBe(false);
    expect(applyConfChange({ voters: [1], learners: [] }, { type: 'remove-node', nodeId: 1 }).ok).toBe(false);
  });
});
