// Simulated clients: one BenchClient (one connection) each, spread round-robin over the
// members, connected a bounded number at a time.

import type { RunningSystem } from '../systems/system';
import type { BenchClient, ConnectOptions, SystemAdapter } from './adapter';

/** Connections opened at once while building a pool. */
export const CONNECTS_IN_FLIGHT_MAX = 50;
/** Most simulated clients in one pool. */
export const POOL_CLIENTS_MAX = 2_000;

export async function connectClients(adapter: SystemAdapter, system: RunningSystem, count: number, options: ConnectOptions, firstMember = 0): Promise<BenchClient[]> {
  if (!Number.isInteger(count) || count < 1 || count > POOL_CLIENTS_MAX) throw new Error(`client count must be 1..${POOL_CLIENTS_MAX}, got ${count}`);
  const clients: BenchClient[] = new Array<BenchClient>(count);
  try {
    for (let start = 0; start < count; start += CONNECTS_IN_FLIGHT_MAX) {
      const batch: Promise<void>[] = [];
      for (let i = start; i < Math.min(count, start + CONNECTS_IN_FLIGHT_MAX); i++) {
        const member = system.members[(firstMember + i) % system.members.length];
        batch.push(adapter.connect(member.clientAddress, options).then((client) => { clients[i] = client; }));
      }
      await Promise.all(batch);
    }
  } catch (error) {
    closeClients(clients);
    throw error;
  }
  return clients;
}

export function closeClients(clients: readonly (BenchClient | undefined)[]): void {
  for (const client of clients) {
    try {
      client?.close();
    } catch {
      // Closing is best effort: the system is stopped right after.
    }
  }
}
