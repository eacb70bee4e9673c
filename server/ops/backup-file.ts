// The backup file written by `corral snapshot save` and read by `corral snapshot restore`:
//
//   "CORRAL-BACKUP\n"  magic (14 bytes)
//   u32 BE             format version (1)
//   u32 BE             manifest length, then the manifest (JSON, UTF-8)
//   bytes              each group's image, in manifest order, sizes as in the manifest
//   32 bytes           SHA-256 of everything before it
//
// Each image also carries its own SHA-256 in the manifest, so a damaged file names the group.
// Client-side and server-side code share this module; it imports nothing from the server.

import { createHash } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';

const MAGIC = Buffer.from('CORRAL-BACKUP\n', 'utf8');
export const BACKUP_FORMAT_VERSION = 1;
const DIGEST_BYTES = 32;
/** Largest backup handled (a Node Buffer's practical bound; images live in memory anyway). */
export const BACKUP_BYTES_MAX = 2 * 1024 * 1024 * 1024 - 1;
const MANIFEST_BYTES_MAX = 16 * 1024 * 1024;

export interface BackupGroup {
  readonly id: number;
  readonly kind: 'meta' | 'kv';
  /** The image reflects the group's log up to this index. */
  readonly appliedIndex: number;
  readonly sizeBytes: number;
  /** Hex SHA-256 of the image. */
  readonly sha256: string;
  /** The node whose replica produced the image. */
  readonly servedBy: number;
}

export interface BackupManifest {
  readonly formatVersion: number;
  /** The cluster the backup was taken from (a restore seeds a new cluster id). */
  readonly clusterId: string;
  readonly takenAtMs: number;
  readonly groups: readonly BackupGroup[];
}

export interface Backup {
  readonly manifest: BackupManifest;
  /** group id -> image */
  readonly images: ReadonlyMap<number, Uint8Array>;
}

export class BackupFileError extends Error {
  override readonly name = 'BackupFileError';
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function encodeBackup(backup: Backup): Buffer {
  const parts: Buffer[] = [MAGIC, u32(BACKUP_FORMAT_VERSION)];
  const manifest = Buffer.from(JSON.stringify(backup.manifest), 'utf8');
  if (manifest.length > MANIFEST_BYTES_MAX) throw new BackupFileError(`manifest of ${manifest.length} bytes exceeds ${MANIFEST_BYTES_MAX}`);
  parts.push(u32(manifest.length), manifest);
  for (const group of backup.manifest.groups) {
    const image = backup.images.get(group.id);
    if (image === undefined || image.length !== group.sizeBytes || sha256Hex(image) !== group.sha256) {
      throw new BackupFileError(`group ${group.id}: image missing or not matching its manifest entry`);
    }
    parts.push(Buffer.from(image.buffer, image.byteOffset, image.length));
  }
  const body = Buffer.concat(parts);
  if (body.length + DIGEST_BYTES > BACKUP_BYTES_MAX) throw new BackupFileError(`backup of ${body.length} bytes exceeds ${BACKUP_BYTES_MAX}`);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

export function decodeBackup(bytes: Buffer): Backup {
  if (bytes.length < MAGIC.length + 8 + DIGEST_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupFileError('not a Corral backup (bad magic)');
  const body = bytes.subarray(0, bytes.length - DIGEST_BYTES);
  if (!createHash('sha256').update(body).digest().equals(bytes.subarray(bytes.length - DIGEST_BYTES))) {
    throw new BackupFileError('backup is damaged: its checksum does not match (truncated or modified)');
  }
  const version = body.readUInt32BE(MAGIC.length);
  if (version !== BACKUP_FORMAT_VERSION) throw new BackupFileError(`backup format ${version} is not supported (this build reads ${BACKUP_FORMAT_VERSION})`);
  const manifestBytes = body.readUInt32BE(MAGIC.length + 4);
  let offset = MAGIC.length + 8;
  if (manifestBytes > MANIFEST_BYTES_MAX || offset + manifestBytes > body.length) throw new BackupFileError('backup manifest length is out of bounds');
  const manifest = parseManifest(body.subarray(offset, offset + manifestBytes).toString('utf8'));
  offset += manifestBytes;
  const images = new Map<number, Uint8Array>();
  for (const group of manifest.groups) {
    if (offset + group.sizeBytes > body.length) throw new BackupFileError(`group ${group.id}: image runs past the end of the file`);
    const image = body.subarray(offset, offset + group.sizeBytes);
    if (sha256Hex(image) !== group.sha256) throw new BackupFileError(`group ${group.id}: image checksum mismatch`);
    images.set(group.id, image);
    offset += group.sizeBytes;
  }
  if (offset !== body.length) throw new BackupFileError(`${body.length - offset} unexpected bytes after the last image`);
  return { manifest, images };
}

function parseManifest(text: string): BackupManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BackupFileError(`backup manifest is not JSON: ${(error as Error).message}`);
  }
  const manifest = value as Partial<BackupManifest>;
  if (typeof manifest !== 'object' || manifest === null || typeof manifest.clusterId !== 'string' || !Array.isArray(manifest.groups)) {
    throw new BackupFileError('backup manifest lacks clusterId or groups');
  }
  const seen = new Set<number>();
  for (const group of manifest.groups as Partial<BackupGroup>[]) {
    const sound = Number.isSafeInteger(group.id) && (group.kind === 'meta' || group.kind === 'kv') && Number.isSafeInteger(group.appliedIndex) &&
      Number.isSafeInteger(group.sizeBytes) && (group.sizeBytes ?? -1) >= 0 && typeof group.sha256 === 'string';
    if (!sound) throw new BackupFileError(`backup manifest has a malformed group entry: ${JSON.stringify(group)}`);
    if (seen.has(group.id as number)) throw new BackupFileError(`backup manifest lists group ${group.id} twice`);
    seen.add(group.id as number);
  }
  return manifest as BackupManifest;
}

/** Writes the file atomically: a temporary file, fsynced, then renamed over `path`. */
export async function writeBackupFile(path: string, backup: Backup): Promise<number> {
  const bytes = encodeBackup(backup);
  const temporary = `${path}.tmp-${process.pid}`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, path);
  return bytes.length;
}

export async function readBackupFile(path: string): Promise<Backup> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new BackupFileError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return decodeBackup(bytes);
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}
