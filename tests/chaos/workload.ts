// The workload: several clients, each a loop of put / linearizable get / compare-and-set on
// a few keys through a random node that is not known to be down, recorded into one history.
// Every choice comes from the client's own seeded generator; the timing of course does not.
// Every written value is unique (client and sequence number), so a read names its write.

import type { KVClient } from '../../proto/gen/corral/v1/KV';
import { assert } from '../../server/util/assert';
import type { SeededRandom } from '../../server/util/random';
import type { KvInput } from '../sim/kv-model';
import { HistoryRecorder, nowMs } from './history';
import { runKvCall } from './kv-calls';

export interface WorkloadOptions {
  readonly keys: readonly string[];
  readonly clients: number;
  /** Per-call deadline; past it the outcome is indeterminate. */
  readonly callDeadlineMs: number;
  /** Pause between two calls of one client, drawn from [0, thinkMsMax). */
  readonly thinkMsMax: number;
  /** Bound on each client's loop (the run also stops at `stopAtMs`). */
  readonly callsPerClientMax: number;
  /** Negative control: serializable (possibly stale) reads, which the checker must catch. */
  readonly serializableReads: boolean;
}

export interface WorkloadTarget {
  /** Nodes a client may call now (the nemesis removes killed nodes; paused ones stay). */
  candidates(): readonly number[];
  kv(id: number): KVClient;
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The next operation of a client: reads 40%, puts 30%, cas 30% (expecting the value it last saw). */
function chooseInput(random: SeededRandom, key: string, lastSeen: Map<string, string | null>, value: string): KvInput {
  const roll = random.nextFloat();
  if (roll < 0.4) return { kind: 'get', key };
  if (roll < 0.7) return { kind: 'put', key, value };
  return { kind: 'cas', key, expected: lastSeen.get(key) ?? null, value };
}

async function runClient(client: number, random: SeededRandom, target: WorkloadTarget, recorder: HistoryRecorder, options: WorkloadOptions, stopAtMs: number): Promise<void> {
  const lastSeen = new Map<string, string | null>();
  for (let call = 0; call < options.callsPerClientMax && nowMs() < stopAtMs && !recorder.full; call++) {
    const candidates = target.candidates();
    assert(candidates.length > 0, 'no node left for the workload');
    const node = candidates[random.nextInt(candidates.length)];
    const key = options.keys[random.nextInt(options.keys.length)];
    const input = chooseInput(random, key, lastSeen, `c${client}-${call}`);
    const invokeTime = nowMs();
    const result = await runKvCall(target.kv(node), input, options.callDeadlineMs, options.serializableReads);
    recorder.record(client, input, invokeTime, result);
    if (result.kind === 'ok' && result.output.kind === 'get') lastSeen.set(key, result.output.value);
    if (result.kind === 'ok' && input.kind !== 'get' && (result.output.kind === 'put' || (result.output.kind === 'cas' && result.output.ok))) lastSeen.set(key, input.value);
    await sleepMs(random.nextInt(Math.max(1, options.thinkMsMax)));
  }
}

/** Runs every client until `stopAtMs` (monotonic) or its bound; resolves when all are done. */
export async function runWorkload(random: SeededRandom, target: WorkloadTarget, recorder: HistoryRecorder, options: WorkloadOptions, stopAtMs: number): Promise<void> {
  assert(options.clients > 0 && options.keys.length > 0, 'a workload needs clients and keys');
  const clients: Promise<void>[] = [];
  for (let client = 1; client <= options.clients; client++) clients.push(runClient(client, random.fork(), target, recorder, options, stopAtMs));
  await Promise.all(clients);
}
