// In-memory implementations of the host's ports (storage, transport, state machine), so the
// host can be tested without RocksDB or gRPC.

import type { Entry, HardState, Message, NodeId, Snapshot, SnapshotMeta } from '../../server/raft/types';
import type {
  GroupId,
  GroupMessage,
  GroupStateMachine,
  GroupWrite,
  HostStorage,
  HostTransport,
  LoadedGroup,
} from '../../server/host/ports';

interface StoredGroup {
  hardState: HardState;
  entries: Entry[];
  snapshot: Snapshot | null;
  descriptor: Uint8Array | null;
}

export class MemoryStorage implements HostStorage {
  readonly groups = new Map<GroupId, StoredGroup>();
  writes = 0;

  private stored(groupId: GroupId): StoredGroup {
    let group = this.groups.get(groupId);
    if (group === undefined) {
      group = { hardState: { term: 0, vote: 0, commit: 0 }, entries: [], snapshot: null, descriptor: null };
      this.groups.set(groupId, group);
    }
    return group;
  }

  async write(batch: readonly GroupWrite[], _options?: { readonly sync?: boolean }): Promise<void> {
    this.writes += 1;
    for (const w of batch) {
      const group = this.stored(w.groupId);
      if (w.snapshot !== undefined) {
        group.snapshot = { meta: w.snapshot.meta, data: w.snapshot.data };
        group.entries = group.entries.filter((e) => e.index > w.snapshot!.meta.index);
      }
      if (w.entries !== undefined && w.entries.length > 0) {
        const first = w.entries[0].index;
        group.entries = group.entries.filter((e) => e.index < first).concat(w.entries);
      }
      if (w.hardState !== undefined) group.hardState = w.hardState;
      if (w.descriptor !== undefined) group.descriptor = w.descriptor;
    }
    await Promise.resolve();
  }

  async listGroups(): Promise<GroupId[]> {
    return [...this.groups.keys()];
  }

  async loadGroup(groupId: GroupId): Promise<LoadedGroup> {
    const group = this.stored(groupId);
    const meta: SnapshotMeta = group.snapshot?.meta ?? { index: 0, term: 0, conf: { voters: [], learners: [] } };
    return {
      initial: {
        hardState: group.hardState,
        snapshot: meta,
        entries: group.entries.filter((e) => e.index > meta.index),
        applied: meta.index,
      },
      descriptor: group.descriptor,
      corruption: null,
    };
  }

  async saveSnapshot(groupId: GroupId, meta: SnapshotMeta, data: Uint8Array): Promise<void> {
    this.stored(groupId).snapshot = { meta, data };
  }

  async loadSnapshot(groupId: GroupId): Promise<Snapshot | null> {
    return this.groups.get(groupId)?.snapshot ?? null;
  }

  async compact(groupId: GroupId, index: number): Promise<void> {
    const group = this.stored(groupId);
    group.entries = group.entries.filter((e) => e.index > index);
  }

  async deleteGroup(groupId: GroupId): Promise<void> {
    this.groups.delete(groupId);
  }
}

/** A loopback network of transports; links can be cut per direction. */
export class MemoryNetwork {
  private readonly endpoints = new Map<NodeId, MemoryTransport>();
  private readonly cut = new Set<string>();

  transport(nodeId: NodeId): MemoryTransport {
    const transport = new MemoryTransport(nodeId, this);
    this.endpoints.set(nodeId, transport);
    return transport;
  }

  disconnect(nodeId: NodeId): void {
    this.endpoints.delete(nodeId);
  }

  cutLink(from: NodeId, to: NodeId): void {
    this.cut.add(`${from}>${to}`);
  }

  isolate(nodeId: NodeId, others: readonly NodeId[]): void {
    for (const other of others) {
      this.cutLink(nodeId, other);
      this.cutLink(other, nodeId);
    }
  }

  heal(): void {
    this.cut.clear();
  }

  deliver(from: NodeId, to: NodeId, run: (target: MemoryTransport) => void): boolean {
    if (this.cut.has(`${from}>${to}`)) return false;
    const target = this.endpoints.get(to);
    if (target === undefined) return false;
    setImmediate(() => run(target));
    return true;
  }
}

type SnapshotHandler = (from: NodeId, groupId: GroupId, message: Message, data: Uint8Array) => Promise<void>;

export class MemoryTransport implements HostTransport {
  receiveHandler: (from: NodeId, messages: GroupMessage[]) => void = () => undefined;
  snapshotHandler: SnapshotHandler = async () => undefined;
  sent = 0;

  constructor(readonly nodeId: NodeId, private readonly network: MemoryNetwork) {}

  send(to: NodeId, messages: GroupMessage[]): void {
    this.sent += messages.length;
    this.network.deliver(this.nodeId, to, (target) => target.receiveHandler(this.nodeId, messages));
  }

  onReceive(handler: (from: NodeId, messages: GroupMessage[]) => void): void {
    this.receiveHandler = handler;
  }

  async sendSnapshot(to: NodeId, groupId: GroupId, message: Message, chunks: AsyncIterable<Uint8Array>): Promise<{ ok: boolean; error?: string }> {
    const parts: Uint8Array[] = [];
    for await (const chunk of chunks) parts.push(chunk);
    const data = Buffer.concat(parts);
    const delivered = this.network.deliver(this.nodeId, to, (target) => {
      void target.snapshotHandler(this.nodeId, groupId, message, data);
    });
    return delivered ? { ok: true } : { ok: false, error: 'unreachable' };
  }

  onSnapshot(handler: SnapshotHandler): void {
    this.snapshotHandler = handler;
  }
}

/** A tiny replicated map: data is JSON `{"k":..,"v":..}`; result is the previous value. */
export class MapStateMachine implements GroupStateMachine {
  values = new Map<string, string>();
  appliedIndex = 0;

  applyEntry(index: number, _term: number, data: Uint8Array): unknown {
    const { k, v } = JSON.parse(Buffer.from(data).toString('utf8')) as { k: string; v: string };
    const previous = this.values.get(k) ?? null;
    this.values.set(k, v);
    this.appliedIndex = index;
    return previous;
  }

  skipEntry(index: number): void {
    this.appliedIndex = index;
  }

  snapshot(): Uint8Array {
    return Buffer.from(JSON.stringify([...this.values]), 'utf8');
  }

  restore(data: Uint8Array, index: number): void {
    this.values = new Map(JSON.parse(Buffer.from(data).toString('utf8')) as [string, string][]);
    this.appliedIndex = index;
  }
}

export function put(k: string, v: string): Uint8Array {
  return Buffer.from(JSON.stringify({ k, v }), 'utf8');
}
