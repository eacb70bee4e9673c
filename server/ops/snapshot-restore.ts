// `corral snapshot restore <file> --data-dir ... --id N --initial-cluster ...`: seeds the data
// directory of one node of a NEW cluster from a backup, offline. Run it on every node of the
// new cluster with the same file and the same cluster flags (--initial-cluster,
// --cluster-token, --replication), then start the nodes with those flags: each KV group
// starts from its saved image, so the new cluster has the same data.
//
// What carries over: every KV group's state (nodes, revisions, sessions, locks) and the slot
// map (which namespace lives in which group). What does not: members and addresses (the new
// --initial-cluster decides them), replica placement (recomputed), Raft logs and terms.
// Sessions restored live are expired by the new leaders after their TTL plus the reconnect
// grace: their clients belonged to the old cluster.

import { META_GROUP_ID, type GroupId } from '../host/ports';
import { KvStateMachine } from '../kv/state-machine';
import { initialLayout, type ClusterLayout } from '../meta/layout';
import { MetaStateMachine } from '../meta/meta-state-machine';
import { clusterIdOf, initialConfOf } from '../node/bootstrap';
import { kvLimitsOf } from '../node/corral-node';
import type { SnapshotMeta } from '../raft/types';
import { NodeStore } from '../storage/node-store';
import { assert } from '../util/assert';
import { type Backup, BackupFileError, readBackupFile } from './backup-file';
import { ConfigError, parseInitialCluster, type ServerConfig } from './config';

export interface RestoreSummary {
  readonly clusterId: string;
  readonly sourceClusterId: string;
  /** Groups written into this node's data dir (the meta group included). */
  readonly groups: readonly { readonly id: GroupId; readonly appliedIndex: number; readonly bytes: number }[];
}

/** Term stamped on restored snapshots: the new cluster elects its first leaders at term 2. */
const RESTORED_TERM = 1;

export async function restoreSnapshot(file: string, config: ServerConfig): Promise<RestoreSummary> {
  const backup = await readBackupFile(file);
  const members = parseInitialCluster(config.initialCluster);
  const clusterId = clusterIdOf(config.clusterToken, members);
  const layout = restoredLayout(savedLayout(backup, config), { clusterId, members, replication: config.replication });
  const kvImages = checkedKvImages(backup, layout, config);
  const store = await NodeStore.open({ dir: config.dataDir });
  try {
    if ((await store.readIdentity()) !== null || (await store.listGroups()).length > 0) {
      throw new ConfigError(`data dir ${config.dataDir} is not empty; restore seeds a new node only (use an empty --data-dir)`);
    }
    // The meta group as a fresh bootstrap writes it (index 0, the new layout)...
    const metaConf = initialConfOf(layout, META_GROUP_ID, config.id);
    assert(metaConf !== null, 'every member hosts a meta replica');
    await store.saveSnapshot(META_GROUP_ID, { index: 0, term: 0, conf: metaConf }, new MetaStateMachine(layout).snapshot());
    // ...then each hosted KV group from its saved image, then the identity, last: a directory
    // without identity was not restored completely (wipe it and run the restore again).
    const written: { id: GroupId; appliedIndex: number; bytes: number }[] = [{ id: META_GROUP_ID, appliedIndex: 0, bytes: 0 }];
    for (const group of layout.groups) {
      const conf = initialConfOf(layout, group.id, config.id);
      if (conf === null) continue;
      const image = kvImages.get(group.id);
      assert(image !== undefined, `group ${group.id}: image checked above`);
      await writeGroup(store, group.id, image.appliedIndex, conf, image.data);
      written.push({ id: group.id, appliedIndex: image.appliedIndex, bytes: image.data.length });
    }
    await store.writeIdentity({ clusterId, nodeId: config.id });
    return { clusterId, sourceClusterId: backup.manifest.clusterId, groups: written };
  } finally {
    await store.close();
  }
}

async function writeGroup(store: NodeStore, groupId: GroupId, appliedIndex: number, conf: SnapshotMeta['conf'], data: Uint8Array): Promise<void> {
  assert(Number.isSafeInteger(appliedIndex) && appliedIndex >= 0, `group ${groupId}: applied index ${appliedIndex}`);
  assert(conf.voters.length > 0, `group ${groupId}: restored without voters`);
  if (appliedIndex === 0) {
    await store.saveSnapshot(groupId, { index: 0, term: 0, conf }, data);
    return;
  }
  // Every replica of the new group starts from the same snapshot and the same hard state,
  // so any of them may win the first election; nothing above the snapshot exists yet.
  await store.write([{
    groupId,
    hardState: { term: RESTORED_TERM, vote: 0, commit: appliedIndex },
    snapshot: { meta: { index: appliedIndex, term: RESTORED_TERM, conf }, data },
  }]);
}

/** The old cluster's layout, read from its meta image with the meta state machine itself. */
function savedLayout(backup: Backup, config: ServerConfig): ClusterLayout {
  const entry = backup.manifest.groups.find((g) => g.id === META_GROUP_ID && g.kind === 'meta');
  const image = backup.images.get(META_GROUP_ID);
  if (entry === undefined || image === undefined) throw new BackupFileError('backup has no meta group image');
  const placeholder = initialLayout({ clusterId: 'restore', members: [{ id: config.id, address: config.advertise }], kvGroups: 1, replication: 1 });
  const machine = new MetaStateMachine(placeholder);
  machine.restore(image, entry.appliedIndex);
  return machine.layout;
}

/** The new cluster's layout: its own members and placement, the old groups and slot map. */
export function restoredLayout(saved: ClusterLayout, options: { clusterId: string; members: readonly { id: number; address: string }[]; replication: number }): ClusterLayout {
  const groupIds = saved.groups.map((g) => g.id).sort((a, b) => a - b);
  if (groupIds.length === 0) throw new BackupFileError('backup layout has no KV group');
  for (const slot of saved.slots) if (!groupIds.includes(slot)) throw new BackupFileError(`backup slot map names unknown group ${slot}`);
  const fresh = initialLayout({ clusterId: options.clusterId, members: options.members, kvGroups: groupIds.length, replication: options.replication, slotCount: saved.slots.length });
  return { ...fresh, groups: fresh.groups.map((group, i) => ({ ...group, id: groupIds[i] })), slots: [...saved.slots] };
}

/** Every KV group of the layout must have an image that restores cleanly (invariants hold). */
function checkedKvImages(backup: Backup, layout: ClusterLayout, config: ServerConfig): Map<GroupId, { appliedIndex: number; data: Uint8Array }> {
  const images = new Map<GroupId, { appliedIndex: number; data: Uint8Array }>();
  for (const group of layout.groups) {
    const entry = backup.manifest.groups.find((g) => g.id === group.id && g.kind === 'kv');
    const data = backup.images.get(group.id);
    if (entry === undefined || data === undefined) throw new BackupFileError(`backup lacks KV group ${group.id}`);
    let restored: KvStateMachine;
    try {
      restored = KvStateMachine.restore(data, kvLimitsOf(config));
    } catch (error) {
      throw new BackupFileError(`group ${group.id}: image does not restore: ${(error as Error).message}`);
    }
    if (restored.appliedIndex !== entry.appliedIndex) throw new BackupFileError(`group ${group.id}: image at ${restored.appliedIndex}, manifest says ${entry.appliedIndex}`);
    images.set(group.id, { appliedIndex: entry.appliedIndex, data });
  }
  return images;
}
