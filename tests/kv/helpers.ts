// Test harness for the KV state machine: applies commands through the codec (so every test
// also exercises encode/decode), checks every invariant after each apply, and proves that a
// failed command changed nothing by comparing snapshot bytes with an untouched copy.

import type { KvCommand, KvResult, LockGuard, NodeOp, RequestTag, TxnCheck } from '../../server/kv/commands';
import { decodeCommand, encodeCommand } from '../../server/kv/commands';
import type { KvErrorCode } from '../../server/kv/kv-error';
import { defaultKvLimits } from '../../server/kv/limits';
import type { KvLimits } from '../../server/kv/limits';
import type { ApplyOutput } from '../../server/kv/state-machine';
import { KvStateMachine } from '../../server/kv/state-machine';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export function text(value: Uint8Array | null): string | null {
  return value === null ? null : decoder.decode(value);
}

export function testLimits(overrides: Partial<KvLimits> = {}): KvLimits {
  return { ...defaultKvLimits(), sessionTtlMsMin: 1000, ...overrides };
}

interface Tags {
  readonly guard?: LockGuard | null;
  readonly request?: RequestTag | null;
}

export const cmd = {
  create(path: string, value = '', options: { ephemeralOwner?: number; sequential?: boolean; makeParents?: boolean } & Tags = {}): KvCommand {
    return {
      type: 'create', path, value: bytes(value), ephemeralOwner: options.ephemeralOwner ?? 0,
      sequential: options.sequential ?? false, makeParents: options.makeParents ?? false,
      guard: options.guard ?? null, request: options.request ?? null,
    };
  },
  set(path: string, value: string, options: { expectedVersion?: number | null } & Tags = {}): KvCommand {
    return { type: 'set', path, value: bytes(value), expectedVersion: options.expectedVersion ?? null, guard: options.guard ?? null, request: options.request ?? null };
  },
  put(path: string, value: string, options: { ephemeralOwner?: number } & Tags = {}): KvCommand {
    return { type: 'put', path, value: bytes(value), ephemeralOwner: options.ephemeralOwner ?? 0, guard: options.guard ?? null, request: options.request ?? null };
  },
  del(path: string, options: { expectedVersion?: number | null; recursive?: boolean; ifExists?: boolean } & Tags = {}): KvCommand {
    return {
      type: 'delete', path, expectedVersion: options.expectedVersion ?? null, recursive: options.recursive ?? false,
      ifExists: options.ifExists ?? false, guard: options.guard ?? null, request: options.request ?? null,
    };
  },
  txn(checks: TxnCheck[], success: NodeOp[], failure: NodeOp[] = [], tags: Tags = {}): KvCommand {
    return { type: 'txn', checks, success, failure, guard: tags.guard ?? null, request: tags.request ?? null };
  },
  open(ttlMs: number, nowMs = 0): KvCommand {
    return { type: 'sessionOpen', ttlMs, nowMs };
  },
  keepalive(sessionIds: number[], nowMs: number): KvCommand {
    return { type: 'sessionKeepaliveBatch', sessionIds, nowMs };
  },
  close(sessionId: number, nowMs = 0): KvCommand {
    return { type: 'sessionClose', sessionId, nowMs };
  },
  expire(sessionIds: number[], nowMs = 0): KvCommand {
    return { type: 'sessionExpire', sessionIds, nowMs };
  },
  acquire(name: string, sessionId: number, requestId: number, options: { maxHoldMs?: number; waitTimeoutMs?: number | null; nowMs?: number } = {}): KvCommand {
    return {
      type: 'lockAcquire', name, sessionId, requestId, maxHoldMs: options.maxHoldMs ?? 0,
      waitTimeoutMs: options.waitTimeoutMs === undefined ? null : options.waitTimeoutMs, nowMs: options.nowMs ?? 0,
    };
  },
  release(name: string, token: number, nowMs = 0): KvCommand {
    return { type: 'lockRelease', name, token, nowMs };
  },
  cancelWait(name: string, sessionId: number, requestId: number, nowMs = 0): KvCommand {
    return { type: 'lockCancelWait', name, sessionId, requestId, nowMs };
  },
  expireHolds(holds: { name: string; token: number }[], nowMs = 0): KvCommand {
    return { type: 'lockExpireHolds', holds, nowMs };
  },
};

export const op = {
  create(path: string, value = '', options: { ephemeralOwner?: number; sequential?: boolean; makeParents?: boolean } = {}): NodeOp {
    return { type: 'create', path, value: bytes(value), ephemeralOwner: options.ephemeralOwner ?? 0, sequential: options.sequential ?? false, makeParents: options.makeParents ?? false };
  },
  set(path: string, value: string, expectedVersion: number | null = null): NodeOp {
    return { type: 'set', path, value: bytes(value), expectedVersion };
  },
  put(path: string, value: string, ephemeralOwner = 0): NodeOp {
    return { type: 'put', path, value: bytes(value), ephemeralOwner };
  },
  del(path: string, options: { expectedVersion?: number | null; recursive?: boolean; ifExists?: boolean } = {}): NodeOp {
    return { type: 'delete', path, expectedVersion: options.expectedVersion ?? null, recursive: options.recursive ?? false, ifExists: options.ifExists ?? false };
  },
};

export class Harness {
  sm: KvStateMachine;
  index = 0;

  constructor(readonly limits: KvLimits = testLimits()) {
    this.sm = new KvStateMachine(limits);
  }

  /** Applies through encode/decode and checks every invariant afterwards. */
  apply(command: KvCommand): ApplyOutput {
    const decoded = decodeCommand(encodeCommand(command));
    if (!decoded.ok) throw new Error(decoded.message);
    expect(decoded.command).toEqual(command);
    this.index += 1;
    const output = this.sm.apply(this.index, decoded.command);
    expect(this.sm.checkInvariants()).toEqual([]);
    return output;
  }

  /** Applies and expects success; returns the result narrowed to ok. */
  ok(command: KvCommand): Extract<KvResult, { ok: true }> & Record<string, unknown> {
    const { result } = this.apply(command);
    if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.message}`);
    return result as Extract<KvResult, { ok: true }> & Record<string, unknown>;
  }

  /** Applies a command that must fail with `code` and change nothing but appliedIndex. */
  fails(command: KvCommand, code: KvErrorCode): string {
    const before = this.sm.snapshot();
    const revision = this.sm.revision;
    const output = this.apply(command);
    if (output.result.ok) throw new Error(`expected ${code}, got ok ${JSON.stringify(output.result)}`);
    expect(output.result.code).toBe(code);
    expect(output.events).toEqual([]);
    expect(output.lockGrants).toEqual([]);
    expect(this.sm.revision).toBe(revision);
    const control = KvStateMachine.restore(before, this.limits);
    control.skipEntry(this.index);
    expect(Buffer.from(this.sm.snapshot()).equals(Buffer.from(control.snapshot()))).toBe(true);
    return output.result.message;
  }

  openSession(ttlMs = 5000, nowMs = 0): number {
    const result = this.ok(cmd.open(ttlMs, nowMs));
    return result.sessionId as number;
  }

  value(path: string): string | null {
    const node = this.sm.get(path);
    return node === null ? null : text(node.value);
  }

  children(path: string): readonly string[] {
    const listed = this.sm.list(path);
    if (!listed.ok) throw new Error(listed.message);
    return listed.names;
  }
}
