// The Maintenance service: `Snapshot` streams every group's state machine image for backups
// (`corral snapshot save`). A group with a replica here is served from it after a ReadIndex
// barrier (a linearizable read point); any other group is fetched from a node that hosts it
// (one forward, `local_only`), so one endpoint is enough to back up the whole cluster.

import * as grpc from '@grpc/grpc-js';
import { createHash } from 'node:crypto';
import type { MaintenanceHandlers } from '../../proto/gen/corral/v1/Maintenance';
import type { SnapshotChunk, SnapshotChunk__Output } from '../../proto/gen/corral/v1/SnapshotChunk';
import type { SnapshotRequest, SnapshotRequest__Output } from '../../proto/gen/corral/v1/SnapshotRequest';
import { META_GROUP_ID, type GroupId } from '../host/ports';
import { assert } from '../util/assert';
import { CorralError } from '../util/errors';
import { HOPS_MAX, type ApiContext } from './api-context';
import { ForwardedError, HOPS_KEY, hopsOf } from './forwarder';
import { toServiceError } from './status-map';

/** Image bytes per streamed message (well under the 16 MiB message limit). */
export const SNAPSHOT_CHUNK_BYTES = 1024 * 1024;
/** Bound on groups named in one request. */
const GROUPS_PER_REQUEST_MAX = 4096;
/** A forwarded stream without a client deadline still ends. */
const FORWARD_TIMEOUT_MS = 10 * 60_000;

type SnapshotCall = grpc.ServerWritableStream<SnapshotRequest__Output, SnapshotChunk>;
type SnapshotMethod = grpc.MethodDefinition<SnapshotRequest, SnapshotChunk__Output>;

export function maintenanceHandlers(context: ApiContext, clusterId: string, methods: Record<string, grpc.MethodDefinition<unknown, unknown>>): MaintenanceHandlers {
  const method = methods.Snapshot as unknown as SnapshotMethod;
  return {
    Snapshot: (call) => {
      streamSnapshots(context, clusterId, call, method).then(
        () => call.end(),
        (error: unknown) => call.emit('error', error instanceof ForwardedError ? error.status : toServiceError(error)),
      );
    },
  };
}

function requestedGroups(context: ApiContext, request: SnapshotRequest__Output): GroupId[] {
  const known = [META_GROUP_ID, ...context.router.kvGroupIds()];
  if (request.group_ids.length === 0) return known;
  if (request.group_ids.length > GROUPS_PER_REQUEST_MAX) throw new CorralError('invalid-argument', `at most ${GROUPS_PER_REQUEST_MAX} group ids per request`);
  const wanted = [...new Set(request.group_ids.map(Number))];
  for (const groupId of wanted) if (!known.includes(groupId)) throw new CorralError('not-found', `group ${groupId} does not exist`);
  return wanted;
}

async function streamSnapshots(context: ApiContext, clusterId: string, call: SnapshotCall, method: SnapshotMethod): Promise<void> {
  const request = call.request;
  for (const groupId of requestedGroups(context, request)) {
    if (call.cancelled) return;
    if (context.host.group(groupId) !== undefined) {
      await sendLocalImage(context, clusterId, call, groupId, request.serializable);
    } else if (request.local_only) {
      throw new CorralError('not-found', `group ${groupId} has no replica on node ${context.options.nodeId}`);
    } else {
      await relayRemoteImage(context, call, method, groupId);
    }
  }
}

async function sendLocalImage(context: ApiContext, clusterId: string, call: SnapshotCall, groupId: GroupId, serializable: boolean): Promise<void> {
  const readIndex = serializable ? 0 : await context.host.readBarrier(groupId, context.options.requestTimeoutMs);
  const replica = context.host.group(groupId);
  if (replica === undefined) throw new CorralError('unavailable', `group ${groupId} left node ${context.options.nodeId}; retry`);
  // Synchronous: the image and its index come from the same applied state.
  const image = replica.sm.snapshot();
  const appliedIndex = replica.sm.appliedIndex;
  assert(appliedIndex >= readIndex, `group ${groupId}: image at ${appliedIndex} is older than its read point ${readIndex}`);
  const sha256 = createHash('sha256').update(image).digest('hex');
  const header = {
    group_id: groupId, kind: groupId === META_GROUP_ID ? 'meta' : 'kv', applied_index: appliedIndex, size_bytes: image.length,
    served_by: context.options.nodeId, cluster_id: clusterId,
  };
  for (let offset = 0; offset < image.length || offset === 0; offset += SNAPSHOT_CHUNK_BYTES) {
    const end = Math.min(image.length, offset + SNAPSHOT_CHUNK_BYTES);
    const last = end === image.length;
    await writeChunk(call, { ...header, offset, data: image.subarray(offset, end), last, sha256: last ? sha256 : '' });
    if (last) return;
  }
}

/** Streams one group's image from a node that hosts it, trying each replica until one
 *  answers (a replica that fails part-way fails the call: chunks already sent stay sent). */
async function relayRemoteImage(context: ApiContext, call: SnapshotCall, method: SnapshotMethod, groupId: GroupId): Promise<void> {
  const hops = hopsOf(call.metadata);
  if (hops >= HOPS_MAX) throw new CorralError('unavailable', `group ${groupId}: not hosted on node ${context.options.nodeId} and forwarded too often`);
  const replicas = context.router.replicasOf(groupId).filter((id) => id !== context.options.nodeId);
  let lastError: unknown = new CorralError('unavailable', `group ${groupId}: no replica reachable`, { groupId });
  for (const nodeId of replicas) {
    const address = context.router.addressOf(nodeId);
    if (address === undefined) continue;
    const client = new grpc.Client(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 16 * 1024 * 1024 });
    let relayed = 0;
    try {
      const metadata = new grpc.Metadata();
      metadata.set(HOPS_KEY, String(hops + 1));
      const deadline = Number.isFinite(Number(call.getDeadline())) ? call.getDeadline() : Date.now() + FORWARD_TIMEOUT_MS;
      const request: SnapshotRequest = { group_ids: [groupId], local_only: true, serializable: call.request.serializable };
      const stream = client.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, request, metadata, { deadline });
      for await (const chunk of stream as AsyncIterable<SnapshotChunk__Output>) {
        if (Number(chunk.group_id) !== groupId) throw new CorralError('internal', `node ${nodeId} sent group ${chunk.group_id} for group ${groupId}`);
        await writeChunk(call, chunk);
        relayed += 1;
      }
      return;
    } catch (error) {
      const status = (error as Partial<grpc.ServiceError>).code;
      if (relayed > 0 || (status !== grpc.status.UNAVAILABLE && status !== grpc.status.NOT_FOUND)) throw isServiceError(error) ? new ForwardedError(error) : error;
      lastError = error;
    } finally {
      client.close();
    }
  }
  throw isServiceError(lastError) ? new ForwardedError(lastError) : lastError;
}

function isServiceError(error: unknown): error is grpc.ServiceError {
  return error instanceof Error && typeof (error as Partial<grpc.ServiceError>).code === 'number' && 'metadata' in error;
}

/** Writes one message, waiting for the stream to drain (bounded memory); fails if the client
 *  goes away meanwhile. */
function writeChunk(call: SnapshotCall, chunk: SnapshotChunk): Promise<void> {
  if (call.cancelled) return Promise.reject(new CorralError('unavailable', 'client cancelled the snapshot'));
  if (call.write(chunk)) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onDrain = (): void => { call.off('cancelled', onCancel); resolve(); };
    const onCancel = (): void => { call.off('drain', onDrain); reject(new CorralError('unavailable', 'client cancelled the snapshot')); };
    call.once('drain', onDrain);
    call.once('cancelled', onCancel);
  });
}
