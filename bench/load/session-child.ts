// W3's session holder, run as a child process so that the parent can SIGKILL it: it opens
// `sessions` sessions (one connection each, spread over the members), registers one ephemeral
// node per session, reports the registration time over IPC, then keeps the sessions alive
// (keepalive every TTL/3) until it is killed. It exits by itself after CHILD_LIFETIME_MS_MAX
// or when the parent goes away, so it can never outlive a crashed benchmark for long.

import { benchValue } from '../util/bench-value';
import { nowMs } from '../util/time';
import type { BenchClient, BenchSession, SystemName } from './adapter';
import { adapterFor } from './adapters';

export const CHILD_LIFETIME_MS_MAX = 5 * 60 * 1000;
/** Sessions being set up at once. */
export const REGISTRATIONS_IN_FLIGHT_MAX = 100;
const ERROR_SAMPLES_MAX = 5;

export interface SessionChildRequest {
  readonly system: SystemName;
  readonly members: readonly string[];
  readonly sessions: number;
  readonly ttlMs: number;
  readonly prefix: string;
  readonly timeoutMs: number;
}

export type SessionChildReport =
  | { readonly type: 'registered'; readonly registrationMs: number; readonly registered: number; readonly failures: number; readonly errorSamples: readonly string[] };

async function registerAll(request: SessionChildRequest): Promise<SessionChildReport> {
  const adapter = adapterFor(request.system);
  const held: { client: BenchClient; session: BenchSession }[] = [];
  const errorSamples = new Set<string>();
  let failures = 0;
  let next = 0;
  const startMs = nowMs();
  const worker = async (): Promise<void> => {
    // Bounded: each iteration takes one of the `sessions` indexes.
    for (let i = next++; i < request.sessions; i = next++) {
      try {
        const client = await adapter.connect(request.members[i % request.members.length], { timeoutMs: request.timeoutMs, sessionTtlMs: request.ttlMs });
        const session = await client.openSession(request.ttlMs, { timeoutMs: request.timeoutMs });
        await session.registerEphemeral(`${request.prefix}/s${i}`, benchValue(`session ${i}`), { timeoutMs: request.timeoutMs });
        held.push({ client, session });
      } catch (error) {
        failures++;
        if (errorSamples.size < ERROR_SAMPLES_MAX) errorSamples.add(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(REGISTRATIONS_IN_FLIGHT_MAX, request.sessions) }, worker));
  return { type: 'registered', registrationMs: nowMs() - startMs, registered: held.length, failures, errorSamples: [...errorSamples] };
}

function main(): void {
  const request = JSON.parse(process.argv[2] ?? '{}') as SessionChildRequest;
  setTimeout(() => process.exit(3), CHILD_LIFETIME_MS_MAX);
  process.once('disconnect', () => process.exit(4));
  registerAll(request).then(
    (report) => process.send?.(report),
    (error: unknown) => {
      process.stderr.write(`session child failed: ${String(error)}\n`);
      process.exit(2);
    },
  );
}

main();
