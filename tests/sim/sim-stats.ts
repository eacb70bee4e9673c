// Counters of what a run exercised, so that a clean result can be told apart from a run
// in which nothing happened. Summed over seeds by the CLI.

export interface RunStats {
  elections: number;
  crashes: number;
  partitions: number;
  snapshotsSent: number;
  snapshotsInstalled: number;
  compactions: number;
  confChanges: number;
  messagesSent: number;
  messagesDropped: number;
}

export function emptyStats(): RunStats {
  return {
    elections: 0,
    crashes: 0,
    partitions: 0,
    snapshotsSent: 0,
    snapshotsInstalled: 0,
    compactions: 0,
    confChanges: 0,
    messagesSent: 0,
    messagesDropped: 0,
  };
}

export function addStats(total: RunStats, more: RunStats): void {
  for (const key of Object.keys(total) as (keyof RunStats)[]) total[key] += more[key];
}

export function describeStats(stats: RunStats): string {
  return (Object.keys(stats) as (keyof RunStats)[]).map((key) => `${key}=${stats[key]}`).join(' ');
}
