// Server configuration: one table of settings gives each its flag, environment variable,
// config-file key, default and bounds. Precedence: flag > environment > file > default.
// `validateServerConfig` checks every bound and names the setting that is wrong.

import { readFileSync } from 'node:fs';

export interface ServerConfig {
  readonly id: number;
  readonly dataDir: string;
  readonly listen: string;
  /** Address other nodes and clients use to reach this node (default: listen). */
  readonly advertise: string;
  /** `id=host:port,...`; default: this node alone (none when joining). */
  readonly initialCluster: string;
  /** `host:port[,host:port...]` of running members: join that cluster as a new member instead
   *  of bootstrapping one (this node is then not in initialCluster). */
  readonly join: string;
  /** Bound on joining: reaching the cluster, being added, receiving the catalog. */
  readonly joinTimeoutMs: number;
  /** Placement loop period on the meta leader (replicas, leaders, membership). */
  readonly placementIntervalMs: number;
  /** A member not heard from for this long is considered down: its replicas move elsewhere. */
  readonly memberDownAfterMs: number;
  /** Distinguishes clusters: a data dir or peer of another cluster is refused. */
  readonly clusterToken: string;
  /** `host:port` for /metrics, /healthz, /readyz; empty disables. */
  readonly metricsListen: string;
  readonly kvGroups: number;
  readonly replication: number;
  readonly tickMs: number;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly snapshotEntries: number;
  readonly catchUpEntries: number;
  readonly requestTimeoutMs: number;
  readonly valueBytesMax: number;
  readonly pathBytesMax: number;
  readonly sessionTtlMsMin: number;
  readonly sessionTtlMsMax: number;
  readonly sessionsMax: number;
  readonly watchersMax: number;
  readonly watchQueueEventsMax: number;
  readonly watchHistoryEventsMax: number;
  readonly txnOpsMax: number;
  readonly listPageMax: number;
  readonly reconnectGraceMs: number;
  readonly shutdownTimeoutMs: number;
  /** /readyz and gRPC health report not ready while a local group's applied index trails its
   *  commit index by more than this many entries. */
  readonly readyLagEntriesMax: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
}

type Kind = 'int' | 'string' | 'level';

interface Setting {
  readonly key: keyof ServerConfig;
  readonly kind: Kind;
  readonly min?: number;
  readonly max?: number;
  readonly help: string;
}

const SETTINGS: readonly Setting[] = [
  { key: 'id', kind: 'int', min: 1, max: 2 ** 31, help: 'this node\'s id (unique in the cluster)' },
  { key: 'dataDir', kind: 'string', help: 'directory of the node\'s RocksDB' },
  { key: 'listen', kind: 'string', help: 'host:port for the client API and peers' },
  { key: 'advertise', kind: 'string', help: 'host:port others use to reach this node (default: --listen)' },
  { key: 'initialCluster', kind: 'string', help: 'id=host:port,... of the founding members (default: this node alone)' },
  { key: 'join', kind: 'string', help: 'host:port[,...] of running members: join that cluster as a new node (not in --initial-cluster)' },
  { key: 'joinTimeoutMs', kind: 'int', min: 100, max: 3_600_000, help: 'bound on joining a cluster' },
  { key: 'placementIntervalMs', kind: 'int', min: 10, max: 600_000, help: 'period of the placement loop on the meta leader' },
  { key: 'memberDownAfterMs', kind: 'int', min: 1_000, max: 86_400_000, help: 'a member silent this long is down: its replicas move elsewhere' },
  { key: 'clusterToken', kind: 'string', help: 'cluster identity; a data dir of another cluster is refused' },
  { key: 'metricsListen', kind: 'string', help: 'host:port for /metrics and health checks (empty disables)' },
  { key: 'kvGroups', kind: 'int', min: 1, max: 1024, help: 'number of KV Raft groups at bootstrap' },
  { key: 'replication', kind: 'int', min: 1, max: 7, help: 'replicas per KV group' },
  { key: 'tickMs', kind: 'int', min: 5, max: 10_000, help: 'Raft tick length' },
  { key: 'electionTicks', kind: 'int', min: 3, max: 1000, help: 'election timeout in ticks' },
  { key: 'heartbeatTicks', kind: 'int', min: 1, max: 100, help: 'heartbeat interval in ticks' },
  { key: 'snapshotEntries', kind: 'int', min: 10, max: 10_000_000, help: 'applied entries between snapshots' },
  { key: 'catchUpEntries', kind: 'int', min: 0, max: 10_000_000, help: 'entries kept behind a snapshot for lagging followers' },
  { key: 'requestTimeoutMs', kind: 'int', min: 10, max: 600_000, help: 'server-side bound on one request' },
  { key: 'valueBytesMax', kind: 'int', min: 1, max: 64 * 1024 * 1024, help: 'largest node value' },
  { key: 'pathBytesMax', kind: 'int', min: 16, max: 65_536, help: 'longest path' },
  { key: 'sessionTtlMsMin', kind: 'int', min: 100, max: 3_600_000, help: 'shortest session TTL' },
  { key: 'sessionTtlMsMax', kind: 'int', min: 100, max: 86_400_000, help: 'longest session TTL' },
  { key: 'sessionsMax', kind: 'int', min: 1, max: 10_000_000, help: 'live sessions per KV group' },
  { key: 'watchersMax', kind: 'int', min: 1, max: 10_000_000, help: 'watchers per node' },
  { key: 'watchQueueEventsMax', kind: 'int', min: 1, max: 1_000_000, help: 'events queued per watcher before it is cancelled as slow' },
  { key: 'watchHistoryEventsMax', kind: 'int', min: 0, max: 10_000_000, help: 'events kept per group for watches from a past revision' },
  { key: 'txnOpsMax', kind: 'int', min: 1, max: 10_000, help: 'operations per transaction' },
  { key: 'listPageMax', kind: 'int', min: 1, max: 1_000_000, help: 'children per list page' },
  { key: 'reconnectGraceMs', kind: 'int', min: 0, max: 600_000, help: 'grace a new leader gives sessions to reconnect' },
  { key: 'shutdownTimeoutMs', kind: 'int', min: 100, max: 600_000, help: 'bound on graceful shutdown' },
  { key: 'readyLagEntriesMax', kind: 'int', min: 0, max: 10_000_000, help: 'readiness: most entries a local group may apply behind its commit index' },
  { key: 'logLevel', kind: 'level', help: 'debug | info | warn | error' },
];

export const DEFAULT_PORT = 7400;

export function defaultServerConfig(): ServerConfig {
  return {
    id: 1,
    dataDir: './corral-data',
    listen: `127.0.0.1:${DEFAULT_PORT}`,
    advertise: '',
    initialCluster: '',
    join: '',
    joinTimeoutMs: 30_000,
    placementIntervalMs: 1_000,
    memberDownAfterMs: 60_000,
    clusterToken: 'corral',
    metricsListen: `127.0.0.1:${DEFAULT_PORT + 1}`,
    kvGroups: 4,
    replication: 3,
    tickMs: 50,
    electionTicks: 20,
    heartbeatTicks: 2,
    snapshotEntries: 20_000,
    catchUpEntries: 5_000,
    requestTimeoutMs: 10_000,
    valueBytesMax: 1024 * 1024,
    pathBytesMax: 1024,
    sessionTtlMsMin: 2_000,
    sessionTtlMsMax: 3_600_000,
    sessionsMax: 100_000,
    watchersMax: 100_000,
    watchQueueEventsMax: 10_000,
    watchHistoryEventsMax: 100_000,
    txnOpsMax: 128,
    listPageMax: 10_000,
    reconnectGraceMs: 2_000,
    shutdownTimeoutMs: 10_000,
    readyLagEntriesMax: 1_000,
    logLevel: 'info',
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** `dataDir` -> `--data-dir` / `CORRAL_DATA_DIR`. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function envName(key: string): string {
  return `CORRAL_${flagName(key).replace(/-/g, '_').toUpperCase()}`;
}

export function settingsHelp(): readonly { flag: string; env: string; help: string }[] {
  return SETTINGS.map((s) => ({ flag: `--${flagName(s.key)}`, env: envName(s.key), help: s.help }));
}

function parseValue(setting: Setting, raw: unknown, source: string): number | string {
  const where = `${source} ${setting.key}`;
  if (setting.kind === 'int') {
    const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
    if (!Number.isInteger(value)) throw new ConfigError(`${where}: expected an integer, got ${JSON.stringify(raw)}`);
    return value;
  }
  const text = String(raw);
  if (setting.kind === 'level' && !['debug', 'info', 'warn', 'error'].includes(text)) {
    throw new ConfigError(`${where}: expected debug|info|warn|error, got ${JSON.stringify(raw)}`);
  }
  return text;
}

export interface ConfigSources {
  /** Values from command-line flags, keyed by setting name (camelCase). */
  readonly flags?: Readonly<Record<string, unknown>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Path of a JSON config file (keys camelCase or kebab-case). */
  readonly file?: string;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`config file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${path}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(`config file ${path}: expected a JSON object`);
  const known = new Map(SETTINGS.flatMap((s) => [[s.key as string, s.key], [flagName(s.key), s.key]] as [string, string][]));
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const name = known.get(key);
    if (name === undefined) throw new ConfigError(`config file ${path}: unknown setting "${key}"`);
    result[name] = value;
  }
  return result;
}

/** Merges the sources over the defaults, parses every value, then validates the whole. */
export function loadServerConfig(sources: ConfigSources): ServerConfig {
  const merged: Record<string, unknown> = { ...defaultServerConfig() };
  const file = sources.file !== undefined ? readConfigFile(sources.file) : {};
  for (const setting of SETTINGS) {
    const envValue = sources.env?.[envName(setting.key)];
    const flagValue = sources.flags?.[setting.key];
    if (flagValue !== undefined) merged[setting.key] = parseValue(setting, flagValue, 'flag');
    else if (envValue !== undefined && envValue !== '') merged[setting.key] = parseValue(setting, envValue, 'env');
    else if (file[setting.key] !== undefined) merged[setting.key] = parseValue(setting, file[setting.key], 'file');
  }
  const config = merged as unknown as ServerConfig;
  const withDerived: ServerConfig = {
    ...config,
    advertise: config.advertise === '' ? config.listen : config.advertise,
    initialCluster:
      config.initialCluster === '' && config.join === '' ? `${config.id}=${config.advertise === '' ? config.listen : config.advertise}` : config.initialCluster,
  };
  const verdict = validateServerConfig(withDerived);
  if (!verdict.ok) throw new ConfigError(verdict.problem);
  return withDerived;
}

export interface ClusterMember {
  readonly id: number;
  readonly address: string;
}

export function parseHostPort(text: string): { host: string; port: number } | null {
  const match = /^([^:\s]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(text);
  if (match === null) return null;
  const port = Number(match[2]);
  return port <= 65535 ? { host: match[1], port } : null;
}

/** Parses `id=host:port,...`, refusing duplicates and malformed members. */
export function parseInitialCluster(text: string): ClusterMember[] {
  const members: ClusterMember[] = [];
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const match = /^(\d+)=(.+)$/.exec(part);
    if (match === null || parseHostPort(match[2]) === null) {
      throw new ConfigError(`initialCluster: "${part}" is not id=host:port`);
    }
    const id = Number(match[1]);
    if (id < 1) throw new ConfigError(`initialCluster: member id must be >= 1 in "${part}"`);
    if (members.some((m) => m.id === id)) throw new ConfigError(`initialCluster: duplicate member id ${id}`);
    if (members.some((m) => m.address === match[2])) throw new ConfigError(`initialCluster: duplicate address ${match[2]}`);
    members.push({ id, address: match[2] });
  }
  if (members.length === 0) throw new ConfigError('initialCluster: no members');
  return members;
}

export function validateServerConfig(config: ServerConfig): { ok: true } | { ok: false; problem: string } {
  for (const setting of SETTINGS) {
    const value = config[setting.key];
    if (setting.kind !== 'int') continue;
    if (typeof value !== 'number' || !Number.isInteger(value)) return { ok: false, problem: `${setting.key}: expected an integer` };
    if (setting.min !== undefined && value < setting.min) return { ok: false, problem: `${setting.key}: ${value} is below the minimum ${setting.min}` };
    if (setting.max !== undefined && value > setting.max) return { ok: false, problem: `${setting.key}: ${value} is above the maximum ${setting.max}` };
  }
  if (parseHostPort(config.listen) === null) return { ok: false, problem: `listen: "${config.listen}" is not host:port` };
  if (parseHostPort(config.advertise) === null) return { ok: false, problem: `advertise: "${config.advertise}" is not host:port` };
  if (config.metricsListen !== '' && parseHostPort(config.metricsListen) === null) return { ok: false, problem: `metricsListen: "${config.metricsListen}" is not host:port` };
  if (config.dataDir.trim() === '') return { ok: false, problem: 'dataDir: must not be empty' };
  if (config.heartbeatTicks >= config.electionTicks) return { ok: false, problem: `heartbeatTicks (${config.heartbeatTicks}) must be below electionTicks (${config.electionTicks})` };
  if (config.sessionTtlMsMin > config.sessionTtlMsMax) return { ok: false, problem: `sessionTtlMsMin (${config.sessionTtlMsMin}) is above sessionTtlMsMax (${config.sessionTtlMsMax})` };
  const electionMs = config.tickMs * config.electionTicks;
  if (config.sessionTtlMsMin < 2 * electionMs) return { ok: false, problem: `sessionTtlMsMin (${config.sessionTtlMsMin} ms) must be at least two election timeouts (${2 * electionMs} ms)` };
  if (config.join !== '') return validateJoin(config);
  let members: ClusterMember[];
  try {
    members = parseInitialCluster(config.initialCluster);
  } catch (error) {
    return { ok: false, problem: (error as Error).message };
  }
  if (!members.some((m) => m.id === config.id)) return { ok: false, problem: `initialCluster does not contain this node's id ${config.id}` };
  return { ok: true };
}

/** `host:port[,host:port...]` of the members to ask when joining. */
export function parseJoinAddresses(text: string): string[] {
  const addresses = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  for (const address of addresses) if (parseHostPort(address) === null) throw new ConfigError(`join: "${address}" is not host:port`);
  if (addresses.length === 0) throw new ConfigError('join: no address');
  return addresses;
}

/** A joining node is a NEW member: it is not among the founders (an optional initialCluster
 *  names them, only to check that the cluster joined is the intended one). */
function validateJoin(config: ServerConfig): { ok: true } | { ok: false; problem: string } {
  try {
    parseJoinAddresses(config.join);
    if (config.initialCluster !== '' && parseInitialCluster(config.initialCluster).some((m) => m.id === config.id)) {
      return { ok: false, problem: `join: node ${config.id} is in initialCluster, so it is a founding member and must not join; drop --join (or use a new id)` };
    }
  } catch (error) {
    return { ok: false, problem: (error as Error).message };
  }
  return { ok: true };
}
