// Bad configuration gives a clear error at start-up, never a hang (real `corral server`
// processes): duplicate ids, a data dir of another cluster, joining the wrong cluster or one
// that cannot add members; and a node whose peers are unreachable starts, serves, and
// answers client calls with UNAVAILABLE within its request timeout.

import * as grpc from '@grpc/grpc-js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterClient } from '../../proto/gen/corral/v1/Cluster';
import type { ClusterStatusResponse__Output } from '../../proto/gen/corral/v1/ClusterStatusResponse';
import type { KVClient } from '../../proto/gen/corral/v1/KV';
import { loadCorralProto } from '../../proto/load';
import { freePort } from './harness';
import { ServerProcess } from './server-process';

jest.setTimeout(180_000);

const USAGE_EXIT_CODE = 2;
const START_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 1_500;

describe('bad configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'corral-bad-config-'));
  const processes: ServerProcess[] = [];
  const clients: grpc.Client[] = [];

  function server(args: readonly string[]): ServerProcess {
    const process = new ServerProcess(['--metrics-listen', '', '--log-level', 'warn', ...args]);
    processes.push(process);
    return process;
  }

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(processes.map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  test('duplicate ids in --initial-cluster: exit 2 before touching the data dir', async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const dataDir = join(dir, 'duplicate');
    const proc = server(['--id', '1', '--listen', `127.0.0.1:${p1}`, '--data-dir', dataDir, '--initial-cluster', `1=127.0.0.1:${p1},1=127.0.0.1:${p2}`]);
    expect(await proc.outcome(START_TIMEOUT_MS)).toMatchObject({ kind: 'exited', code: USAGE_EXIT_CODE });
    expect(proc.stderr).toContain('initialCluster: duplicate member id 1');
    expect(existsSync(dataDir)).toBe(false);
  });

  test('a data dir of another cluster is refused with both cluster ids', async () => {
    const port = await freePort();
    const dataDir = join(dir, 'other-cluster');
    const args = ['--id', '1', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--kv-groups', '1'];
    const first = server([...args, '--cluster-token', 'alpha']);
    expect(await first.outcome(START_TIMEOUT_MS)).toMatchObject({ kind: 'serving' });
    await first.stop();
    const second = server([...args, '--cluster-token', 'beta']);
    expect(await second.outcome(START_TIMEOUT_MS)).toMatchObject({ kind: 'exited', code: USAGE_EXIT_CODE });
    expect(second.stderr).toMatch(/data dir .* belongs to cluster "alpha-[0-9a-f]{8}", but this configuration describes cluster "beta-[0-9a-f]{8}"/);
  });

  test('a joining node must not be a founding member', async () => {
    const port = await freePort();
    const proc = server(['--id', '9', '--listen', `127.0.0.1:${port}`, '--data-dir', join(dir, 'founder-join'), '--join', `127.0.0.1:${port}`, '--initial-cluster', `9=127.0.0.1:${port}`]);
    expect(await proc.outcome(START_TIMEOUT_MS)).toMatchObject({ kind: 'exited', code: USAGE_EXIT_CODE });
    expect(proc.stderr).toContain('node 9 is in initialCluster, so it is a founding member and must not join');
  });

  test('joining an address where nothing answers fails after --join-timeout-ms', async () => {
    const [port, nobody] = [await freePort(), await freePort()];
    const proc = server(['--id', '9', '--listen', `127.0.0.1:${port}`, '--data-dir', join(dir, 'join-nobody'), '--join', `127.0.0.1:${nobody}`, '--join-timeout-ms', '2000']);
    expect(await proc.outcome(START_TIMEOUT_MS)).toMatchObject({ kind: 'exited', code: USAGE_EXIT_CODE });
    expect(proc.stderr).toContain(`could not reach the cluster to join at 127.0.0.1:${nobody} within 2000 ms`);
  });

  describe('a node whose peers are all unreachable', () => {
    let address = '';
    let status: ClusterStatusResponse__Output;

    beforeAll(async () => {
      const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
      address = `127.0.0.1:${p1}`;
      const lonely = server([
        '--id', '1', '--listen', address, '--data-dir', join(dir, 'lonely'), '--request-timeout-ms', String(REQUEST_TIMEOUT_MS),
        '--initial-cluster', `1=${address},2=127.0.0.1:${p2},3=127.0.0.1:${p3}`,
      ]);
      expect(await lonely.outcome(START_TIMEOUT_MS)).toMatchObject({ kind: 'serving' });
      const cluster = client<ClusterClient>('Cluster');
      status = await new Promise((resolve, reject) => cluster.Status({}, { deadline: Date.now() + 10_000 }, (e, r) => (e ? reject(e) : resolve(r!))));
    });

    function client<T>(service: 'KV' | 'Cluster'): T {
      const created = new (loadCorralProto().corral.v1[service])(address, grpc.credentials.createInsecure());
      clients.push(created);
      return created as unknown as T;
    }

    async function expectUnavailable(invoke: (deadline: number, cb: (error: grpc.ServiceError | null) => void) => void): Promise<void> {
      const error = await new Promise<grpc.ServiceError | null>((resolve) => invoke(Date.now() + REQUEST_TIMEOUT_MS + 5_000, resolve));
      expect(error?.code).toBe(grpc.status.UNAVAILABLE); // answered by the server, not cut by the client deadline
    }

    test('it serves its status', () => {
      expect(status.members.map((m) => Number(m.id))).toEqual([1, 2, 3]);
      expect(status.groups.every((g) => Number(g.leader) === 0)).toBe(true);
    });

    test('writes and linearizable reads fail with UNAVAILABLE within the request timeout', async () => {
      const kv = client<KVClient>('KV');
      await expectUnavailable((deadline, cb) => kv.Put({ path: '/app/x', value: Buffer.from('v') }, { deadline }, cb));
      await expectUnavailable((deadline, cb) => kv.Get({ path: '/app/x' }, { deadline }, cb));
    });

    test('joining it with another cluster token is refused at once', async () => {
      const port = await freePort();
      const proc = server(['--id', '9', '--listen', `127.0.0.1:${port}`, '--data-dir', join(dir, 'join-token'), '--join', address, '--cluster-token', 'other']);
      expect(await proc.outcome(START_TIMEOUT_MS)).toMatchObject({ kind: 'exited', code: USAGE_EXIT_CODE });
      expect(proc.stderr).toContain(`the cluster at ${address} is cluster "${status.cluster_id}", which does not have --cluster-token "other"`);
    });

    test('joining it fails after --join-timeout-ms: with no meta leader nobody can add a member', async () => {
      const port = await freePort();
      const proc = server(['--id', '9', '--listen', `127.0.0.1:${port}`, '--data-dir', join(dir, 'join-no-leader'), '--join', address, '--join-timeout-ms', '3000']);
      expect(await proc.outcome(START_TIMEOUT_MS)).toMatchObject({ kind: 'exited', code: USAGE_EXIT_CODE });
      expect(proc.stderr).toContain(`could not join the cluster at ${address} within 3000 ms`);
    });
  });
});
