// The meta group's replicated state: members, the KV group catalog, the slot map.
// Meta traffic is tiny (membership and placement changes), so commands are JSON.

import type { NodeId } from '../raft/types';
import { assert } from '../util/assert';
import { META_GROUP_ID, type GroupStateMachine } from '../host/ports';
import type { ClusterLayout, GroupRecord, MemberRecord } from './layout';

export type MetaCommand =
  | { readonly type: 'add-member'; readonly id: NodeId; readonly address: string }
  | { readonly type: 'set-member-state'; readonly id: NodeId; readonly state: MemberRecord['state'] }
  | { readonly type: 'create-group'; readonly group: GroupRecord }
  | {
      readonly type: 'set-group-replicas';
      readonly id: number;
      readonly voters: readonly NodeId[];
      readonly learners: readonly NodeId[];
      /** Compare-and-set: applied only if the group's epoch is still this. */
      readonly expectedEpoch: number;
    }
  | { readonly type: 'set-preferred-leader'; readonly id: number; readonly nodeId: NodeId }
  | { readonly type: 'set-meta-voters'; readonly voters: readonly NodeId[] }
  | { readonly type: 'assign-slots'; readonly assignments: readonly (readonly [number, number])[] };

export type MetaResult = { readonly ok: true } | { readonly ok: false; readonly message: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeMetaCommand(command: MetaCommand): Uint8Array {
  return encoder.encode(JSON.stringify(command));
}

export function decodeMetaCommand(data: Uint8Array): MetaCommand {
  return JSON.parse(decoder.decode(data)) as MetaCommand;
}

interface MetaImage {
  readonly layout: ClusterLayout;
  readonly appliedIndex: number;
}

export class MetaStateMachine implements GroupStateMachine {
  private layoutValue: ClusterLayout;
  private applied = 0;
  private readonly listeners = new Set<(layout: ClusterLayout) => void>();

  constructor(initial: ClusterLayout) {
    this.layoutValue = initial;
  }

  get appliedIndex(): number {
    return this.applied;
  }

  get layout(): ClusterLayout {
    return this.layoutValue;
  }

  /** Called after every change of the layout (applied command or restored snapshot). */
  onChange(listener: (layout: ClusterLayout) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  member(id: NodeId): MemberRecord | undefined {
    return this.layoutValue.members.find((m) => m.id === id);
  }

  group(id: number): GroupRecord | undefined {
    return this.layoutValue.groups.find((g) => g.id === id);
  }

  applyEntry(index: number, _term: number, data: Uint8Array): MetaResult {
    assert(index === this.applied + 1, `meta apply gap: ${index} after ${this.applied}`);
    this.applied = index;
    const result = this.applyCommand(decodeMetaCommand(data));
    if (result.ok) this.notify();
    return result;
  }

  skipEntry(index: number): void {
    assert(index === this.applied + 1, `meta skip gap: ${index} after ${this.applied}`);
    this.applied = index;
  }

  snapshot(): Uint8Array {
    const image: MetaImage = { layout: this.layoutValue, appliedIndex: this.applied };
    return encoder.encode(JSON.stringify(image));
  }

  restore(data: Uint8Array, index: number): void {
    const image = JSON.parse(decoder.decode(data)) as MetaImage;
    assert(image.appliedIndex === index, `meta snapshot is at ${image.appliedIndex}, expected ${index}`);
    this.layoutValue = image.layout;
    this.applied = index;
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener(this.layoutValue);
  }

  private applyCommand(command: MetaCommand): MetaResult {
    const layout = this.layoutValue;
    switch (command.type) {
      case 'add-member': {
        const existing = this.member(command.id);
        if (existing !== undefined) {
          // Ids are never reused: a removed node's old process may still be running.
          return { ok: false, message: `node id ${command.id} is already ${existing.state === 'removed' ? 'used by a removed member; pick a new id' : 'a member'}` };
        }
        if (layout.members.some((m) => m.address === command.address && m.state !== 'removed')) {
          return { ok: false, message: `address ${command.address} is already used by another member` };
        }
        const member: MemberRecord = { id: command.id, address: command.address, state: 'active' };
        return this.set({ ...layout, members: [...layout.members, member].sort((a, b) => a.id - b.id) });
      }
      case 'set-member-state': {
        const member = this.member(command.id);
        if (member === undefined) return { ok: false, message: `unknown member ${command.id}` };
        if (member.state === 'removed' && command.state !== 'removed') return { ok: false, message: `member ${command.id} was removed` };
        return this.set({ ...layout, members: layout.members.map((m) => (m.id === command.id ? { ...m, state: command.state } : m)) });
      }
      case 'create-group': {
        if (this.group(command.group.id) !== undefined) return { ok: false, message: `group ${command.group.id} already exists` };
        if (command.group.id <= META_GROUP_ID) return { ok: false, message: `group id ${command.group.id} is reserved` };
        if (command.group.voters.length === 0) return { ok: false, message: `group ${command.group.id} needs at least one voter` };
        return this.set({ ...layout, groups: [...layout.groups, command.group].sort((a, b) => a.id - b.id) });
      }
      case 'set-group-replicas': {
        const group = this.group(command.id);
        if (group === undefined) return { ok: false, message: `unknown group ${command.id}` };
        if (group.epoch !== command.expectedEpoch) return { ok: false, message: `group ${command.id} epoch is ${group.epoch}, not ${command.expectedEpoch}` };
        if (command.voters.length === 0) return { ok: false, message: `group ${command.id} needs at least one voter` };
        const updated: GroupRecord = { ...group, voters: [...command.voters], learners: [...command.learners], epoch: group.epoch + 1 };
        return this.set({ ...layout, groups: layout.groups.map((g) => (g.id === command.id ? updated : g)) });
      }
      case 'set-preferred-leader': {
        if (this.group(command.id) === undefined) return { ok: false, message: `unknown group ${command.id}` };
        return this.set({ ...layout, groups: layout.groups.map((g) => (g.id === command.id ? { ...g, preferredLeader: command.nodeId } : g)) });
      }
      case 'set-meta-voters':
        return this.set({ ...layout, metaVoters: [...command.voters] });
      case 'assign-slots': {
        const slots = [...layout.slots];
        for (const [slot, groupId] of command.assignments) {
          if (slot < 0 || slot >= slots.length) return { ok: false, message: `slot ${slot} out of range` };
          if (this.group(groupId) === undefined) return { ok: false, message: `unknown group ${groupId}` };
          slots[slot] = groupId;
        }
        return this.set({ ...layout, slots });
      }
    }
  }

  private set(layout: ClusterLayout): MetaResult {
    this.layoutValue = layout;
    return { ok: true };
  }
}
