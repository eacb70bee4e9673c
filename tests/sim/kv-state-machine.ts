// The replicated state machine of the simulation: a small key-value map. Writes (put, cas)
// arrive as committed Raft entries carrying a command; reads are served from the applied
// state after a ReadIndex round. Snapshots are a canonical encoding of the map, so two
// replicas at the same index must produce identical bytes.

import { assert } from '../../server/util/assert';
import { applyKv, type KvInput, type KvOutput, type KvState } from './kv-model';

export interface KvCommand {
  /** The client operation this entry carries (ids are unique per run). */
  readonly operation: number;
  readonly input: KvInput;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeCommand(command: KvCommand): Uint8Array {
  assert(command.input.kind !== 'get', 'reads are not proposed');
  return encoder.encode(JSON.stringify(command));
}

export function decodeCommand(data: Uint8Array): KvCommand {
  const parsed = JSON.parse(decoder.decode(data)) as KvCommand;
  assert(typeof parsed.operation === 'number' && typeof parsed.input === 'object', 'malformed command');
  return parsed;
}

export class KvStateMachine {
  private state: KvState = {};

  apply(command: KvCommand): KvOutput {
    assert(command.input.kind !== 'get', 'a read reached the log');
    const result = applyKv(this.state, command.input);
    this.state = result.state;
    return result.output;
  }

  read(key: string): string | null {
    return this.state[key] ?? null;
  }

  snapshot(): Uint8Array {
    return encoder.encode(this.digest());
  }

  restore(data: Uint8Array): void {
    const pairs = data.length === 0 ? [] : (JSON.parse(decoder.decode(data)) as [string, string][]);
    assert(Array.isArray(pairs), 'malformed snapshot');
    const state: Record<string, string> = {};
    for (const [key, value] of pairs) state[key] = value;
    this.state = state;
  }

  /** Canonical text of the state: equal states give equal digests. */
  digest(): string {
    return JSON.stringify(Object.keys(this.state).sort().map((key) => [key, this.state[key]]));
  }
}
