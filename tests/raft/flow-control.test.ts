// Inflights and Progress: the flow-control state machine, against a naive model.

import { Inflights } from '../../server/raft/inflights';
import { Progress } from '../../server/raft/progress';
import { AssertionError } from '../../server/util/assert';
import { SeededRandom } from '../../server/util/random';

describe('Inflights', () => {
  test('is full at the message limit or the byte limit', () => {
    const byCount = new Inflights(3, 1000);
    byCount.add(1, 10);
    byCount.add(2, 10);
    expect(byCount.full()).toBe(false);
    byCount.add(3, 10);
    expect(byCount.full()).toBe(true);
    expect(() => byCount.add(4, 1)).toThrow(AssertionError);
    const byBytes = new Inflights(10, 100);
    byBytes.add(1, 60);
    expect(byBytes.freeBytes()).toBe(40);
    byBytes.add(2, 40);
    expect(byBytes.full()).toBe(true);
    byBytes.freeLE(1);
    expect([byBytes.full(), byBytes.length, byBytes.inflightBytes]).toEqual([false, 1, 40]);
  });

  test('matches a naive queue under random adds and frees (ring wrap and growth)', () => {
    const random = new SeededRandom(3);
    const inflights = new Inflights(16, 500);
    const model: { index: number; bytes: number }[] = [];
    let next = 1;
    for (let op = 0; op < 5000; op++) {
      const modelBytes = model.reduce((s, e) => s + e.bytes, 0);
      const modelFull = model.length === 16 || modelBytes >= 500;
      expect(inflights.full()).toBe(modelFull);
      expect(inflights.length).toBe(model.length);
      expect(inflights.inflightBytes).toBe(modelBytes);
      if (!modelFull && random.chance(0.6)) {
        next += 1 + random.nextInt(3);
        const bytes = random.nextInt(60);
        inflights.add(next, bytes);
        model.push({ index: next, bytes });
      } else {
        const upTo = next - random.nextInt(10);
        inflights.freeLE(upTo);
        while (model.length > 0 && (model[0]?.index ?? Infinity) <= upTo) model.shift();
      }
    }
  });
});

describe('Progress', () => {
  const make = (): Progress => new Progress(2, { next: 6, learner: false, maxInflightMsgs: 2, maxInflightBytes: 100 });

  test('probe sends one message at a time until acknowledged', () => {
    const p = make();
    expect(p.isPaused()).toBe(false);
    p.sentEntries(3, 8, 30);
    expect(p.isPaused()).toBe(true);
    expect(p.next).toBe(6); // probing does not move next optimistically
    expect(p.maybeUpdate(8)).toBe(true);
    expect([p.match, p.next, p.isPaused()]).toEqual([8, 9, false]);
  });

  test('replicate moves next at send time and pauses when the window is full', () => {
    const p = make();
    p.maybeUpdate(5);
    p.becomeReplicate();
    p.sentEntries(2, 7, 20);
    p.sentEntries(2, 9, 20);
    expect([p.next, p.isPaused()]).toEqual([10, true]);
    p.inflights.freeLE(7);
    expect(p.isPaused()).toBe(false);
  });

  test('a rejection backs off to the hint in probe, to match+1 in replicate; stale ones are ignored', () => {
    const p = make();
    expect(p.maybeDecrTo(4, 2)).toBe(false); // not the probe we sent (next-1 is 5)
    expect(p.maybeDecrTo(5, 2)).toBe(true);
    expect(p.next).toBe(3);
    p.maybeUpdate(2);
    p.becomeReplicate();
    p.sentEntries(3, 5, 10);
    expect(p.maybeDecrTo(2, 0)).toBe(false); // rejected index <= match: stale
    expect(p.maybeDecrTo(4, 0)).toBe(true);
    expect(p.next).toBe(3);
  });

  test('snapshot state pauses everything and resumes after the snapshot', () => {
    const p = make();
    p.becomeSnapshot(20);
    expect(p.isPaused()).toBe(true);
    p.becomeProbe();
    expect(p.next).toBe(21);
  });
});
