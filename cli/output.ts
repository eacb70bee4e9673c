// What the CLI prints: plain text for people, or (with --json) one JSON object per line for
// programs. Values are shown as UTF-8; a value that is not valid UTF-8 is given in base64
// under `valueBase64` in JSON.

import type { NodeStat } from '../client-sdk';

export interface Printer {
  readonly json: boolean;
  /** One line of text (text mode only). */
  line(text: string): void;
  /** One JSON object (json mode only). */
  object(value: unknown): void;
  /** Text or JSON, whichever mode is on. */
  result(text: string | null, value: unknown): void;
  /** A note on stderr (progress, warnings): never part of the result. */
  note(text: string): void;
}

export function makePrinter(json: boolean, stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr): Printer {
  return {
    json,
    line: (text) => {
      stdout.write(`${text}\n`);
    },
    object: (value) => {
      stdout.write(`${JSON.stringify(value)}\n`);
    },
    result(text, value) {
      if (json) this.object(value);
      else if (text !== null) this.line(text);
    },
    note: (text) => {
      stderr.write(`${text}\n`);
    },
  };
}

export function isUtf8(bytes: Uint8Array): boolean {
  return Buffer.from(Buffer.from(bytes).toString('utf8'), 'utf8').equals(Buffer.from(bytes));
}

/** `{ value }` for UTF-8 data, `{ valueBase64 }` otherwise (`key` renames `value`). */
export function valueFields(bytes: Uint8Array | null, key = 'value'): Record<string, string | null> {
  if (bytes === null) return { [key]: null };
  return isUtf8(bytes) ? { [key]: Buffer.from(bytes).toString('utf8') } : { [`${key}Base64`]: Buffer.from(bytes).toString('base64') };
}

export function statFields(stat: NodeStat): Record<string, number> {
  return {
    version: stat.version,
    createRevision: stat.createRevision,
    modRevision: stat.modRevision,
    ephemeralOwner: stat.ephemeralOwner,
    numChildren: stat.numChildren,
    dataLength: stat.dataLength,
  };
}

/** A value on one line of text: newlines and other control characters escaped. */
export function inlineText(bytes: Uint8Array): string {
  const text = Buffer.from(bytes).toString('utf8');
  return text.replace(/[\u0000-\u001f\\]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : c === '\\' ? '\\\\' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** Left-aligned columns. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ')).join('\n');
}
