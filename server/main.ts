// `corral server`, `corral dev` and `corral snapshot save|restore`: the server side of the
// `corral` binary. (bin/corral sends these commands here and every other command to
// cli/main.ts, so that the CLI never imports server code.)

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { CorralNode } from './node/corral-node';
import { ConfigError, DEFAULT_PORT, loadServerConfig, settingsHelp } from './ops/config';
import { createLogger } from './ops/logger';
import { snapshotCommand } from './ops/snapshot-command';

const USAGE_EXIT_CODE = 2;
/** After a graceful stop the process exits on its own; this bounds the wait if it does not. */
const EXIT_AFTER_STOP_MS = 2_000;

function serverCommand(): Command {
  const command = new Command('server').description('run one Corral node (with no flags: a single-node cluster on 127.0.0.1, data in ./corral-data)');
  command.option('--config <file>', 'JSON config file (keys as the flags, camelCase or kebab-case)');
  for (const setting of settingsHelp()) command.option(`${setting.flag} <value>`, `${setting.help} (env ${setting.env})`);
  command.action(async (options: Record<string, unknown>) => {
    const { config: file, ...flags } = options;
    const config = loadServerConfig({ flags, env: process.env, ...(typeof file === 'string' ? { file } : {}) });
    const logger = createLogger({ level: config.logLevel, base: { node: config.id } });
    const node = await CorralNode.start(config, logger);
    process.stdout.write(`corral: node ${node.nodeId} serving on ${node.address} (cluster ${node.clusterId})\n`);
    await new Promise<void>((done) => {
      const stop = (signal: string): void => {
        logger.info('shutting down', { signal });
        node.stop().then(done, (error: unknown) => {
          logger.error('shutdown failed', { error });
          process.exitCode = 1;
          done();
        });
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    // Everything is closed; should a stray handle still hold the event loop, do not hang.
    setTimeout(() => process.exit(), EXIT_AFTER_STOP_MS).unref();
  });
  return command;
}

interface DevOptions {
  readonly nodes: string;
  readonly basePort: string;
  readonly dataDir: string;
}

function devCommand(): Command {
  return new Command('dev')
    .description('start a local cluster, one process per node, until Ctrl-C')
    .option('--nodes <n>', 'number of nodes', '3')
    .option('--base-port <port>', 'node i listens on base+2(i-1), its metrics on the next port', String(DEFAULT_PORT))
    .option('--data-dir <dir>', 'parent directory of the nodes\' data dirs', './corral-dev')
    .action(async (options: DevOptions) => {
      const nodes = Number(options.nodes);
      const basePort = Number(options.basePort);
      if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) throw new ConfigError(`--nodes: expected 1..9, got ${options.nodes}`);
      if (!Number.isInteger(basePort) || basePort < 1024 || basePort + 2 * nodes > 65535) throw new ConfigError(`--base-port: expected 1024..${65535 - 2 * nodes}, got ${options.basePort}`);
      await runDevCluster(nodes, basePort, resolve(options.dataDir));
    });
}

async function runDevCluster(nodes: number, basePort: number, dataDir: string): Promise<void> {
  const addresses = Array.from({ length: nodes }, (_, i) => `127.0.0.1:${basePort + 2 * i}`);
  const initialCluster = addresses.map((address, i) => `${i + 1}=${address}`).join(',');
  const children: ChildProcess[] = [];
  const bin = join(__dirname, '..', 'bin', 'corral');
  for (let i = 0; i < nodes; i++) {
    const dir = join(dataDir, `node-${i + 1}`);
    mkdirSync(dir, { recursive: true });
    const args = ['server', '--id', String(i + 1), '--listen', addresses[i], '--metrics-listen', `127.0.0.1:${basePort + 2 * i + 1}`, '--data-dir', dir, '--initial-cluster', initialCluster];
    children.push(spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'inherit', 'inherit'] }));
  }
  process.stdout.write(`corral dev: ${nodes} nodes; endpoints ${addresses.join(',')}\n`);
  process.stdout.write(`  try: CORRAL_ENDPOINTS=${addresses.join(',')} corral put /hello world\n`);
  const exited = children.map((child) => new Promise<void>((done) => child.once('exit', () => done())));
  await new Promise<void>((done) => {
    const stop = (): void => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => { for (const child of children) if (child.exitCode === null) child.kill('SIGKILL'); }, 15_000);
      void Promise.all(exited).then(() => { clearTimeout(timer); done(); });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    void Promise.race(exited).then(() => {
      process.stderr.write('corral dev: a node exited; stopping the others\n');
      stop();
    });
  });
}

export async function runServerMain(argv: readonly string[]): Promise<void> {
  const program = new Command('corral').exitOverride();
  program.addCommand(serverCommand().exitOverride());
  program.addCommand(devCommand().exitOverride());
  program.addCommand(snapshotCommand().exitOverride());
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode === 0 ? 0 : USAGE_EXIT_CODE;
      return;
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`corral: ${error.message}\n`);
      process.exitCode = USAGE_EXIT_CODE;
      return;
    }
    process.stderr.write(`corral: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

