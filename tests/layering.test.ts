// Keeps the layering of docs/architecture.md true by scanning imports:
// raft depends on nothing but small utilities; client-sdk and cli never import server code;
// the state machines and storage never reach up into host, api or node.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(ROOT, dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(relative(ROOT, path)));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Repository-relative targets of every relative import of a file (bare packages excluded). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const targets: string[] = [];
  for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]([^'"]+)['"]/g)) {
    const spec = match[1];
    if (spec.startsWith('.')) targets.push(relative(ROOT, resolve(dirname(file), spec)));
  }
  return targets;
}

function violations(dir: string, allowed: (target: string) => boolean): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(dir)) {
    for (const target of importsOf(file)) if (!allowed(target)) found.push(`${relative(ROOT, file)} imports ${target}`);
  }
  return found;
}

const under = (target: string, ...dirs: string[]): boolean => dirs.some((d) => target === d || target.startsWith(`${d}/`));

describe('layering', () => {
  test('server/raft imports only itself and server/util/assert', () => {
    expect(violations('server/raft', (t) => under(t, 'server/raft', 'server/util/assert'))).toEqual([]);
  });

  test('client-sdk and cli never import server code', () => {
    const allowed = (t: string): boolean => !under(t, 'server');
    expect([...violations('client-sdk', allowed), ...violations('cli', allowed)]).toEqual([]);
  });

  test('state machines and storage never reach up into host internals, api or node', () => {
    const up = (t: string): boolean => under(t, 'server/api', 'server/node', 'server/main') || (under(t, 'server/host') && t !== 'server/host/ports');
    const allowed = (t: string): boolean => !up(t);
    expect([...violations('server/kv', allowed), ...violations('server/storage', allowed), ...violations('server/meta', allowed)]).toEqual([]);
  });

  test('the host never imports the api or node layers', () => {
    expect(violations('server/host', (t) => !under(t, 'server/api', 'server/node', 'server/main'))).toEqual([]);
  });
});
