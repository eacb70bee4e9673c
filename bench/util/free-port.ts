// Ports chosen per run: ask the kernel for a free loopback port. A small race remains (another
// process may take the port before our server binds it); a start failure says so.

import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  const attemptsMax = count * 10;
  for (let attempt = 0; attempt < attemptsMax && ports.size < count; attempt++) ports.add(await freePort());
  if (ports.size < count) throw new Error(`could not find ${count} distinct free ports in ${attemptsMax} attempts`);
  return [...ports];
}
