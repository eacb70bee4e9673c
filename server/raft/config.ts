// The core's configuration: one default, one validation that names the bad field.

import type { NodeId, RaftBug, RaftConfig, Random, ReadOnlyOption } from './types';

const MIB = 1024 * 1024;

/** Sanity ceilings: beyond these a value is a typo, not a tuning choice. */
const electionTicksMax = 1_000_000;
const inflightMsgsMax = 65_536;

const KNOWN_BUGS: ReadonlySet<RaftBug> = new Set<RaftBug>([
  'commit-old-term',
  'vote-any-log',
  'read-without-quorum',
  'no-persist-before-send',
]);
const READ_ONLY_OPTIONS: ReadonlySet<ReadOnlyOption> = new Set<ReadOnlyOption>(['safe', 'lease-based']);

export function defaultRaftConfig(id: NodeId, random: Random): RaftConfig {
  return {
    id,
    electionTicks: 10,
    heartbeatTicks: 1,
    preVote: true,
    checkQuorum: true,
    readOnlyOption: 'safe',
    maxInflightMsgs: 256,
    maxInflightBytes: 32 * MIB,
    maxMsgBytes: 1 * MIB,
    maxUncommittedBytes: 64 * MIB,
    maxEntryBytes: 1 * MIB,
    maxApplyBytes: 16 * MIB,
    random,
    bugs: new Set<RaftBug>(),
  };
}

export type ConfigCheck = { readonly ok: true } | { readonly ok: false; readonly problem: string };

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isSafeInteger(value) && value >= min && value <= max;
}

/** Checks every bound; the problem names the first bad field. */
export function validateRaftConfig(c: RaftConfig): ConfigCheck {
  const bad = (problem: string): ConfigCheck => ({ ok: false, problem });
  if (!isIntegerIn(c.id, 1, Number.MAX_SAFE_INTEGER)) return bad(`id must be a positive integer (got ${c.id})`);
  if (!isIntegerIn(c.electionTicks, 2, electionTicksMax)) {
    return bad(`electionTicks must be an integer in [2, ${electionTicksMax}] (got ${c.electionTicks})`);
  }
  if (!isIntegerIn(c.heartbeatTicks, 1, c.electionTicks - 1)) {
    return bad(`heartbeatTicks must be an integer in [1, electionTicks) (got ${c.heartbeatTicks})`);
  }
  if (typeof c.preVote !== 'boolean') return bad('preVote must be a boolean');
  if (typeof c.checkQuorum !== 'boolean') return bad('checkQuorum must be a boolean');
  if (!READ_ONLY_OPTIONS.has(c.readOnlyOption)) return bad(`readOnlyOption must be 'safe' or 'lease-based'`);
  if (c.readOnlyOption === 'lease-based' && !c.checkQuorum) {
    return bad(`readOnlyOption 'lease-based' requires checkQuorum`);
  }
  if (!isIntegerIn(c.maxInflightMsgs, 1, inflightMsgsMax)) {
    return bad(`maxInflightMsgs must be an integer in [1, ${inflightMsgsMax}] (got ${c.maxInflightMsgs})`);
  }
  const byteFields = [
    'maxInflightBytes',
    'maxMsgBytes',
    'maxUncommittedBytes',
    'maxEntryBytes',
    'maxApplyBytes',
  ] as const;
  for (const field of byteFields) {
    if (!isIntegerIn(c[field], 1, Number.MAX_SAFE_INTEGER)) {
      return bad(`${field} must be a positive integer (got ${c[field]})`);
    }
  }
  if (typeof c.random !== 'object' || c.random === null || typeof c.random.nextInt !== 'function') {
    return bad('random must provide nextInt(maxExclusive)');
  }
  if (typeof c.bugs !== 'object' || c.bugs === null || typeof c.bugs.has !== 'function') {
    return bad('bugs must be a set of RaftBug');
  }
  for (const bug of c.bugs) if (!KNOWN_BUGS.has(bug)) return bad(`bugs contains unknown bug '${String(bug)}'`);
  return { ok: true };
}
