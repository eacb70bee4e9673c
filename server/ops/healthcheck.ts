// The container's HEALTHCHECK: `node dist/server/ops/healthcheck.js` exits 0 when
// GET /healthz on this node's ops endpoint (CORRAL_METRICS_LISTEN) answers 200 within the
// timeout, 1 otherwise. A script rather than curl, so that the runtime image needs no curl.

import { request } from 'node:http';
import { DEFAULT_PORT, parseHostPort } from './config';

const TIMEOUT_MS = 3_000;

/** Where to probe: the metrics listen address, with a wildcard host replaced by loopback. */
export function probeTarget(metricsListen: string): { host: string; port: number } | null {
  const parsed = parseHostPort(metricsListen);
  if (parsed === null) return null;
  const host = parsed.host.replace(/^\[(.*)\]$/, '$1');
  return { host: host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host, port: parsed.port };
}

export function probeHealthz(target: { host: string; port: number }, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: target.host, port: target.port, path: '/healthz', method: 'GET', agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

if (require.main === module) {
  const target = probeTarget(process.env.CORRAL_METRICS_LISTEN || `127.0.0.1:${DEFAULT_PORT + 1}`);
  if (target === null) {
    process.stderr.write('healthcheck: CORRAL_METRICS_LISTEN is not host:port (the ops endpoint is disabled?)\n');
    process.exit(1);
  }
  void probeHealthz(target, TIMEOUT_MS).then((healthy) => process.exit(healthy ? 0 : 1));
}
