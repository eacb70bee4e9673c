// Corral's own counters over a measurement, scraped from each node's /metrics (Prometheus
// text): entries per fsync (group commit at work), fsync time, bytes and messages per peer
// batch, proposal time. They say where a write's time goes; the other systems are measured
// from outside only.

import { get } from 'node:http';

const SCRAPE_TIMEOUT_MS = 2_000;
/** Largest /metrics page read. */
const PAGE_BYTES_MAX = 8 * 1024 * 1024;

export type Samples = ReadonlyMap<string, number>;

/** Sums every sample of the text exposition by metric name (labels ignored). */
export function parsePrometheusText(text: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match === null) continue;
    const value = Number(match[3]);
    if (!Number.isFinite(value)) continue;
    sums.set(match[1], (sums.get(match[1]) ?? 0) + value);
  }
  return sums;
}

function fetchText(address: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = get(`http://${address}/metrics`, { timeout: SCRAPE_TIMEOUT_MS }, (response) => {
      let size = 0;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > PAGE_BYTES_MAX) request.destroy(new Error(`/metrics larger than ${PAGE_BYTES_MAX} bytes`));
        else chunks.push(chunk);
      });
      response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`/metrics of ${address}: no answer within ${SCRAPE_TIMEOUT_MS} ms`)));
    request.on('error', reject);
  });
}

/** Every node's counters summed; nodes that do not answer are left out. */
export async function scrapeAll(addresses: readonly string[]): Promise<Samples> {
  const total = new Map<string, number>();
  const pages = await Promise.all(addresses.map((a) => fetchText(a).catch(() => '')));
  for (const page of pages) for (const [name, value] of parsePrometheusText(page)) total.set(name, (total.get(name) ?? 0) + value);
  return total;
}

function delta(before: Samples, after: Samples, name: string): number {
  return (after.get(name) ?? 0) - (before.get(name) ?? 0);
}

function perUnit(before: Samples, after: Samples, numerator: string, denominator: string): number {
  const d = delta(before, after, denominator);
  return d > 0 ? delta(before, after, numerator) / d : Number.NaN;
}

export interface CorralInternals {
  readonly entriesPerFsync: number;
  readonly fsyncMsMean: number;
  readonly fsyncs: number;
  readonly peerBytesPerMessage: number;
  readonly peerMessagesPerBatch: number;
  readonly proposalMsMean: number;
  readonly hostPasses: number;
}

export function corralInternals(before: Samples, after: Samples): CorralInternals {
  return {
    entriesPerFsync: perUnit(before, after, 'corral_fsync_entries_sum', 'corral_fsync_entries_count'),
    fsyncMsMean: perUnit(before, after, 'corral_fsync_duration_seconds_sum', 'corral_fsync_duration_seconds_count') * 1000,
    fsyncs: delta(before, after, 'corral_fsync_duration_seconds_count'),
    peerBytesPerMessage: perUnit(before, after, 'corral_peer_bytes_total', 'corral_peer_messages_total'),
    peerMessagesPerBatch: perUnit(before, after, 'corral_peer_messages_total', 'corral_peer_batches_total'),
    proposalMsMean: perUnit(before, after, 'corral_proposal_duration_seconds_sum', 'corral_proposal_duration_seconds_count') * 1000,
    hostPasses: delta(before, after, 'corral_host_passes_total'),
  };
}

export function describeInternals(internals: CorralInternals): string {
  const f = (value: number, digits: number): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');
  return `entries/fsync ${f(internals.entriesPerFsync, 2)}, fsync mean ${f(internals.fsyncMsMean, 2)} ms over ${internals.fsyncs} fsyncs, ` +
    `peer bytes/message ${f(internals.peerBytesPerMessage, 0)}, messages/batch ${f(internals.peerMessagesPerBatch, 2)}, ` +
    `proposal mean ${f(internals.proposalMsMean, 2)} ms, host passes ${internals.hostPasses}`;
}
