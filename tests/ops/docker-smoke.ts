// What can be checked of the Docker image without a Docker engine (`npm run docker:smoke`,
// after `npm run build`):
// 1. the Dockerfile's promises: multi-stage, non-root USER, VOLUME /data, HEALTHCHECK;
// 2. the runtime image's layout assembled in a temp dir exactly as the runtime stage copies
//    it (package.json, node_modules, dist, bin, the .proto folders; no TypeScript sources),
//    then its ENTRYPOINT + CMD run there with the image's ENV: it must serve, pass the
//    HEALTHCHECK command, be ready, and exit 0 on SIGTERM;
// 3. docker-compose.yml: every node's id and advertised address are in the initial cluster,
//    host ports and volumes do not collide.

import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '../cluster/harness';
import { httpGet } from './ops-client';

const ROOT = join(__dirname, '..', '..');

function fail(message: string): never {
  throw new Error(`docker smoke: ${message}`);
}

interface Dockerfile {
  readonly stages: string[];
  readonly env: Map<string, string>;
  readonly entrypoint: string[];
  readonly cmd: string[];
  readonly healthcheck: string[];
  readonly runtimeCopies: string[];
  readonly user: string;
  readonly volumes: string;
}

function parseDockerfile(text: string): Dockerfile {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const stages = lines.filter((l) => l.startsWith('FROM ')).map((l) => l.split(/\s+AS\s+/i)[1] ?? '');
  const runtimeStart = lines.findIndex((l) => /^FROM .* AS runtime$/i.test(l));
  if (runtimeStart < 0) fail('no runtime stage');
  const runtime = lines.slice(runtimeStart);
  const env = new Map<string, string>();
  for (const line of runtime.filter((l) => l.startsWith('ENV '))) {
    for (const pair of line.slice(4).trim().split(/\s+/)) {
      const [key, value] = pair.split('=');
      env.set(key, value);
    }
  }
  const json = (prefix: string): string[] => {
    const line = runtime.find((l) => l.startsWith(prefix));
    if (line === undefined) fail(`no ${prefix.trim()}`);
    return JSON.parse(line.slice(line.indexOf('['))) as string[];
  };
  return {
    stages,
    env,
    entrypoint: json('ENTRYPOINT '),
    cmd: json('CMD '),
    healthcheck: json('HEALTHCHECK '),
    runtimeCopies: runtime.filter((l) => l.startsWith('COPY ') && !l.includes('--from=')).map((l) => l.split(/\s+/).slice(-2)[0]),
    user: runtime.find((l) => l.startsWith('USER '))?.slice(5) ?? 'root',
    volumes: runtime.find((l) => l.startsWith('VOLUME ')) ?? '',
  };
}

/** /app as the runtime stage builds it: only built and runtime files. */
function assembleApp(docker: Dockerfile): string {
  const app = mkdtempSync(join(tmpdir(), 'corral-image-'));
  cpSync(join(ROOT, 'package.json'), join(app, 'package.json'));
  cpSync(join(ROOT, 'dist'), join(app, 'dist'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules')); // dev deps included: a superset
  for (const source of docker.runtimeCopies) {
    mkdirSync(join(app, source, '..'), { recursive: true });
    cpSync(join(ROOT, source), join(app, source), { recursive: true });
  }
  return app;
}

async function runImage(docker: Dockerfile, app: string): Promise<void> {
  const data = join(app, 'data');
  const [port, metricsPort] = [await freePort(), await freePort()];
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>), ...Object.fromEntries(docker.env),
    CORRAL_DATA_DIR: data, CORRAL_LISTEN: `0.0.0.0:${port}`, CORRAL_ADVERTISE: `127.0.0.1:${port}`, CORRAL_METRICS_LISTEN: `0.0.0.0:${metricsPort}`,
  };
  delete env.CORRAL_USE_DIST; // the image has no sources: bin/corral must pick dist/ by itself
  const [command, ...args] = [...docker.entrypoint, ...docker.cmd].map((part) => part.replace('/app', app));
  const child = spawn(command === 'node' ? process.execPath : command, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    await waitFor('the entrypoint to serve', () => output.includes('serving on'), 60_000, 100);
    const [probe, ...probeArgs] = docker.healthcheck.map((part) => part.replace('/app', app));
    const health = spawnSync(probe === 'node' ? process.execPath : probe, probeArgs, { env, timeout: 10_000 });
    if (health.status !== 0) fail(`HEALTHCHECK exited ${health.status}: ${String(health.error ?? health.stderr)}`);
    await waitFor('ready', async () => (await httpGet(metricsPort, '/readyz')).status === 200, 30_000, 100);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) fail(`exit code ${code} after SIGTERM`);
    process.stdout.write(`image entrypoint: served on 0.0.0.0:${port}, HEALTHCHECK ok, ready, exit 0 on SIGTERM\n`);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

function checkCompose(): void {
  const yaml = require('js-yaml') as { load(text: string): unknown }; // a transitive dev dependency (jest)
  const compose = yaml.load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, { environment: Record<string, string>; ports: string[]; volumes: string[] }>;
    volumes: Record<string, unknown>;
  };
  const hostPorts = new Set<string>();
  for (const [name, service] of Object.entries(compose.services)) {
    const env = service.environment;
    const members = env.CORRAL_INITIAL_CLUSTER.split(',');
    if (!members.includes(`${env.CORRAL_ID}=${env.CORRAL_ADVERTISE}`)) fail(`${name}: ${env.CORRAL_ID}=${env.CORRAL_ADVERTISE} not in ${env.CORRAL_INITIAL_CLUSTER}`);
    if (env.CORRAL_ADVERTISE.split(':')[0] !== name) fail(`${name}: advertises ${env.CORRAL_ADVERTISE}, not its service name`);
    for (const mapping of service.ports) {
      const host = mapping.split(':')[0];
      if (hostPorts.has(host)) fail(`host port ${host} used twice`);
      hostPorts.add(host);
    }
    for (const volume of service.volumes) if (!(volume.split(':')[0] in compose.volumes)) fail(`${name}: volume ${volume} not declared`);
  }
  process.stdout.write(`docker-compose.yml: ${Object.keys(compose.services).length} services consistent\n`);
}

async function main(): Promise<void> {
  const docker = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  if (docker.stages.length < 2) fail('not multi-stage');
  if (docker.user === 'root' || docker.user === '0') fail('runtime runs as root');
  if (!docker.volumes.includes('/data')) fail('no /data volume');
  if (docker.env.get('CORRAL_DATA_DIR') !== '/data') fail('CORRAL_DATA_DIR is not /data');
  process.stdout.write(`Dockerfile: stages ${docker.stages.join(', ')}; USER ${docker.user}; ${docker.volumes}; HEALTHCHECK ${docker.healthcheck.join(' ')}\n`);
  const app = assembleApp(docker);
  try {
    await runImage(docker, app);
  } finally {
    rmSync(app, { recursive: true, force: true });
  }
  checkCompose();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
