// Each bug flag changes the core's behaviour as described in types.ts, and the randomized
// checks of fuzz.ts catch it. ('commit-old-term' has its deterministic Figure 8 test in
// commitment.test.ts, 'read-without-quorum' its stale read in read-index.test.ts.)

import type { RaftBug } from '../../server/raft';
import { runSeed } from './fuzz';
import { Network } from './network';

describe("bug 'vote-any-log'", () => {
  test('a candidate with a stale log wins, and would overwrite a committed entry', () => {
    for (const buggy of [false, true]) {
      const bugs = new Set<RaftBug>(buggy ? ['vote-any-log'] : []);
      const net = new Network({ voters: [1, 2, 3], configure: (c) => ({ ...c, preVote: false, checkQuorum: false, bugs }) });
      net.campaign(1);
      net.isolate(3);
      net.propose(1, 'committed');
      net.stabilize();
      expect(net.texts(2)).toEqual(['committed']);
      net.heal();
      net.stop(1);
      if (!buggy) {
        net.campaign(3);
        expect(net.raw(3).status().role).toBe('candidate');
        continue;
      }
      // 3 wins although its log lacks the committed entry; replicating its log would make 2
      // drop that entry, which the follower's invariant check refuses loudly.
      expect(() => net.campaign(3)).toThrow(/conflicts with our committed log/);
      expect(net.raw(3).status().role).toBe('leader');
    }
  });
});

describe('the randomized checks catch the bugs', () => {
  const seedsTried = 40;
  test.each(['read-without-quorum', 'vote-any-log'] as const)('%s', (bug) => {
    let caught = 0;
    for (let seed = 1; seed <= seedsTried; seed++) {
      try {
        runSeed(seed, { preVote: seed % 2 === 0, lease: false, bugs: [bug] });
      } catch {
        caught++;
      }
    }
    expect(caught).toBeGreaterThan(0);
  });
});
