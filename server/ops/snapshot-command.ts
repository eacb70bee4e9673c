// `corral snapshot save <file>` and `corral snapshot restore <file>`. bin/corral routes
// `snapshot` here (server side) because restore writes RocksDB; save only uses the public
// API (snapshot-save.ts imports no server internals) and lives here to keep the pair together.

import { Command } from 'commander';
import { DEFAULT_PORT, loadServerConfig, settingsHelp } from './config';
import { restoreSnapshot } from './snapshot-restore';
import { saveClusterSnapshot } from './snapshot-save';

const SAVE_TIMEOUT_MS_DEFAULT = 5 * 60_000;

function parseEndpoints(text: string): string[] {
  return text.split(',').map((e) => e.trim()).filter((e) => e !== '');
}

function saveCommand(): Command {
  return new Command('save')
    .description('back up every group of a running cluster into <file> (one consistent image per group)')
    .argument('<file>', 'backup file to write (replaced atomically)')
    .option('--endpoints <list>', 'host:port,... of cluster nodes (env CORRAL_ENDPOINTS)', process.env.CORRAL_ENDPOINTS ?? `127.0.0.1:${DEFAULT_PORT}`)
    .option('--timeout-ms <ms>', 'bound on the whole transfer', String(SAVE_TIMEOUT_MS_DEFAULT))
    .action(async (file: string, options: { endpoints: string; timeoutMs: string }) => {
      const timeoutMs = Number(options.timeoutMs);
      if (!Number.isInteger(timeoutMs) || timeoutMs < 1_000) throw new Error(`--timeout-ms: expected an integer >= 1000, got ${options.timeoutMs}`);
      const summary = await saveClusterSnapshot({ endpoints: parseEndpoints(options.endpoints), file, timeoutMs });
      const groups = summary.manifest.groups.map((g) => `${g.id}@${g.appliedIndex}`).join(' ');
      process.stdout.write(`corral: saved ${summary.manifest.groups.length} groups (${summary.fileBytes} bytes) of cluster ${summary.manifest.clusterId} via ${summary.endpoint} to ${file}\n  groups (id@index): ${groups}\n`);
    });
}

function restoreCommand(): Command {
  const command = new Command('restore')
    .description('seed an EMPTY data dir of a new cluster\'s node from <file> (offline); run on every node with the same cluster flags, then start them with those flags')
    .argument('<file>', 'backup file written by `corral snapshot save`')
    .option('--config <file>', 'JSON config file, as for `corral server`');
  for (const setting of settingsHelp()) command.option(`${setting.flag} <value>`, `${setting.help} (env ${setting.env})`);
  command.action(async (file: string, options: Record<string, unknown>) => {
    const { config: configFile, ...flags } = options;
    const config = loadServerConfig({ flags, env: process.env, ...(typeof configFile === 'string' ? { file: configFile } : {}) });
    const summary = await restoreSnapshot(file, config);
    const groups = summary.groups.map((g) => `${g.id}@${g.appliedIndex}`).join(' ');
    process.stdout.write(`corral: restored node ${config.id} of new cluster ${summary.clusterId} (from ${summary.sourceClusterId}) into ${config.dataDir}\n  groups (id@index): ${groups}\n`);
  });
  return command;
}

export function snapshotCommand(): Command {
  const command = new Command('snapshot').description('back up a running cluster, or seed a new cluster from a backup');
  command.addCommand(saveCommand().exitOverride());
  command.addCommand(restoreCommand().exitOverride());
  return command;
}
