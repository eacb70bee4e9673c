import { majorityValue, quorumSize, voteResult } from '../../server/raft/quorum';
import { SeededRandom } from '../../server/util/random';

test('quorum sizes', () => {
  expect([1, 2, 3, 4, 5, 6, 7].map(quorumSize)).toEqual([1, 2, 2, 3, 3, 4, 4]);
});

test('majorityValue matches a naive definition on random input', () => {
  const random = new SeededRandom(11);
  for (let run = 0; run < 500; run++) {
    const n = 1 + random.nextInt(7);
    const values = Array.from({ length: n }, () => random.nextInt(20));
    // Naive: the largest v such that at least a quorum of values are >= v.
    let naive = 0;
    for (let v = 0; v <= 20; v++) if (values.filter((x) => x >= v).length >= quorumSize(n)) naive = v;
    expect(majorityValue([...values], n)).toBe(naive);
  }
});

test('vote results', () => {
  expect(voteResult(3, 2, 0)).toBe('won');
  expect(voteResult(3, 1, 1)).toBe('pending');
  expect(voteResult(3, 1, 2)).toBe('lost');
  expect(voteResult(4, 2, 2)).toBe('lost');
  expect(voteResult(4, 2, 1)).toBe('pending');
  expect(voteResult(1, 1, 0)).toBe('won');
});
