// A running 3-member system under test, as the workloads see it: where its members listen,
// which member leads, how to SIGKILL one, and how to stop everything. Each implementation
// starts its servers through the ProcessTracker (PIDs remembered, stopped by PID).

import type { SystemName } from '../load/adapter';
import type { ProcessTracker, TrackedProcess } from './process-tracker';

export interface Member {
  /** 0-based position in `members`. */
  readonly index: number;
  /** `127.0.0.1:port` of the client API. */
  readonly clientAddress: string;
  readonly process: TrackedProcess;
  /** `127.0.0.1:port` of the member's Prometheus /metrics, where it has one we read. */
  readonly metricsAddress?: string;
}

export interface RunningSystem {
  readonly name: SystemName;
  readonly members: readonly Member[];
  /** Where the system's data and logs live for this run. */
  readonly workDir: string;
  /** The member that orders the writes of `namespace` (for Corral: the leader of that
   *  namespace's KV group; etcd and ZooKeeper have one leader for everything). */
  leaderIndex(namespace: string): Promise<number>;
  /** SIGKILLs one member (a fault injected by a workload). */
  kill(index: number): Promise<void>;
  /** Stops every member (SIGTERM, then SIGKILL) and removes the data. */
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly tracker: ProcessTracker;
  /** Parent directory for this system's data dirs, configs and logs. */
  readonly workDir: string;
  /** Corral only: KV groups at bootstrap (default: the server's default). */
  readonly kvGroups?: number;
  readonly log: (line: string) => void;
  /** Corral only: run each node under `node --cpu-prof`, profiles written here on stop. */
  readonly cpuProfileDir?: string;
}

export interface SystemLauncher {
  readonly name: SystemName;
  /** Installs what is missing; throws with a clear message when the system cannot be had. */
  ensureInstalled(log: (line: string) => void): Promise<void>;
  /** Starts 3 members on loopback with per-run ports and waits until they serve writes. */
  start(options: StartOptions): Promise<RunningSystem>;
}

export const MEMBER_COUNT = 3;
/** Bound on a system's start, from spawn to a served write. */
export const START_TIMEOUT_MS = 90_000;
