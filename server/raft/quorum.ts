// Majority arithmetic over the voters of one configuration. Learners never count.

import { assert } from '../util/assert';

export type VoteResult = 'won' | 'lost' | 'pending';

export function quorumSize(voterCount: number): number {
  return Math.floor(voterCount / 2) + 1;
}

/** The largest value v such that a majority of the first `count` values are >= v.
 *  Sorts `values[0..count)` in place (descending); n is a cluster size, so insertion sort. */
export function majorityValue(values: number[], count: number): number {
  assert(count >= 1 && count <= values.length, `majorityValue over ${count} of ${values.length} values`);
  for (let i = 1; i < count; i++) {
    const value = values[i] ?? 0;
    let j = i - 1;
    while (j >= 0 && (values[j] ?? 0) < value) {
      values[j + 1] = values[j] ?? 0;
      j--;
    }
    values[j + 1] = value;
  }
  return values[quorumSize(count) - 1] ?? 0;
}

export function voteResult(voterCount: number, granted: number, rejected: number): VoteResult {
  assert(granted + rejected <= voterCount, 'more votes than voters');
  const quorum = quorumSize(voterCount);
  if (granted >= quorum) return 'won';
  if (rejected > voterCount - quorum) return 'lost';
  return 'pending';
}
