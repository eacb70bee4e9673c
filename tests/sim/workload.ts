// Simulated clients: each runs one operation at a time (put, get or compare-and-set on a
// few keys), sends it to the leader it last heard of or to a random node, retries a definite
// failure on another node, and gives up on a timeout. Every attempt that may have taken
// effect is recorded in the history: completed attempts with their output, timed-out writes
// as indeterminate. Definite failures had no effect and are left out; so are timed-out reads.

import type { NodeId } from '../../server/raft/types';
import { assert } from '../../server/util/assert';
import type { SeededRandom } from '../../server/util/random';
import type { ClientReply, ClientRequest } from './client-protocol';
import type { KvInput, KvOutput } from './kv-model';
import type { Operation } from './linearizability';
import type { WorkloadParams } from './sim-config';

/** In the liveness phase a client keeps retrying a failed operation (the phase's tick budget
 *  is the real limit); this only guards against a retry storm. */
const livenessAttemptsMax = 10_000;

export interface ClientWorld {
  /** The history clock: strictly increases from one simulator step to the next. */
  historyTime(): number;
  targetNodes(): readonly NodeId[];
  sendRequest(node: NodeId, request: ClientRequest): void;
  scheduleWake(client: number, delayUnits: number): void;
  scheduleTimeout(client: number, operation: number, delayUnits: number): void;
}

interface Attempt {
  readonly input: KvInput;
  readonly attemptsDone: number;
  /** Set while a request is outstanding. */
  readonly operation: number | null;
  readonly invokeTime: number;
}

interface ClientState {
  readonly id: number;
  leaderHint: NodeId;
  opsStarted: number;
  current: Attempt | null;
  valuesWritten: number;
  readonly lastSeen: Map<string, string | null>;
  livenessLeft: number;
}

export interface WorkloadStats {
  readonly completed: number;
  readonly indeterminate: number;
  readonly failedAttempts: number;
}

export class Workload {
  readonly history: Operation<KvInput, KvOutput>[] = [];
  private readonly clients: ClientState[] = [];
  private operationNext = 1;
  private phase: 'safety' | 'liveness' = 'safety';
  private failedAttempts = 0;
  private indeterminate = 0;
  private readonly keyOps: number[] = [];
  private readonly keyGenerations: number[] = [];

  constructor(
    private readonly params: WorkloadParams,
    private readonly world: ClientWorld,
    private readonly random: SeededRandom,
  ) {
    assert(params.clientCount > 0 && params.keyCount > 0, 'workload needs clients and keys');
    for (let id = 1; id <= params.clientCount; id += 1) {
      this.clients.push({ id, leaderHint: 0, opsStarted: 0, current: null, valuesWritten: 0, lastSeen: new Map(), livenessLeft: 0 });
    }
  }

  start(): void {
    for (const client of this.clients) this.world.scheduleWake(client.id, this.random.nextInt(this.params.thinkMaxUnits + 1));
  }

  get stats(): WorkloadStats {
    return { completed: this.history.length - this.indeterminate, indeterminate: this.indeterminate, failedAttempts: this.failedAttempts };
  }

  /** Liveness phase: every client must now complete `opsPerClient` more operations. */
  beginLiveness(opsPerClient: number): void {
    this.phase = 'liveness';
    for (const client of this.clients) {
      client.livenessLeft = opsPerClient;
      client.leaderHint = 0;
      if (client.current === null) this.world.scheduleWake(client.id, 0);
    }
  }

  livenessDone(): boolean {
    return this.clients.every((client) => client.livenessLeft === 0);
  }

  livenessProgress(): string {
    return this.clients.map((client) => `c${client.id}:${client.livenessLeft} left`).join(' ');
  }

  onWake(clientId: number): void {
    const client = this.client(clientId);
    if (client.current !== null && client.current.operation !== null) return;
    if (client.current === null) {
      if (!this.mayStart(client)) return;
      client.opsStarted += 1;
      client.current = { input: this.nextInput(client), attemptsDone: 0, operation: null, invokeTime: 0 };
    }
    this.sendAttempt(client, client.current);
  }

  onReply(reply: ClientReply): void {
    const client = this.client(reply.client);
    const attempt = client.current;
    if (attempt === null || attempt.operation !== reply.operation) return; // late: already timed out
    if (reply.result.kind === 'ok') {
      this.history.push({
        id: reply.operation,
        client: client.id,
        input: attempt.input,
        invokeTime: attempt.invokeTime,
        outcome: { kind: 'ok', output: reply.result.output, completeTime: this.world.historyTime() },
      });
      this.remember(client, attempt.input, reply.result.output);
      if (this.phase === 'liveness' && client.livenessLeft > 0) client.livenessLeft -= 1;
      this.finish(client);
      return;
    }
    this.failedAttempts += 1;
    client.leaderHint = reply.result.leaderHint;
    const attemptsDone = attempt.attemptsDone + 1;
    const attemptsMax = this.phase === 'liveness' ? livenessAttemptsMax : this.params.attemptsMax;
    if (attemptsDone >= attemptsMax) {
      this.finish(client);
      return;
    }
    client.current = { ...attempt, attemptsDone, operation: null };
    this.world.scheduleWake(client.id, 1 + this.random.nextInt(this.params.thinkMaxUnits + 1));
  }

  onTimeout(clientId: number, operation: number): void {
    const client = this.client(clientId);
    const attempt = client.current;
    if (attempt === null || attempt.operation !== operation) return;
    if (attempt.input.kind !== 'get') {
      this.indeterminate += 1;
      this.history.push({ id: operation, client: client.id, input: attempt.input, invokeTime: attempt.invokeTime, outcome: { kind: 'indeterminate' } });
    }
    client.leaderHint = 0;
    this.finish(client);
  }

  private finish(client: ClientState): void {
    client.current = null;
    this.world.scheduleWake(client.id, this.random.nextInt(this.params.thinkMaxUnits + 1));
  }

  private mayStart(client: ClientState): boolean {
    if (this.phase === 'liveness') return client.livenessLeft > 0;
    return client.opsStarted < this.params.opsPerClientMax;
  }

  private sendAttempt(client: ClientState, attempt: Attempt): void {
    const operation = this.operationNext++;
    client.current = { ...attempt, operation, invokeTime: this.world.historyTime() };
    const request: ClientRequest = { operation, client: client.id, input: attempt.input, hops: 0 };
    this.world.sendRequest(this.chooseNode(client), request);
    this.world.scheduleTimeout(client.id, operation, this.params.opTimeoutUnits);
  }

  private chooseNode(client: ClientState): NodeId {
    const nodes = this.world.targetNodes();
    assert(nodes.length > 0, 'no node to send to');
    const sticky = client.leaderHint !== 0 && nodes.includes(client.leaderHint);
    if (sticky && this.random.chance(this.params.stickyLeaderChance)) return client.leaderHint;
    return nodes[this.random.nextInt(nodes.length)];
  }

  /** Picks one of `keyCount` key slots; a slot's key is retired after `opsPerKeyMax`
   *  operations and replaced by a fresh one, which bounds each key's history (and so the
   *  linearizability search) however long the run. */
  private nextKey(): string {
    const slot = this.random.nextInt(this.params.keyCount);
    const used = this.keyOps[slot] ?? 0;
    if (used >= this.params.opsPerKeyMax) {
      this.keyGenerations[slot] = (this.keyGenerations[slot] ?? 0) + 1;
      this.keyOps[slot] = 0;
    }
    this.keyOps[slot] = (this.keyOps[slot] ?? 0) + 1;
    return `k${slot}.${this.keyGenerations[slot] ?? 0}`;
  }

  private nextInput(client: ClientState): KvInput {
    const key = this.nextKey();
    const roll = this.random.nextFloat();
    if (roll < this.params.readShare) return { kind: 'get', key };
    client.valuesWritten += 1;
    const value = `c${client.id}.${client.valuesWritten}`;
    if (roll < this.params.readShare + this.params.casShare) {
      const expected = this.random.chance(0.2) ? null : (client.lastSeen.get(key) ?? null);
      return { kind: 'cas', key, expected, value };
    }
    return { kind: 'put', key, value };
  }

  private remember(client: ClientState, input: KvInput, output: KvOutput): void {
    if (output.kind === 'get') client.lastSeen.set(input.key, output.value);
    else if (input.kind === 'put') client.lastSeen.set(input.key, input.value);
    else if (input.kind === 'cas' && output.kind === 'cas' && output.ok) client.lastSeen.set(input.key, input.value);
  }

  private client(id: number): ClientState {
    const client = this.clients[id - 1];
    assert(client !== undefined && client.id === id, `unknown client ${id}`);
    return client;
  }
}
