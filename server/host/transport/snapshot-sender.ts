// The client half of Peer.SendSnapshot: streams one snapshot in chunks on a connection of
// its own, honouring HTTP/2 flow control, and reports the outcome as a value.

import * as grpc from '@grpc/grpc-js';
import { AssertionError, assert } from '../../util/assert';
import { describeCallError } from './grpc-status';
import { passThrough, peerChannelOptions } from './channel-options';
import type { PeerProtocol } from './peer-protocol';
import { SEND_SNAPSHOT_PATH } from './peer-protocol';
import { peerMetadata } from './peer-metadata';
import { rechunk } from './rechunk';
import type { PeerTransportConfig } from './transport-config';
import type { WireDraft, WireSnapshotAck, WireSnapshotHeader } from './wire-types';

export type SnapshotFailureReason =
  | 'unknown-peer' // setPeer() never named the destination
  | 'busy' // snapshotsSendingMax snapshots are already being sent
  | 'aborted' // the caller's signal fired
  | 'closed' // the transport closed, or the peer was removed
  | 'unreachable' // the peer could not be reached (UNAVAILABLE)
  | 'rejected' // the peer refused it (too large, wrong cluster, its handler failed, ...)
  | 'source-failed' // the chunks iterable threw
  | 'incomplete'; // the peer acknowledged a different number of bytes than were sent

export type SnapshotSendResult =
  | { readonly ok: true; readonly bytes: number }
  | { readonly ok: false; readonly reason: SnapshotFailureReason; readonly error: string };

export interface SnapshotSendRequest {
  readonly address: string;
  readonly header: WireDraft<WireSnapshotHeader>;
  /** Must not reuse an array after yielding it (pieces may be views of it). */
  readonly chunks: AsyncIterable<Uint8Array>;
  /** Aborted with a SnapshotFailureReason ('aborted' or 'closed') as its reason. */
  readonly signal: AbortSignal;
  readonly config: PeerTransportConfig;
  readonly protocol: PeerProtocol;
}

type CallOutcome = { readonly error: grpc.ServiceError } | { readonly error: null; readonly ack: WireSnapshotAck };
type Written = { readonly ok: true; readonly bytes: number } | { readonly ok: false; readonly result: SnapshotSendResult };

export async function sendSnapshotCall(request: SnapshotSendRequest): Promise<SnapshotSendResult> {
  const client = new grpc.Client(request.address, grpc.credentials.createInsecure(), peerChannelOptions(request.config));
  try {
    return await streamSnapshot(client, request);
  } finally {
    client.close();
  }
}

async function streamSnapshot(client: grpc.Client, request: SnapshotSendRequest): Promise<SnapshotSendResult> {
  const { config, protocol, signal } = request;
  let settle: (outcome: CallOutcome) => void = () => undefined;
  const done = new Promise<CallOutcome>((resolve) => (settle = resolve));
  const call = client.makeClientStreamRequest<Buffer, WireSnapshotAck>(
    SEND_SNAPSHOT_PATH,
    passThrough,
    (bytes: Buffer) => protocol.snapshotAck.decode(bytes),
    peerMetadata(config),
    {},
    (error, ack) => settle(error !== null ? { error } : { error: null, ack: ack ?? { bytesReceived: 0 } }),
  );
  const cancel = (): void => call.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    if (signal.aborted) call.cancel();
    const written = await writePieces(call, request, done);
    if (!written.ok) {
      call.cancel();
      return written.result;
    }
    call.end();
    return interpret(await done, written.bytes, signal);
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

/** Writes every piece, waiting for 'drain' when gRPC's buffer is full. Stops early when the
 *  call ends (the peer refused it; `done` then says why) or the signal fires. */
async function writePieces(call: grpc.ClientWritableStream<Buffer>, request: SnapshotSendRequest, done: Promise<CallOutcome>): Promise<Written> {
  const { header, chunks, config, protocol, signal } = request;
  let ended = false;
  const whenEnded = done.then(() => (ended = true));
  let bytes = 0;
  let first = true;
  try {
    for await (const piece of rechunk(chunks, config.snapshotChunkBytes)) {
      if (signal.aborted) return { ok: false, result: abortedResult(signal) };
      if (ended) break;
      const encoded = protocol.snapshotChunk.encode({ header: first ? header : null, data: piece.data, last: piece.last });
      first = false;
      bytes += piece.data.length;
      if (!call.write(encoded)) await Promise.race([drained(call), whenEnded]);
    }
  } catch (error) {
    if (error instanceof AssertionError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, result: { ok: false, reason: 'source-failed', error: `snapshot source failed: ${reason}` } };
  }
  assert(!first || ended || signal.aborted, 'rechunk yields at least one piece');
  return { ok: true, bytes };
}

function drained(call: grpc.ClientWritableStream<Buffer>): Promise<void> {
  return new Promise((resolve) => call.once('drain', () => resolve()));
}

function interpret(outcome: CallOutcome, bytesSent: number, signal: AbortSignal): SnapshotSendResult {
  if (outcome.error === null) {
    if (outcome.ack.bytesReceived === bytesSent) return { ok: true, bytes: bytesSent };
    const error = `peer acknowledged ${outcome.ack.bytesReceived} snapshot bytes, ${bytesSent} were sent`;
    return { ok: false, reason: 'incomplete', error };
  }
  if (signal.aborted) return abortedResult(signal);
  const error = describeCallError(outcome.error);
  if (outcome.error.code === grpc.status.UNAVAILABLE) return { ok: false, reason: 'unreachable', error };
  return { ok: false, reason: 'rejected', error };
}

function abortedResult(signal: AbortSignal): SnapshotSendResult {
  const reason: SnapshotFailureReason = signal.reason === 'closed' ? 'closed' : 'aborted';
  return { ok: false, reason, error: reason === 'closed' ? 'peer transport closed' : 'snapshot send aborted' };
}
