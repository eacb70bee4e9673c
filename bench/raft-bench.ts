// Micro benchmark of the Raft core alone (`npm run bench:raft`): a 3-node cluster in one
// process, messages handed over in memory, "persistence" a counter, no faults. The leader
// proposes `batch` entries at a time (so one Ready carries many), and the loop drains Ready
// on every node until they are committed and applied. Prints committed entries per second for
// a few batch and payload sizes, e.g. `raft-bench: batch=64 payload=256B: 412000 entries/s`,
// followed by the rate per CPU-second of this process (comparable on a shared machine).
//
// Usage: npm run bench:raft [-- --seconds S]   (S: measuring time per case, default 1)

import { RawNode, defaultRaftConfig } from '../server/raft';
import type { Message, NodeId, RaftConfig, Ready } from '../server/raft/types';
import { assert } from '../server/util/assert';
import { SeededRandom } from '../server/util/random';

const batchSizes = [1, 16, 64, 256];
const payloadSizesBytes = [16, 256, 4096];
const voters: readonly NodeId[] = [1, 2, 3];
/** Ready rounds allowed to commit one batch; a healthy cluster needs a handful. */
const roundsPerBatchMax = 1_000;
/** Unmeasured run first, so that the first case does not pay for JIT compilation. */
const warmupSeconds = 0.5;
/** Compact the log every this many applied entries (bounded memory on long runs). */
const compactEveryEntries = 10_000;

class BenchNode {
  readonly raw: RawNode;
  inbox: Message[] = [];
  applied = 0;
  appliedPayloadEntries = 0;
  persistedBytes = 0;

  constructor(id: NodeId) {
    const config: RaftConfig = {
      ...defaultRaftConfig(id, new SeededRandom(id)),
      maxInflightMsgs: 256,
      maxUncommittedBytes: 1 << 30,
      maxEntryBytes: 1 << 20,
    };
    this.raw = new RawNode(config, {
      hardState: { term: 0, vote: 0, commit: 0 },
      snapshot: { index: 0, term: 0, conf: { voters, learners: [] } },
      entries: [],
      applied: 0,
    });
  }

  /** Steps the inbox, then handles one Ready. Returns whether anything happened. */
  drain(nodes: ReadonlyMap<NodeId, BenchNode>): boolean {
    const messages = this.inbox;
    this.inbox = [];
    for (const message of messages) this.raw.step(message);
    if (!this.raw.hasReady()) return messages.length > 0;
    const ready = this.raw.ready();
    this.persist(ready);
    for (const message of ready.messages) nodes.get(message.to)?.inbox.push(message);
    for (const entry of ready.committedEntries) {
      if (entry.data.length > 0) this.appliedPayloadEntries += 1;
      this.applied = entry.index;
    }
    this.raw.advance(ready);
    if (this.applied % compactEveryEntries === 0 && this.applied > 0) this.raw.compact(this.applied);
    return true;
  }

  private persist(ready: Ready): void {
    for (const entry of ready.entries) this.persistedBytes += entry.data.length;
  }
}

function startCluster(): { nodes: Map<NodeId, BenchNode>; leader: BenchNode } {
  const nodes = new Map(voters.map((id) => [id, new BenchNode(id)] as const));
  const leader = nodes.get(1);
  assert(leader !== undefined, 'node 1 exists');
  leader.raw.campaign();
  settle(nodes);
  assert(leader.raw.status().role === 'leader', 'node 1 did not win the election');
  return { nodes, leader };
}

/** Drains every node until nothing moves. */
function settle(nodes: ReadonlyMap<NodeId, BenchNode>): void {
  for (let round = 0; round < roundsPerBatchMax; round += 1) {
    let progressed = false;
    for (const node of nodes.values()) progressed = node.drain(nodes) || progressed;
    if (!progressed) return;
  }
  throw new Error(`cluster did not settle within ${roundsPerBatchMax} rounds`);
}

interface CaseResult {
  /** Committed entries per second of wall-clock time. */
  readonly entriesPerSecond: number;
  /** Committed entries per second of this process's CPU time (meaningful on a busy host). */
  readonly entriesPerCpuSecond: number;
}

function runCase(batch: number, payloadBytes: number, seconds: number): CaseResult {
  const { nodes, leader } = startCluster();
  const payload = new Uint8Array(payloadBytes).fill(7);
  const cpuStart = process.cpuUsage();
  const startedNs = process.hrtime.bigint();
  const budgetNs = BigInt(Math.round(seconds * 1e9));
  let proposed = 0;
  while (process.hrtime.bigint() - startedNs < budgetNs) {
    for (let i = 0; i < batch; i += 1) {
      const result = leader.raw.propose(payload);
      assert(result.ok, `proposal dropped: ${result.ok ? '' : result.reason}`);
    }
    proposed += batch;
    settle(nodes);
  }
  const elapsedS = Number(process.hrtime.bigint() - startedNs) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuS = Math.max(1e-6, (cpu.user + cpu.system) / 1e6);
  for (const node of nodes.values()) {
    assert(node.appliedPayloadEntries === proposed, `node applied ${node.appliedPayloadEntries} of ${proposed}`);
  }
  return { entriesPerSecond: proposed / elapsedS, entriesPerCpuSecond: proposed / cpuS };
}

function parseSeconds(argv: readonly string[]): number {
  const index = argv.indexOf('--seconds');
  if (index < 0) return 1;
  const seconds = Number(argv[index + 1]);
  assert(seconds > 0 && seconds <= 60, `--seconds must be in (0, 60], got ${argv[index + 1] ?? ''}`);
  return seconds;
}

function main(): void {
  const seconds = parseSeconds(process.argv.slice(2));
  console.log(`raft-bench: 3 voters in one process, in-memory transport and storage, ${seconds} s per case`);
  runCase(16, 256, warmupSeconds); // let the JIT compile the hot paths before measuring
  for (const payloadBytes of payloadSizesBytes) {
    for (const batch of batchSizes) {
      const result = runCase(batch, payloadBytes, seconds);
      console.log(
        `raft-bench: batch=${batch} payload=${payloadBytes}B: ${Math.round(result.entriesPerSecond)} entries/s` +
          ` (${Math.round(result.entriesPerCpuSecond)} per CPU-second)`,
      );
    }
  }
}

main();
