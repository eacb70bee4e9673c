// The operations HTTP endpoint on --metrics-listen:
//   GET /metrics  Prometheus text format
//   GET /healthz  200 while the process runs (liveness)
//   GET /readyz   200 {ready:true} when the node may take traffic, else 503 with the reason
// Plain node:http: three routes do not justify a framework.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ConfigError, parseHostPort } from './config';
import type { Logger } from './logger';
import type { Readiness } from './readiness';

/** Bounds of the endpoint: it serves scrapers and probes, never bulk traffic. */
const CONNECTIONS_MAX = 64;
const REQUEST_TIMEOUT_MS = 10_000;
const HEADERS_TIMEOUT_MS = 5_000;

export interface OpsHttpOptions {
  /** host:port; port 0 picks a free one. */
  readonly listen: string;
  readonly renderMetrics: () => Promise<string>;
  readonly metricsContentType: string;
  readonly readiness: () => Readiness;
  readonly logger: Logger;
}

export class OpsHttpServer {
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly server: Server,
    readonly address: string,
  ) {}

  static async start(options: OpsHttpOptions): Promise<OpsHttpServer> {
    const target = parseHostPort(options.listen);
    if (target === null) throw new ConfigError(`metricsListen: "${options.listen}" is not host:port`);
    const server = createServer({ requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS }, (request, response) => {
      handle(options, request, response).catch((error: unknown) => {
        options.logger.warn('ops endpoint failed a request', { path: request.url, error });
        if (!response.headersSent) respond(response, 500, 'text/plain', 'internal error\n');
        else response.destroy();
      });
    });
    server.maxConnections = CONNECTIONS_MAX;
    const host = target.host.replace(/^\[(.*)\]$/, '$1');
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(new ConfigError(`cannot listen on ${options.listen} (metricsListen): ${error.message}`)));
      server.listen(target.port, host, () => resolve());
    });
    const bound = server.address();
    const port = typeof bound === 'object' && bound !== null ? bound.port : target.port;
    return new OpsHttpServer(server, `${target.host}:${port}`);
  }

  /** Stops listening and ends idle keep-alive connections. Idempotent. */
  close(): Promise<void> {
    if (this.closing === null) {
      this.closing = new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.server.closeIdleConnections();
      });
      // Scrapes in progress finish within REQUEST_TIMEOUT_MS; do not wait longer than that.
      const forced = setTimeout(() => this.server.closeAllConnections(), REQUEST_TIMEOUT_MS);
      forced.unref();
      void this.closing.then(() => clearTimeout(forced));
    }
    return this.closing;
  }
}

async function handle(options: OpsHttpOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method !== 'GET' && request.method !== 'HEAD') return respond(response, 405, 'text/plain', 'only GET\n');
  switch (path) {
    case '/metrics':
      return respond(response, 200, options.metricsContentType, await options.renderMetrics());
    case '/healthz':
      return respond(response, 200, 'application/json', JSON.stringify({ alive: true }) + '\n');
    case '/readyz': {
      const verdict = options.readiness();
      return respond(response, verdict.ready ? 200 : 503, 'application/json', JSON.stringify(verdict) + '\n');
    }
    default:
      return respond(response, 404, 'text/plain', 'not found: try /metrics, /healthz, /readyz\n');
  }
}

function respond(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
