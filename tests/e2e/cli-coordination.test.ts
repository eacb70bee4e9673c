// E2E: the real `corral` binary against a real 3-node cluster — sessions, ephemeral nodes,
// watches, locks (acquire / release / ls / run, including the 8-way shell test and a lock
// lost while the command runs), elections.

import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorralClient } from '../../client-sdk';
import { TestCluster, waitFor } from '../cluster/harness';
import { jsonLines, runCli, startCli, type RunningCli } from './cli-runner';

jest.setTimeout(180_000);

let cluster: TestCluster;
let endpoints: string;
let client: CorralClient;
let dir: string;
const running = new Set<RunningCli>();

beforeAll(async () => {
  cluster = await TestCluster.start({ nodes: 3 });
  await cluster.waitForLeaders();
  endpoints = cluster.endpoints.join(',');
  client = new CorralClient({ endpoints: cluster.endpoints, timeoutMs: 20_000 });
  dir = mkdtempSync(join(tmpdir(), 'corral-e2e-'));
});

afterEach(() => {
  for (const cli of running) cli.child.kill('SIGKILL');
  running.clear();
});

afterAll(async () => {
  client?.close();
  await cluster?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const corral = (args: readonly string[], input?: string) => runCli(args, { endpoints, ...(input !== undefined ? { input } : {}) });

function start(args: readonly string[]): RunningCli {
  const cli = startCli(args, { endpoints, killAfterMs: 150_000 });
  running.add(cli);
  return cli;
}

async function revisionOf(path: string): Promise<number> {
  const result = await corral(['--json', 'get', path]);
  expect(result.code).toBe(0);
  return jsonLines(result.stdout)[0].revision as number;
}

describe('sessions and ephemeral nodes', () => {
  test('register holds an ephemeral node; SIGTERM closes the session and the node goes at once', async () => {
    const register = start(['--json', 'register', '/svc/r1', 'ten.0.0.5', '--ttl', '3s']);
    await register.waitForOutput('"registered"');
    const [registered] = jsonLines(await register.waitForOutput('\n'));
    expect(registered).toMatchObject({ event: 'registered', path: '/svc/r1' });
    expect((await client.get('/svc/r1')).value.toString()).toBe('ten.0.0.5');
    const sessions = await corral(['--json', 'session', 'ls', 'svc']);
    const listed = jsonLines(sessions.stdout)[0].sessions as { sessionId: number; ephemeralCount: number; ttlMs: number }[];
    expect(listed).toContainEqual(expect.objectContaining({ sessionId: registered.sessionId, ephemeralCount: 1, ttlMs: 3000 }));
    register.child.kill('SIGTERM');
    const result = await register.result;
    expect(result.code).toBe(0);
    expect(await client.exists('/svc/r1')).toBeNull();
  });

  test('register killed with SIGKILL: the node vanishes once its TTL (plus grace) runs out', async () => {
    const register = start(['register', '/svc/r2', 'v', '--ttl', '2s']);
    await register.waitForOutput('registered');
    register.child.kill('SIGKILL');
    const killedAtMs = Date.now();
    await waitFor('the ephemeral node to vanish', async () => (await client.exists('/svc/r2')) === null, 30_000, 200);
    // TTL 2 s + keepalive batch interval + reconnect grace, well inside 15 s.
    expect(Date.now() - killedAtMs).toBeLessThan(15_000);
  });

  test('put --ephemeral --ttl leaves a node that lapses with its session; session ls shows it meanwhile', async () => {
    const put = await corral(['--json', 'put', '/svc/short', 'v', '--ephemeral', '--ttl', '2s']);
    expect(put.code).toBe(0);
    const owner = jsonLines(put.stdout)[0].ephemeralOwner as number;
    expect(owner).toBeGreaterThan(0);
    expect((await client.exists('/svc/short'))?.ephemeralOwner).toBe(owner);
    await waitFor('the ephemeral node to lapse', async () => (await client.exists('/svc/short')) === null, 30_000, 200);
  });

  test('session ls: text table', async () => {
    const result = await corral(['session', 'ls', 'svc']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^SESSION\s+TTL_MS\s+REMAINING_MS/);
  });
});

describe('watch', () => {
  test('--recursive --json from a revision: one object per event, REMOVE carries the last value, --count ends it', async () => {
    await client.put('/w/base', 'x');
    const from = (await revisionOf('/w/base')) + 1;
    const watch = start(['--json', 'watch', '/w', '--recursive', '--from-revision', String(from), '--count', '3']);
    await client.put('/w/a', 'one');
    await client.put('/w/a', 'two');
    await client.delete('/w/a');
    const result = await watch.result;
    expect(result.code).toBe(0);
    const events = jsonLines(result.stdout);
    expect(events.map((e) => e.type)).toEqual(['ADD', 'UPDATE', 'REMOVE']);
    expect(events.map((e) => e.path)).toEqual(['/w/a', '/w/a', '/w/a']);
    expect(events[1]).toMatchObject({ value: 'two', prevValue: 'one' });
    expect(events[2]).toMatchObject({ prevValue: 'two' });
    const revisions = events.map((e) => e.revision as number);
    expect(revisions[0]).toBeGreaterThanOrEqual(from);
    expect([...revisions].sort((a, b) => a - b)).toEqual(revisions);
  });

  test('--children --replay: the current children first, then changes; text lines', async () => {
    await client.put('/wc/p/x', '1');
    await client.put('/wc/p/y', '2');
    const watch = start(['watch', '/wc/p', '--children', '--replay', '--count', '3']);
    await watch.waitForOutput(/ADD \/wc\/p\/y/);
    await client.put('/wc/p/x/deeper', 'ignored: not a child');
    await client.put('/wc/p/z', '3');
    const result = await watch.result;
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ADD \/wc\/p\/x \d+ 1$/);
    expect(lines[1]).toMatch(/^ADD \/wc\/p\/y \d+ 2$/);
    expect(lines[2]).toMatch(/^ADD \/wc\/p\/z \d+ 3$/);
  });

  test('--replay with --from-revision, and --recursive with --children, are usage errors', async () => {
    const results = await Promise.all([
      corral(['watch', '/w', '--replay', '--from-revision', '3']),
      corral(['watch', '/w', '--recursive', '--children']),
    ]);
    expect(results.map((r) => r.code)).toEqual([2, 2]);
  });
});

describe('locks', () => {
  test('acquire prints token and session; a second acquire times out with exit 3; release frees it', async () => {
    const first = await corral(['--json', 'lock', 'acquire', 'jobs/a', '--ttl', '30s']);
    expect(first.code).toBe(0);
    const held = jsonLines(first.stdout)[0] as { name: string; token: number; sessionId: number };
    expect(held).toMatchObject({ name: '/jobs/a', token: expect.any(Number), sessionId: expect.any(Number) });
    const [busy, busyText, listed] = await Promise.all([
      corral(['lock', 'acquire', 'jobs/a', '--ttl', '30s', '--wait', '300ms']),
      corral(['lock', 'acquire', 'jobs/a', '--ttl', '30s']),
      corral(['--json', 'lock', 'ls', 'jobs']),
    ]);
    expect(busy.code).toBe(3);
    expect(busy.stderr).toMatch(/^corral: lock \/jobs\/a .*(wait timed out|held)/);
    expect(busyText.code).toBe(3);
    const locks = jsonLines(listed.stdout)[0].locks as { name: string; holderSessionId: number; token: number }[];
    expect(locks).toContainEqual(expect.objectContaining({ name: '/jobs/a', holderSessionId: held.sessionId, token: held.token }));
    const released = await corral(['lock', 'release', 'jobs/a', '--token', String(held.token)]);
    expect(released.code).toBe(0);
    const again = await corral(['lock', 'release', 'jobs/a', '--token', String(held.token)]);
    expect(again.code).toBe(1);
    const next = await corral(['lock', 'acquire', 'jobs/a', '--ttl', '2s']);
    expect(next.code).toBe(0);
    const token = Number(/token=(\d+) session=(\d+)/.exec(next.stdout)![1]);
    expect(token).toBeGreaterThan(held.token);
  });

  test('a lock taken by `lock acquire --ttl` frees itself after the TTL', async () => {
    const first = await corral(['--json', 'lock', 'acquire', 'jobs/ttl', '--ttl', '2s']);
    expect(first.code).toBe(0);
    const second = await corral(['lock', 'acquire', 'jobs/ttl', '--ttl', '2s', '--wait', '20s']);
    expect(second.code).toBe(0);
    expect(Number(/token=(\d+)/.exec(second.stdout)![1])).toBeGreaterThan(jsonLines(first.stdout)[0].token as number);
  });

  test('lock ls: text table', async () => {
    const result = await corral(['lock', 'ls', '/jobs']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^NAME\s+HOLDER\s+TOKEN/);
  });

  test('lock run: CORRAL_LOCK_TOKEN in the environment, the command\'s exit code, the lock released after', async () => {
    const result = await corral(['lock', 'run', 'jobs/run', '--', 'sh', '-c', 'echo "token=$CORRAL_LOCK_TOKEN name=$CORRAL_LOCK_NAME"; exit 7']);
    expect(result.code).toBe(7);
    expect(result.stdout).toMatch(/^token=\d+ name=\/jobs\/run$/m);
    expect((await client.locks.inspect('jobs/run')).holderSessionId).toBe(0);
    const [missing, noCommand] = await Promise.all([
      corral(['lock', 'run', 'jobs/run', '--', '/no/such/command']),
      corral(['lock', 'run', 'jobs/run']),
    ]);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/cannot run \/no\/such\/command/);
    expect(noCommand.code).toBe(2);
  });

  test('shell test: 8 concurrent `lock run jobs/x` never overlap, and their tokens increase', async () => {
    const file = join(dir, 'critical.log');
    const script = `echo "start $CORRAL_LOCK_TOKEN" >> ${file}; sleep 0.2; echo "end $CORRAL_LOCK_TOKEN" >> ${file}`;
    const runs = Array.from({ length: 8 }, () => corral(['lock', 'run', 'jobs/x', '--ttl', '10s', '--wait', '120s', '--', 'sh', '-c', script]));
    const results = await Promise.all(runs);
    for (const result of results) expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(16);
    const tokens: number[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const start = /^start (\d+)$/.exec(lines[i]);
      const end = /^end (\d+)$/.exec(lines[i + 1]);
      // Each critical section is a start immediately followed by its own end: no overlap.
      expect(start).not.toBeNull();
      expect(end).not.toBeNull();
      expect(end![1]).toBe(start![1]);
      tokens.push(Number(start![1]));
    }
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]);
  });

  test('lock run: when keepalives stop (cluster frozen), the command is stopped before the lease ends; exit 4', async () => {
    const marker = join(dir, 'lost.log');
    const ids = cluster.runningIds();
    const script = `trap 'echo "TERM $(date +%s%3N)" >> ${marker}; exit 143' TERM; echo started >> ${marker}; while true; do sleep 0.1; done`;
    const run = start(['lock', 'run', 'jobs/lost', '--ttl', '4s', '--', 'sh', '-c', script]);
    await waitFor('the command to start', () => existsSync(marker) && readFileSync(marker, 'utf8').includes('started'), 60_000, 100);
    const frozenAtMs = Date.now();
    for (const id of ids) await cluster.signal(id, 'SIGSTOP');
    let result;
    try {
      result = await run.result;
    } finally {
      for (const id of ids) await cluster.signal(id, 'SIGCONT');
    }
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/the command was terminated/);
    const term = /TERM (\d+)/.exec(readFileSync(marker, 'utf8'));
    expect(term).not.toBeNull();
    // The lease was 4 s from the last answered keepalive (sent before the freeze): the
    // command got SIGTERM before that.
    expect(Number(term![1]) - frozenAtMs).toBeLessThan(4_000);
    await cluster.waitForLeaders();
  });
});

describe('elect', () => {
  test('the first candidate leads; the second takes over when the first resigns on SIGTERM', async () => {
    const alpha = start(['--json', 'elect', 'el/leader', 'alpha', '--ttl', '4s']);
    await alpha.waitForOutput('"leading"');
    expect(await client.getString('/el/leader')).toBe('alpha');
    const beta = start(['elect', 'el/leader', 'beta', '--ttl', '4s']);
    // beta queues behind alpha: the leader stays alpha.
    await waitFor('beta to queue for the lock', async () => (await client.locks.inspect('el/leader')).waiters.length === 1, 30_000, 100);
    expect(await client.getString('/el/leader')).toBe('alpha');
    alpha.child.kill('SIGTERM');
    const alphaResult = await alpha.result;
    expect(alphaResult.code).toBe(0);
    expect(jsonLines(alphaResult.stdout).map((e) => e.event)).toEqual(['leading', 'resigned']);
    await beta.waitForOutput(/leading \/el\/leader \(token \d+\)/);
    expect(await client.getString('/el/leader')).toBe('beta');
    beta.child.kill('SIGINT');
    expect((await beta.result).code).toBe(0);
    expect(await client.exists('/el/leader')).toBeNull();
  });
});
