import { defaultKvLimits, validateKvLimits } from '../../server/kv/limits';
import {
  basenameOf,
  checkPath,
  checkSequentialPrefix,
  childPath,
  depthOf,
  isSelfOrDescendant,
  namespaceOf,
  parentOf,
  selfAndAncestors,
  sequentialPath,
} from '../../server/kv/path';

const limits = { pathBytesMax: 40, segmentBytesMax: 16 };

describe('checkPath', () => {
  it.each(['/', '/a', '/nodes/master/10.0.0.5:5678', '/a-b_c.d/e@f+g=h,i~j%20', '/...', '/a/.b/..c'])('accepts %s', (path) => {
    expect(checkPath(path, limits)).toEqual({ ok: true });
  });

  it.each([
    ['', 'path is empty'],
    ['a/b', 'must start with "/"'],
    ['/a/', 'must not end with "/"'],
    ['/a//b', 'empty segment at offset 3'],
    ['/a/./b', '"." segment at offset 3'],
    ['/a/..', '".." segment at offset 3'],
    ['/a b', 'character 0x20 at offset 2'],
    ['/a\u0000', 'character 0x00 at offset 2'],
    ['/é', 'character 0xe9 at offset 1'],
    ['/a*', "character '*' (0x2a) at offset 2"],
    ['/abcdefghijklmnopq', '17-byte segment at offset 1, longer than segmentBytesMax 16'],
    [`/${'a/'.repeat(20)}b`, 'longer than pathBytesMax 40'],
  ])('rejects %j with a message naming the problem', (path, message) => {
    const check = checkPath(path, limits);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.message).toContain(message);
  });

  it('counts the sequential suffix against the limits', () => {
    expect(checkSequentialPrefix('/jobs/job-', limits)).toEqual({ ok: true });
    expect(checkSequentialPrefix('/jobs/', limits)).toEqual({ ok: true });
    const tooLong = checkSequentialPrefix('/jobs/abcdefg', limits);
    expect(tooLong.ok).toBe(false);
    if (!tooLong.ok) expect(tooLong.message).toContain('segmentBytesMax');
    expect(sequentialPath('/jobs/job-', 42)).toBe('/jobs/job-0000000042');
    expect(() => sequentialPath('/x-', 10_000_000_000)).toThrow('bad counter');
  });
});

describe('path helpers', () => {
  it('splits parents, names and namespaces', () => {
    expect(parentOf('/a/b/c')).toBe('/a/b');
    expect(parentOf('/a')).toBe('/');
    expect(() => parentOf('/')).toThrow();
    expect(basenameOf('/a/b/c')).toBe('c');
    expect(childPath('/', 'a')).toBe('/a');
    expect(childPath('/a', 'b')).toBe('/a/b');
    expect(() => childPath('/a', 'b/c')).toThrow();
    expect(namespaceOf('/services/api/1')).toBe('services');
    expect(namespaceOf('/services')).toBe('services');
    expect(namespaceOf('/')).toBe('');
    expect(depthOf('/')).toBe(0);
    expect(depthOf('/a/b')).toBe(2);
    expect(selfAndAncestors('/a/b')).toEqual(['/a/b', '/a', '/']);
    expect(selfAndAncestors('/')).toEqual(['/']);
  });

  it('tells descendants from siblings sharing a prefix', () => {
    expect(isSelfOrDescendant('/a/b', '/a')).toBe(true);
    expect(isSelfOrDescendant('/a', '/a')).toBe(true);
    expect(isSelfOrDescendant('/ab', '/a')).toBe(false);
    expect(isSelfOrDescendant('/a', '/a/b')).toBe(false);
    expect(isSelfOrDescendant('/x', '/')).toBe(true);
  });
});

describe('validateKvLimits', () => {
  it('accepts the defaults', () => {
    expect(validateKvLimits(defaultKvLimits())).toEqual({ ok: true });
  });

  it.each([
    [{ valueBytesMax: 0 }, 'valueBytesMax must be a positive integer'],
    [{ listPageMax: 1.5 }, 'listPageMax must be a positive integer'],
    [{ sessionTtlMsMin: 10_000, sessionTtlMsMax: 5_000 }, 'sessionTtlMsMin must be <= sessionTtlMsMax'],
    [{ segmentBytesMax: 2000 }, 'segmentBytesMax must be < pathBytesMax'],
    [{ pathBytesMax: 8, segmentBytesMax: 4 }, 'pathBytesMax must be >= 12'],
    [{ watchQueueEventsMax: 20_000 }, 'watchQueueEventsMax must be <= watchHistoryEventsMax'],
    [{ lockHoldsPerCommandMax: 200_000 }, 'lockHoldsPerCommandMax must be <= locksMax'],
  ])('names the wrong bound in %j', (overrides, message) => {
    const check = validateKvLimits({ ...defaultKvLimits(), ...overrides });
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.message).toContain(message);
  });
});
