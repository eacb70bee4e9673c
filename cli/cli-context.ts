// What every command gets: the global options (endpoints, --json, --timeout), a printer, and
// a client made from them on first use and closed when the command is done.

import { CorralClient, DEFAULT_PORT } from '../client-sdk';
import { makePrinter, type Printer } from './output';

export const DEFAULT_ENDPOINTS = `127.0.0.1:${DEFAULT_PORT}`;
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface GlobalOptions {
  readonly endpoints?: string;
  readonly json?: boolean;
  readonly timeout?: number;
}

export class CliContext {
  readonly printer: Printer;
  readonly timeoutMs: number;
  readonly endpoints: string;
  private clientValue: CorralClient | null = null;

  constructor(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env) {
    this.printer = makePrinter(options.json === true);
    this.timeoutMs = options.timeout ?? DEFAULT_TIMEOUT_MS;
    const fromEnv = env.CORRAL_ENDPOINTS;
    this.endpoints = options.endpoints ?? (fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv : DEFAULT_ENDPOINTS);
  }

  get client(): CorralClient {
    if (this.clientValue === null) this.clientValue = new CorralClient({ endpoints: this.endpoints, timeoutMs: this.timeoutMs });
    return this.clientValue;
  }

  /** Closes the client (sessions are left to lapse unless the command closed them). */
  close(): void {
    this.clientValue?.close();
    this.clientValue = null;
  }
}
