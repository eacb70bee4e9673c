// The server half of Peer.SendSnapshot: assembles one snapshot from its chunks, bounded by
// snapshotBytesMax, and hands it to the snapshot handler once the last chunk has arrived.
// The call is acknowledged only after the handler's promise settles, so the sender's
// result says whether the image was taken in.

import * as grpc from '@grpc/grpc-js';
import type { Message, NodeId } from '../../raft/types';
import { assert } from '../../util/assert';
import { CorralError } from '../../util/errors';
import type { GroupId } from '../ports';
import { decodeMessage } from './codec';
import { toStatus } from './grpc-status';
import type { InboundContext } from './inbound-context';
import { admitPeer, clusterMismatch } from './peer-metadata';
import type { WireSnapshotAck, WireSnapshotChunk, WireSnapshotHeader } from './wire-types';

export type SnapshotHandler = (from: NodeId, groupId: GroupId, message: Message, data: Uint8Array) => Promise<void>;

type SnapshotCall = grpc.ServerReadableStream<Buffer, WireSnapshotAck>;
type Respond = grpc.sendUnaryData<WireSnapshotAck>;

class InboundSnapshot {
  finished = false;
  header: { readonly groupId: GroupId; readonly message: Message } | null = null;
  parts: Buffer[] = [];
  bytes = 0;
  lastSeen = false;

  constructor(
    readonly fromNode: NodeId,
    private readonly respond: Respond,
  ) {}

  finish(error: CorralError | null): void {
    if (this.finished) return;
    this.finished = true;
    this.parts = [];
    if (error === null) this.respond(null, { bytesReceived: this.bytes });
    else this.respond(toStatus(error));
  }
}

export class SnapshotReceiver {
  private handler: SnapshotHandler | null = null;
  private readonly open = new Set<InboundSnapshot>();
  private closed = false;

  constructor(private readonly context: InboundContext) {}

  setHandler(handler: SnapshotHandler): void {
    this.handler = handler;
  }

  /** The gRPC handler of Peer.SendSnapshot. */
  readonly handle = (call: SnapshotCall, respond: Respond): void => {
    const snapshot = this.admit(call, respond);
    if (snapshot === null) return;
    this.open.add(snapshot);
    const forget = (): void => {
      snapshot.finished = true;
      snapshot.parts = [];
      this.open.delete(snapshot);
    };
    call.on('data', (bytes: Buffer) => this.receive(snapshot, bytes));
    call.on('end', () => this.complete(snapshot));
    call.on('cancelled', forget);
    call.on('error', forget);
    call.sendMetadata(new grpc.Metadata());
  };

  /** Refuses every snapshot being received (UNAVAILABLE) and any new one. */
  close(): void {
    this.closed = true;
    const reason = new CorralError('unavailable', `node ${this.context.config.nodeId} is shutting down its peer transport`);
    for (const snapshot of this.open) snapshot.finish(reason);
    this.open.clear();
  }

  private admit(call: SnapshotCall, respond: Respond): InboundSnapshot | null {
    const { config } = this.context;
    let refusal: CorralError | null = null;
    const admission = admitPeer(call.metadata, config);
    if (this.closed) refusal = new CorralError('unavailable', `node ${config.nodeId} is shutting down its peer transport`);
    else if (!admission.ok) refusal = admission.error;
    else if (this.open.size >= config.snapshotsReceivingMax) {
      refusal = new CorralError('resource-exhausted', `node ${config.nodeId} is already receiving snapshotsReceivingMax (${config.snapshotsReceivingMax}) snapshots`);
    } else if (this.handler === null) {
      refusal = new CorralError('unavailable', `node ${config.nodeId} takes no snapshots yet (no handler)`);
    }
    if (refusal === null && admission.ok) return new InboundSnapshot(admission.fromNode, respond);
    if (admission.fromNode === null) this.context.countAnonymousRejection();
    else this.context.inbound(admission.fromNode).snapshotsRejected += 1;
    respond(toStatus(refusal ?? new CorralError('internal', 'snapshot refused')));
    return null;
  }

  private receive(snapshot: InboundSnapshot, bytes: Buffer): void {
    if (snapshot.finished) return;
    const error = this.addChunk(snapshot, bytes);
    if (error !== null) this.refuse(snapshot, error);
  }

  /** Takes one chunk in; a peer's bad input is returned as an error, never thrown. */
  private addChunk(snapshot: InboundSnapshot, bytes: Buffer): CorralError | null {
    const { config, protocol } = this.context;
    let chunk: WireSnapshotChunk;
    try {
      chunk = protocol.snapshotChunk.decode(bytes);
    } catch (error) {
      return new CorralError('invalid-argument', `undecodable snapshot chunk: ${String(error)}`);
    }
    if (snapshot.lastSeen) return new CorralError('invalid-argument', 'snapshot chunk after the last one');
    if (snapshot.header === null) {
      if (chunk.header === null) return new CorralError('invalid-argument', 'first snapshot chunk without a header');
      const header = this.checkHeader(snapshot.fromNode, chunk.header);
      if (header instanceof CorralError) return header;
      snapshot.header = header;
    } else if (chunk.header !== null) {
      return new CorralError('invalid-argument', 'snapshot header repeated after the first chunk');
    }
    snapshot.bytes += chunk.data.length;
    if (snapshot.bytes > config.snapshotBytesMax) {
      const { groupId } = snapshot.header;
      return new CorralError('resource-exhausted', `snapshot of group ${groupId} from node ${snapshot.fromNode} exceeds snapshotBytesMax (${config.snapshotBytesMax} bytes)`);
    }
    if (chunk.data.length > 0) snapshot.parts.push(Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.length));
    snapshot.lastSeen = chunk.last;
    return null;
  }

  private checkHeader(fromNode: NodeId, header: WireSnapshotHeader): { groupId: GroupId; message: Message } | CorralError {
    const { config } = this.context;
    if (header.clusterId !== config.clusterId) return clusterMismatch(config, fromNode, header.clusterId);
    if (header.fromNode !== fromNode) {
      return new CorralError('invalid-argument', `snapshot header claims from_node ${header.fromNode} on a call of node ${fromNode}`);
    }
    if (header.message === null) return new CorralError('invalid-argument', 'snapshot header without a message');
    try {
      const message = decodeMessage(header.message);
      if (message.type !== 'snap' || message.snapshot === null) {
        return new CorralError('invalid-argument', `snapshot header carries a '${message.type}' message, not a 'snap' with a snapshot`);
      }
      return { groupId: header.groupId, message };
    } catch (error) {
      if (error instanceof CorralError) return error;
      throw error;
    }
  }

  private complete(snapshot: InboundSnapshot): void {
    if (snapshot.finished) return;
    if (!snapshot.lastSeen || snapshot.header === null) {
      this.refuse(snapshot, new CorralError('invalid-argument', 'snapshot stream ended before its last chunk'));
      return;
    }
    const handler = this.handler;
    assert(handler !== null, 'a snapshot is admitted only with a handler');
    const { groupId, message } = snapshot.header;
    const data = Buffer.concat(snapshot.parts, snapshot.bytes);
    snapshot.parts = [];
    assert(data.length === snapshot.bytes, 'assembled snapshot has the counted size');
    const counters = this.context.inbound(snapshot.fromNode);
    // Both outcomes are handled: the promise is observed, not floating.
    void handler(snapshot.fromNode, groupId, message, data).then(
      () => {
        counters.snapshotsReceived += 1;
        counters.snapshotBytesReceived += data.length;
        snapshot.finish(null);
        this.open.delete(snapshot);
      },
      (error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        this.refuse(snapshot, new CorralError('aborted', `snapshot of group ${groupId} not installed: ${reason}`));
      },
    );
  }

  private refuse(snapshot: InboundSnapshot, error: CorralError): void {
    this.context.inbound(snapshot.fromNode).snapshotsRejected += 1;
    snapshot.finish(error);
    this.open.delete(snapshot);
  }
}
