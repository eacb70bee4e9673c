// Backup and restore end to end: data written to a live 3-node cluster is saved with
// `corral snapshot save`, restored with `corral snapshot restore` into three fresh data dirs
// of a NEW cluster, and that cluster, once started, holds identical data on every node.

import * as grpc from '@grpc/grpc-js';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCorralProto } from '../../proto/load';
import type { SnapshotChunk__Output } from '../../proto/gen/corral/v1/SnapshotChunk';
import { KvStateMachine } from '../../server/kv/state-machine';
import { readBackupFile } from '../../server/ops/backup-file';
import { TestCluster, call } from '../cluster/harness';

jest.setTimeout(180_000);

const BIN = join(__dirname, '..', '..', 'bin', 'corral');
const RETRYABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.ABORTED]);

function runCorral(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** Every node of a KV image with its data and stat, plus revision, sessions and locks:
 *  everything but the applied index (which the new cluster's no-op entries advance). */
function dumpImage(image: Uint8Array): string {
  const machine = KvStateMachine.restore(image);
  const nodes: string[] = [];
  const pending = ['/'];
  for (let visited = 0; pending.length > 0 && visited < 100_000; visited++) {
    const path = pending.pop()!;
    let after: string | undefined;
    for (let page = 0; page < 1_000; page++) {
      const listed = machine.list(path, { pageSize: 100, ...(after !== undefined ? { after } : {}) });
      if (!listed.ok) throw new Error(`list ${path}: ${listed.message}`);
      for (const name of listed.names) {
        const child = path === '/' ? `/${name}` : `${path}/${name}`;
        const node = machine.get(child)!;
        nodes.push(`${child}=${Buffer.from(node.value).toString('hex')} ${JSON.stringify(node.stat)}`);
        pending.push(child);
      }
      if (!listed.more) break;
      after = listed.names[listed.names.length - 1];
    }
  }
  return JSON.stringify({ revision: machine.revision, nodes: nodes.sort(), sessions: machine.sessions(), locks: machine.locks() });
}

async function put(cluster: TestCluster, path: string, value: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await call((cb) => cluster.kv(1 + (attempt % 3)).Put({ path, value: Buffer.from(value) }, { deadline: Date.now() + 10_000 }, cb));
      return;
    } catch (error) {
      if (!RETRYABLE.has((error as grpc.ServiceError).code)) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`put ${path} never succeeded`);
}

/** Each group's image as this node's replica holds it (serializable, no forwarding). */
async function localImages(address: string): Promise<Map<number, Buffer>> {
  const client = new (loadCorralProto().corral.v1.Maintenance)(address, grpc.credentials.createInsecure());
  try {
    const images = new Map<number, Buffer[]>();
    const stream = client.Snapshot({ local_only: true, serializable: true }, { deadline: Date.now() + 30_000 });
    for await (const chunk of stream as AsyncIterable<SnapshotChunk__Output>) {
      const id = Number(chunk.group_id);
      images.set(id, [...(images.get(id) ?? []), Buffer.from(chunk.data)]);
    }
    return new Map([...images].map(([id, parts]) => [id, Buffer.concat(parts)]));
  } finally {
    client.close();
  }
}

describe('snapshot save -> restore into a new cluster', () => {
  let source: TestCluster | undefined;
  let target: TestCluster | undefined;
  const backupDir = mkdtempSync(join(tmpdir(), 'corral-backup-'));

  afterAll(async () => {
    await source?.stop();
    await target?.stop();
    rmSync(backupDir, { recursive: true, force: true });
  });

  test('the new cluster holds identical data on every node', async () => {
    source = await TestCluster.start({ nodes: 3, kvGroups: 3, args: ['--snapshot-entries', '50', '--catch-up-entries', '10'] });
    await source.waitForLeaders();
    const model = new Map<string, string>();
    for (let i = 0; i < 120; i++) {
      const path = `/ns${i % 6}/dir-${i % 4}/item-${i}`;
      model.set(path, `value-${i}`);
      await put(source, path, `value-${i}`);
    }
    for (let i = 0; i < 120; i += 7) {
      const path = `/ns${i % 6}/dir-${i % 4}/item-${i}`;
      model.set(path, `rewritten-${i}`); // version 2
      await put(source, path, `rewritten-${i}`);
    }
    const file = join(backupDir, 'backup.corral');
    const saved = await runCorral(['snapshot', 'save', file, '--endpoints', source.address(2)]);
    expect([saved.code, saved.stderr]).toEqual([0, '']);
    expect(saved.stdout).toContain('saved 4 groups');

    const backup = await readBackupFile(file);
    expect(backup.manifest.groups.map((g) => [g.id, g.kind])).toEqual([[0, 'meta'], [1, 'kv'], [2, 'kv'], [3, 'kv']]);
    const savedDumps = new Map([1, 2, 3].map((id) => [id, dumpImage(backup.images.get(id)!)]));
    const savedPaths = [...savedDumps.values()].flatMap((dump) => (JSON.parse(dump) as { nodes: string[] }).nodes);
    for (const [path, value] of model) expect(savedPaths.some((n) => n.startsWith(`${path}=${Buffer.from(value).toString('hex')} `))).toBe(true);
    await source.stop();
    source = undefined;

    target = await TestCluster.prepare({ nodes: 3, kvGroups: 1 }); // --kv-groups is ignored after a restore
    for (const spec of target.specs) {
      const restored = await runCorral(['snapshot', 'restore', file, '--id', String(spec.id), '--data-dir', spec.dataDir, '--initial-cluster', target.initialCluster]);
      expect([restored.code, restored.stderr]).toEqual([0, '']);
      expect(restored.stdout).toContain(`restored node ${spec.id}`);
    }
    const again = await runCorral(['snapshot', 'restore', file, '--id', '1', '--data-dir', target.spec(1).dataDir, '--initial-cluster', target.initialCluster]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('not empty');

    await target.startAll();
    await target.waitForLeaders();
    for (const id of [1, 2, 3]) {
      const images = await localImages(target.address(id));
      for (const group of [1, 2, 3]) expect([id, group, dumpImage(images.get(group)!)]).toEqual([id, group, savedDumps.get(group)]);
      for (const [path, value] of model) {
        const response = await call<{ value: Buffer }>((cb) => target!.kv(id).Get({ path }, { deadline: Date.now() + 10_000 }, cb));
        expect([id, path, response.value.toString()]).toEqual([id, path, value]);
      }
    }
    // The new cluster takes writes.
    await put(target, '/ns0/after-restore', 'yes');
  });
});
