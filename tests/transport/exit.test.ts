// close() leaves nothing that holds a process open: a child process that uses two transports
// and closes them must exit on its own.

import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { within } from './harness';

test('a process exits by itself after close() and server shutdown', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'exit-child.ts')], {
    cwd: path.resolve(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    const code = await within(new Promise<number | null>((resolve) => child.on('exit', resolve)), 'the child process to exit by itself', 30_000);
    expect(output).toContain('closed');
    expect(code).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
