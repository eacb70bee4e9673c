// E2E: the real `corral` binary against a real 3-node cluster — node-tree commands, txn,
// cluster commands, --json output, exit codes and errors on bad input.

import { CorralClient } from '../../client-sdk';
import { freePort, TestCluster, waitFor } from '../cluster/harness';
import { jsonLines, runCli } from './cli-runner';

jest.setTimeout(120_000);

let cluster: TestCluster;
let endpoints: string;
/** Sets up and checks state in-process; the CLI is what is under test. */
let client: CorralClient;

beforeAll(async () => {
  cluster = await TestCluster.start({ nodes: 3 });
  await cluster.waitForLeaders();
  endpoints = cluster.endpoints.join(',');
  client = new CorralClient({ endpoints: cluster.endpoints, timeoutMs: 20_000 });
});

afterAll(async () => {
  client?.close();
  await cluster?.stop();
});

const corral = (args: readonly string[], input?: string) => runCli(args, { endpoints, ...(input !== undefined ? { input } : {}) });

/** A failure is one line on stderr, never a stack trace. */
function expectOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^corral: /);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('put / get / ls / rm', () => {
  test('put then get prints the value; --json carries value, stat and revision', async () => {
    const put = await corral(['put', '/kv/a', 'hello world']);
    expect(put.code).toBe(0);
    expect(put.stdout.trim()).toBe('/kv/a');
    const get = await corral(['get', '/kv/a']);
    expect(get.code).toBe(0);
    expect(get.stdout).toBe('hello world\n');
    const json = await corral(['--json', 'get', '/kv/a']);
    expect(json.code).toBe(0);
    const [object] = jsonLines(json.stdout);
    expect(object.value).toBe('hello world');
    expect(object.path).toBe('/kv/a');
    expect((object.stat as { version: number }).version).toBe(1);
    expect(object.revision).toEqual(expect.any(Number));
  });

  test('the global --json also works after the subcommand, and put --json reports created', async () => {
    const first = await corral(['put', '/kv/json', 'v1', '--json']);
    const second = await corral(['put', '/kv/json', 'v2', '--json']);
    expect(jsonLines(first.stdout)[0]).toMatchObject({ path: '/kv/json', created: true, version: 1 });
    expect(jsonLines(second.stdout)[0]).toMatchObject({ path: '/kv/json', created: false, version: 2 });
  });

  test('--version is compare-and-set: the right version applies, a wrong one fails with exit 1', async () => {
    await client.put('/kv/cas', 'v1');
    const ok = await corral(['--json', 'put', '/kv/cas', 'v2', '--version', '1']);
    expect(ok.code).toBe(0);
    expect(jsonLines(ok.stdout)[0]).toMatchObject({ version: 2 });
    const stale = await corral(['put', '/kv/cas', 'v3', '--version', '1']);
    expect(stale.code).toBe(1);
    expectOneLineError(stale.stderr, /version 2, expected 1/);
    expect(await client.getString('/kv/cas')).toBe('v2');
  });

  test('--version 0 creates only; a second create fails', async () => {
    const created = await corral(['put', '/kv/new/x', 'one', '--version', '0', '--parents']);
    expect(created.code).toBe(0);
    const again = await corral(['put', '/kv/new/x', 'two', '--version', '0']);
    expect(again.code).toBe(1);
    expectOneLineError(again.stderr, /already exists/);
  });

  test('--sequential appends a sequence number and prints the created path', async () => {
    const first = await corral(['put', '/kv/queue/job-', 'a', '--sequential', '--parents']);
    const second = await corral(['put', '/kv/queue/job-', 'b', '--sequential']);
    expect(first.code).toBe(0);
    const a = first.stdout.trim();
    const b = second.stdout.trim();
    expect(a).toMatch(/^\/kv\/queue\/job-\d{10}$/);
    expect(b).toMatch(/^\/kv\/queue\/job-\d{10}$/);
    expect(Number(b.slice(-10))).toBeGreaterThan(Number(a.slice(-10)));
  });

  test('ls lists children; --recursive lists every path depth first; --json', async () => {
    for (const path of ['/tree/b/y', '/tree/a/x', '/tree/a/w', '/tree/c']) await client.put(path, 'v');
    const [ls, recursive, json, jsonRecursive] = await Promise.all([
      corral(['ls', '/tree']),
      corral(['ls', '/tree', '--recursive']),
      corral(['--json', 'ls', '/tree']),
      corral(['--json', 'ls', '/tree', '--recursive']),
    ]);
    expect(ls.stdout.trim().split('\n')).toEqual(['a', 'b', 'c']);
    expect(recursive.stdout.trim().split('\n')).toEqual(['/tree/a', '/tree/a/w', '/tree/a/x', '/tree/b', '/tree/b/y', '/tree/c']);
    expect(jsonLines(json.stdout)[0].children).toEqual(['a', 'b', 'c']);
    expect(jsonLines(jsonRecursive.stdout)[0].nodes).toHaveLength(6);
  });

  test('rm refuses a node with children, --recursive removes the subtree, --version guards', async () => {
    await client.put('/gone/a/b', 'v');
    const [refused, wrong] = await Promise.all([corral(['rm', '/gone']), corral(['rm', '/gone/a/b', '--version', '9'])]);
    expect(refused.code).toBe(1);
    expectOneLineError(refused.stderr, /children/);
    expect(wrong.code).toBe(1);
    expectOneLineError(wrong.stderr, /version 1, expected 9/);
    const removed = await corral(['--json', 'rm', '/gone', '--recursive']);
    expect(removed.code).toBe(0);
    expect(jsonLines(removed.stdout)[0]).toMatchObject({ path: '/gone', deleted: 3 });
    expect(await client.exists('/gone/a')).toBeNull();
  });
});

describe('errors on bad input', () => {
  test('a missing node: exit 1 with a one-line reason', async () => {
    const result = await corral(['get', '/kv/does-not-exist']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expectOneLineError(result.stderr, /does not exist/);
  });

  test('--json errors are one JSON object on stderr', async () => {
    const result = await corral(['--json', 'get', '/kv/does-not-exist']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stderr.trim())).toMatchObject({ error: { code: 'not-found' } });
  });

  test('a bad path is a usage error (exit 2), whether the CLI or the server catches it', async () => {
    const cases: [string[], RegExp][] = [
      [['get', 'relative/path'], /absolute/],
      [['put', '/bad//path', 'v'], /empty segment/],
      [['get', '/'], /root/],
      [['put', `/kv/${'x'.repeat(5000)}`, 'v'], /.+/],
    ];
    const results = await Promise.all(cases.map(([args]) => corral(args)));
    results.forEach((result, i) => {
      expect({ args: cases[i][0].join(' ').slice(0, 40), code: result.code }).toEqual({ args: cases[i][0].join(' ').slice(0, 40), code: 2 });
      expectOneLineError(result.stderr, cases[i][1]);
    });
  });

  test('usage errors exit 2 with a reason and no stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command/],
      [['get'], /missing required argument/],
      [['get', '/a', '--bogus'], /unknown option/],
      [['put', '/a', 'v', '--version', 'x'], /not a version/],
      [['put', '/a', 'v', '--ephemeral', '--ttl', 'soon'], /not a duration/],
      [['put', '/a', 'v', '--ttl', '5s'], /only applies with --ephemeral/],
      [['lock'], /Usage: corral lock/],
      [['lock', 'ls'], /needs a namespace/],
    ];
    const results = await Promise.all(cases.map(([args]) => corral(args)));
    results.forEach((result, i) => {
      expect({ args: cases[i][0], code: result.code }).toEqual({ args: cases[i][0], code: 2 });
      expect(result.stderr).toMatch(cases[i][1]);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });
  });

  test('no arguments prints help and exits 2; --help exits 0', async () => {
    const [none, help] = await Promise.all([corral([]), corral(['--help'])]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/Usage: corral/);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/lock/);
  });

  test('unreachable endpoints: a clear message within the timeout, exit 1, no hang', async () => {
    const port = await freePort();
    const result = await runCli(['--timeout', '2s', 'get', '/kv/a'], { endpoints: `127.0.0.1:${port}`, killAfterMs: 30_000 });
    expect(result.code).toBe(1);
    expectOneLineError(result.stderr, new RegExp(`cannot reach any Corral node .*127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
    // 2 s of retrying plus process start-up; nowhere near a hang.
    expect(result.durationMs).toBeLessThan(20_000);
  });

  test('writes to unreachable endpoints fail the same way (never sent, so no "outcome unknown")', async () => {
    const port = await freePort();
    const result = await runCli(['--timeout', '1s', 'put', '/kv/a', 'v'], { endpoints: `127.0.0.1:${port}` });
    expect(result.code).toBe(1);
    expectOneLineError(result.stderr, /cannot reach any Corral node/);
  });

  test('CORRAL_ENDPOINTS is used when --endpoints is not given; --endpoints wins over it', async () => {
    const port = await freePort();
    const [viaEnv, flagWins] = await Promise.all([
      runCli(['get', '/kv/a'], { endpoints }),
      runCli(['--endpoints', endpoints, 'get', '/kv/a'], { endpoints: `127.0.0.1:${port}` }),
    ]);
    expect(viaEnv.code).toBe(0);
    expect(flagWins.code).toBe(0);
  });
});

describe('txn', () => {
  const doc = (exists: boolean) => JSON.stringify({
    compare: [{ path: '/tx/a', target: 'exists', value: exists }],
    success: [{ op: 'put', path: '/tx/a', value: 'made' }, { op: 'put', path: '/tx/b', value: 'also' }],
    failure: [{ op: 'delete', path: '/tx/a' }],
  });

  test('runs the success branch when the compares hold, else the failure branch', async () => {
    const first = await corral(['txn'], doc(false));
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^SUCCEEDED revision \d+/);
    expect(await client.getString('/tx/b')).toBe('also');
    const second = await corral(['--json', 'txn'], doc(false));
    expect(second.code).toBe(0);
    const result = jsonLines(second.stdout)[0];
    expect(result.succeeded).toBe(false);
    expect(result.results).toEqual([expect.objectContaining({ op: 'delete', deleted: 1 })]);
    expect(await client.exists('/tx/a')).toBeNull();
  });

  test('bad JSON, unknown fields, cross-namespace paths and bad compares are rejected', async () => {
    const [notJson, unknownField, crossNamespace, badCompare] = await Promise.all([
      corral(['txn'], 'not json'),
      corral(['txn'], '{"compares":[]}'),
      corral(['txn'], JSON.stringify({ success: [{ op: 'put', path: '/tx/a', value: 'x' }, { op: 'put', path: '/other/a', value: 'y' }] })),
      corral(['txn'], JSON.stringify({ compare: [{ path: '/tx/a', target: 'version', value: 'x' }], success: [] })),
    ]);
    expect([notJson.code, unknownField.code, crossNamespace.code, badCompare.code]).toEqual([2, 2, 2, 2]);
    expect(crossNamespace.stderr).toMatch(/one namespace/);
  });
});

describe('cluster', () => {
  test('status, members and groups: text and --json', async () => {
    const [statusResult, members, groupsResult, text] = await Promise.all([
      corral(['--json', 'cluster', 'status']),
      corral(['cluster', 'members']),
      corral(['--json', 'cluster', 'groups']),
      corral(['cluster', 'status']),
    ]);
    const status = jsonLines(statusResult.stdout)[0] as { members: { id: number; address: string }[]; groups: { id: number; leader: number }[]; slots: number[] };
    expect(status.members.map((m) => m.address).sort()).toEqual([...cluster.endpoints].sort());
    expect(status.groups.length).toBeGreaterThanOrEqual(2);
    expect(status.slots.length).toBeGreaterThan(0);
    expect(members.code).toBe(0);
    for (const address of cluster.endpoints) expect(members.stdout).toContain(address);
    const groups = jsonLines(groupsResult.stdout)[0] as { groups: { id: number }[] };
    expect(groups.groups.map((g) => g.id)).toContain(0);
    expect(text.stdout).toMatch(/GROUP\s+LEADER/);
  });

  test('transfer-leader moves a KV group\'s leadership to the named node', async () => {
    const before = await cluster.status(1);
    const group = before.groups.find((g) => g.id !== 0 && g.leader !== 0)!;
    const to = group.voters.map(Number).find((id) => id !== Number(group.leader))!;
    const result = await corral(['cluster', 'transfer-leader', String(group.id), String(to)]);
    expect(result.code).toBe(0);
    await waitFor(`group ${group.id} led by node ${to}`, async () => {
      const status = await cluster.status(to);
      return status.groups.find((g) => g.id === group.id)?.leader === to;
    }, 30_000, 200);
  });

  test('transfer-leader of a missing group fails (exit 1); to a node without a replica is refused as invalid (exit 2)', async () => {
    const [missing, bad] = await Promise.all([corral(['cluster', 'transfer-leader', '999', '1']), corral(['cluster', 'transfer-leader', '1', '77'])]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^corral: .*999/);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^corral: .*77/);
  });

  test('add-node registers a member; remove-node takes it out', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const added = await corral(['--json', 'cluster', 'add-node', '9', address]);
    expect(added.code).toBe(0);
    const afterAdd = jsonLines(added.stdout)[0] as { members: { id: number; address: string }[] };
    expect(afterAdd.members).toContainEqual(expect.objectContaining({ id: 9, address }));
    const removed = await corral(['--json', 'cluster', 'remove-node', '9']);
    expect(removed.code).toBe(0);
    const afterRemove = jsonLines(removed.stdout)[0] as { members: { id: number; state: string }[] };
    const nine = afterRemove.members.find((m) => m.id === 9);
    expect(nine === undefined || nine.state !== 'active').toBe(true);
  });

  test('add-node with a bad id or address is a usage error', async () => {
    const results = await Promise.all([corral(['cluster', 'add-node', 'x', '127.0.0.1:1']), corral(['cluster', 'add-node', '5', 'no-port'])]);
    expect(results.map((r) => r.code)).toEqual([2, 2]);
  });
});
