// `npm run chaos`: a real Corral cluster (3 or 5 `corral server` processes on loopback)
// under a seeded nemesis (SIGKILL + restart, SIGSTOP/SIGCONT of a leader, SIGKILL of a
// leader) while several raw gRPC clients run put / linearizable get / compare-and-set on a
// few keys. At the end every fault is healed and the history is checked: linearizable per
// key, and no acknowledged write lost. Exit 1 on any anomaly, 2 if the run itself broke.
//
//   npm run chaos -- [--seed S] [--duration SECONDS] [--nodes 3|5] [--serializable-reads]
//
// The seed fixes every choice (faults, their targets and durations, each client's
// operations); process timing does not replay exactly, so a replay is the same schedule,
// not the same interleaving.

import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { SeededRandom } from '../../server/util/random';
import { TestCluster } from '../cluster/harness';
import type { KvInput } from '../sim/kv-model';
import { checkKvLinearizable, checkNoLostWrites, type Anomaly } from './checkers';
import { HistoryRecorder, nowMs } from './history';
import { runKvCall } from './kv-calls';
import { Nemesis, type NemesisOptions } from './nemesis';
import { runWorkload, type WorkloadOptions } from './workload';

interface ChaosArgs {
  readonly seed: number;
  readonly durationS: number;
  readonly nodes: 3 | 5;
  /** Negative control: the workload reads serializably (stale reads allowed), so a run
   *  with faults should report anomalies; proves the pipeline can fail on real processes. */
  readonly serializableReads: boolean;
}

/** Few enough keys that clients collide, enough that each key's history stays checkable. */
const KEYS: readonly string[] = ['/chaosa/k0', '/chaosa/k1', '/chaosb/k2', '/chaosb/k3', '/chaosc/k4', '/chaosc/k5', '/chaosd/k6', '/chaosd/k7'];
const OPERATIONS_MAX = 200_000;
const CALL_DEADLINE_MS = 3_000;
/** Bound on attempts for the initial writes and the final reads (each after healing). */
const SETTLE_ATTEMPTS_MAX = 100;
const SETTLE_BACKOFF_MS = 100;
const REASONS_SHOWN = 8;

function parseChaosArgs(argv: readonly string[]): ChaosArgs {
  const { values } = parseArgs({ args: [...argv], options: { seed: { type: 'string' }, duration: { type: 'string' }, nodes: { type: 'string' }, 'serializable-reads': { type: 'boolean' } } });
  const seed = values.seed === undefined ? randomInt(1, 0x7fffffff) : Number(values.seed);
  const durationS = Number(values.duration ?? 60);
  const nodes = Number(values.nodes ?? 3);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error(`--seed must be an integer in [0, 2^32), got ${values.seed}`);
  if (!Number.isFinite(durationS) || durationS <= 0 || durationS > 3600) throw new Error(`--duration must be in (0, 3600] seconds, got ${values.duration}`);
  if (nodes !== 3 && nodes !== 5) throw new Error(`--nodes must be 3 or 5, got ${values.nodes}`);
  return { seed, durationS, nodes, serializableReads: values['serializable-reads'] === true };
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `input` through the nodes in turn until it succeeds, recording every attempt; returns the last result. */
async function settle(cluster: TestCluster, recorder: HistoryRecorder, input: KvInput, nodes: readonly number[]): Promise<string | null | undefined> {
  for (let attempt = 0; attempt < SETTLE_ATTEMPTS_MAX; attempt++) {
    const invokeTime = nowMs();
    const result = await runKvCall(cluster.kv(nodes[attempt % nodes.length]), input, CALL_DEADLINE_MS);
    recorder.record(0, input, invokeTime, result);
    if (result.kind === 'ok') return result.output.kind === 'get' ? result.output.value : undefined;
    await sleepMs(SETTLE_BACKOFF_MS);
  }
  throw new Error(`${input.kind} ${input.key} did not succeed in ${SETTLE_ATTEMPTS_MAX} attempts`);
}

/** After healing: every key read linearizably through every node. */
async function finalReads(cluster: TestCluster, recorder: HistoryRecorder): Promise<Map<string, (string | null)[]>> {
  const reads = new Map<string, (string | null)[]>();
  for (const key of KEYS) {
    const values: (string | null)[] = [];
    for (const spec of cluster.specs) {
      const value = await settle(cluster, recorder, { kind: 'get', key }, [spec.id]);
      values.push(value === undefined ? null : value);
    }
    reads.set(key, values);
  }
  return reads;
}

function options(args: ChaosArgs): { workload: WorkloadOptions; nemesis: NemesisOptions } {
  return {
    workload: { keys: KEYS, clients: 5, callDeadlineMs: CALL_DEADLINE_MS, thinkMsMax: 20, callsPerClientMax: 100_000, serializableReads: args.serializableReads },
    nemesis: { faultsMax: Math.ceil(args.durationS / 3) + 1, quietMsMin: 2_000, quietMsSpread: 2_000, downMsMin: 2_500, downMsSpread: 2_000, healTimeoutMs: 60_000 },
  };
}

async function run(args: ChaosArgs, cluster: TestCluster): Promise<{ ops: number; faults: number; anomalies: Anomaly[] }> {
  const random = new SeededRandom(args.seed);
  const settings = options(args);
  const recorder = new HistoryRecorder(OPERATIONS_MAX);
  await cluster.waitForLeaders();
  for (const key of KEYS) await settle(cluster, recorder, { kind: 'put', key, value: `init-${key}` }, cluster.specs.map((spec) => spec.id));
  const nemesis = new Nemesis(cluster, random.fork(), settings.nemesis);
  const stopAtMs = nowMs() + args.durationS * 1_000;
  const nemesisDone = nemesis.run(stopAtMs, log);
  const target = { candidates: () => nemesis.candidates(), kv: (id: number) => cluster.kv(id) };
  await runWorkload(random.fork(), target, recorder, settings.workload, stopAtMs);
  await nemesisDone;
  await nemesis.healAll();
  log('healed: every node running, every group led; reading every key through every node');
  const reads = await finalReads(cluster, recorder);
  const counts = recorder.counts();
  log(`history: ${counts.ok} ok, ${counts.indeterminate} indeterminate, ${counts.failed} failed definitely`);
  for (const [reason, count] of recorder.topReasons(REASONS_SHOWN)) log(`  ${count} x ${reason}`);
  const started = nowMs();
  const anomalies = [...checkKvLinearizable(recorder.history), ...checkNoLostWrites(recorder.history, reads)];
  log(`checked in ${Math.round(nowMs() - started)} ms`);
  for (const [kind, count] of countKinds(nemesis.faults.map((fault) => fault.kind))) log(`faults: ${kind} x${count}`);
  return { ops: counts.ok + counts.indeterminate + counts.failed, faults: nemesis.faults.length, anomalies };
}

function countKinds(kinds: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of kinds) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

async function main(): Promise<number> {
  const args = parseChaosArgs(process.argv.slice(2));
  const control = args.serializableReads ? ' --serializable-reads' : '';
  const replay = `npm run chaos -- --seed ${args.seed} --duration ${args.durationS} --nodes ${args.nodes}${control}`;
  log(`chaos: seed ${args.seed}, ${args.durationS} s, ${args.nodes} nodes (replay: ${replay})`);
  const cluster = await TestCluster.start({ nodes: args.nodes, kvGroups: 2 });
  const stopOnSignal = (): void => { void cluster.stop(true).finally(() => process.exit(130)); };
  process.once('SIGINT', stopOnSignal);
  let keepData = true;
  try {
    const result = await run(args, cluster);
    for (const anomaly of result.anomalies) log(`ANOMALY [${anomaly.checker}] ${anomaly.message}`);
    keepData = result.anomalies.length > 0;
    if (keepData) log(`node logs kept in ${cluster.dir}; replay: ${replay}`);
    log(`chaos: ${result.ops} ops, ${result.faults} faults, ${result.anomalies.length} anomalies (seed ${args.seed})`);
    return result.anomalies.length > 0 ? 1 : 0;
  } catch (error) {
    log(`chaos run broke: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    log(`node logs kept in ${cluster.dir}; replay: ${replay}`);
    return 2;
  } finally {
    process.removeListener('SIGINT', stopOnSignal);
    await cluster.stop(keepData);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
