// `corral snapshot save <file>`: client side of a backup. It asks one endpoint for every
// group's image (Maintenance.Snapshot; the node fetches groups it does not host from their
// replicas), checks each image against its size and SHA-256, and writes the backup file
// atomically. It talks to the cluster only through the public API: no server internals.

import * as grpc from '@grpc/grpc-js';
import { loadCorralProto } from '../../proto/load';
import type { MaintenanceClient } from '../../proto/gen/corral/v1/Maintenance';
import type { SnapshotChunk__Output } from '../../proto/gen/corral/v1/SnapshotChunk';
import { type BackupGroup, type BackupManifest, BACKUP_FORMAT_VERSION, BackupFileError, sha256Hex, writeBackupFile } from './backup-file';

export interface SaveOptions {
  readonly endpoints: readonly string[];
  readonly file: string;
  /** Bound on the whole transfer from one endpoint. */
  readonly timeoutMs: number;
}

export interface SaveSummary {
  readonly manifest: BackupManifest;
  readonly fileBytes: number;
  readonly endpoint: string;
}

/** Largest single image accepted (a Buffer bound; images are held in memory). */
const IMAGE_BYTES_MAX = 1024 * 1024 * 1024;

export async function saveClusterSnapshot(options: SaveOptions): Promise<SaveSummary> {
  if (options.endpoints.length === 0) throw new BackupFileError('no endpoints given (--endpoints host:port,...)');
  let lastError: unknown = null;
  // Each endpoint is tried once, in order; only "unavailable" moves on to the next.
  for (const endpoint of options.endpoints) {
    try {
      const fetched = await fetchImages(endpoint, options.timeoutMs);
      const manifest: BackupManifest = { formatVersion: BACKUP_FORMAT_VERSION, clusterId: fetched.clusterId, takenAtMs: Date.now(), groups: fetched.groups };
      const fileBytes = await writeBackupFile(options.file, { manifest, images: fetched.images });
      return { manifest, fileBytes, endpoint };
    } catch (error) {
      lastError = error;
      if ((error as Partial<grpc.ServiceError>).code !== grpc.status.UNAVAILABLE) throw error;
    }
  }
  throw lastError;
}

interface Fetched {
  readonly clusterId: string;
  readonly groups: BackupGroup[];
  readonly images: Map<number, Uint8Array>;
}

async function fetchImages(endpoint: string, timeoutMs: number): Promise<Fetched> {
  const Maintenance = loadCorralProto().corral.v1.Maintenance;
  const client: MaintenanceClient = new Maintenance(endpoint, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
  try {
    const stream = client.Snapshot({}, { deadline: Date.now() + timeoutMs });
    const assembler = new ImageAssembler();
    for await (const chunk of stream as AsyncIterable<SnapshotChunk__Output>) assembler.add(chunk);
    return assembler.finish();
  } finally {
    client.close();
  }
}

/** Reassembles the chunk stream, checking that images arrive whole and in order. */
class ImageAssembler {
  private clusterId: string | null = null;
  private readonly groups: BackupGroup[] = [];
  private readonly images = new Map<number, Uint8Array>();
  private current: { readonly header: SnapshotChunk__Output; readonly parts: Buffer[]; received: number } | null = null;

  add(chunk: SnapshotChunk__Output): void {
    const groupId = Number(chunk.group_id);
    if (this.clusterId !== null && chunk.cluster_id !== this.clusterId) throw new BackupFileError(`group ${groupId} came from cluster ${chunk.cluster_id}, not ${this.clusterId}`);
    this.clusterId = chunk.cluster_id;
    if (this.current === null) {
      if (Number(chunk.offset) !== 0) throw new BackupFileError(`group ${groupId}: first chunk at offset ${chunk.offset}`);
      if (this.images.has(groupId)) throw new BackupFileError(`group ${groupId} sent twice`);
      if (Number(chunk.size_bytes) > IMAGE_BYTES_MAX) throw new BackupFileError(`group ${groupId}: image of ${chunk.size_bytes} bytes exceeds ${IMAGE_BYTES_MAX}`);
      this.current = { header: chunk, parts: [], received: 0 };
    }
    const current = this.current;
    if (Number(current.header.group_id) !== groupId || Number(chunk.offset) !== current.received) {
      throw new BackupFileError(`group ${groupId}: chunk at offset ${chunk.offset} out of order (expected group ${current.header.group_id} at ${current.received})`);
    }
    current.parts.push(Buffer.from(chunk.data));
    current.received += chunk.data.length;
    if (!chunk.last) return;
    const image = Buffer.concat(current.parts);
    const sizeBytes = Number(current.header.size_bytes);
    if (image.length !== sizeBytes || sha256Hex(image) !== chunk.sha256) throw new BackupFileError(`group ${groupId}: image damaged in transit (size or checksum)`);
    const kind = current.header.kind === 'meta' ? 'meta' : 'kv';
    this.groups.push({ id: groupId, kind, appliedIndex: Number(current.header.applied_index), sizeBytes, sha256: chunk.sha256, servedBy: Number(current.header.served_by) });
    this.images.set(groupId, image);
    this.current = null;
  }

  finish(): Fetched {
    if (this.current !== null) throw new BackupFileError(`group ${this.current.header.group_id}: stream ended inside its image`);
    if (this.clusterId === null || !this.groups.some((g) => g.kind === 'meta')) throw new BackupFileError('the stream carried no meta group image');
    return { clusterId: this.clusterId, groups: this.groups, images: this.images };
  }
}
