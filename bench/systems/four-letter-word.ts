// ZooKeeper's four-letter-word admin commands (`srvr`, `ruok`) over the client port: send the
// word, read until the server closes the connection. Enabled by `4lw.commands.whitelist`.

import { connect } from 'node:net';

/** Largest answer read (a `srvr` answer is a few hundred bytes). */
export const ANSWER_BYTES_MAX = 64 * 1024;

export function fourLetterWord(host: string, port: number, word: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => finish(new Error(`${word} to ${host}:${port}: no answer within ${timeoutMs} ms`)), timeoutMs);
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      if (error !== undefined) reject(error);
      else resolve(Buffer.concat(chunks).toString('utf8'));
    };
    socket.once('connect', () => socket.write(word));
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > ANSWER_BYTES_MAX) return finish(new Error(`${word}: answer larger than ${ANSWER_BYTES_MAX} bytes`));
      chunks.push(chunk);
    });
    socket.once('error', (error) => finish(error));
    socket.once('close', () => finish());
  });
}

/** The `Mode:` line of a `srvr` answer: leader, follower, standalone, or '' when absent. */
export function modeOf(srvrAnswer: string): string {
  const match = /^Mode:\s*(\S+)/m.exec(srvrAnswer);
  return match === null ? '' : match[1];
}
