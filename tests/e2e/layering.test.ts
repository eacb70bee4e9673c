// Layering: the SDK and the CLI never import from server/ (they talk to it over gRPC only),
// and the SDK never imports the CLI.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) files.push(path);
  }
  return files;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const match of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    specifiers.push(match[1] ?? match[2] ?? match[3]);
  }
  return specifiers;
}

function resolvedTargets(file: string): string[] {
  return importsOf(file).filter((s) => s.startsWith('.')).map((s) => relative(ROOT, resolve(dirname(file), s)));
}

test.each(['client-sdk', 'cli'])('%s imports nothing from server/', (folder) => {
  const files = sourceFiles(join(ROOT, folder));
  expect(files.length).toBeGreaterThan(5);
  const offending = files.flatMap((file) => resolvedTargets(file).filter((t) => t === 'server' || t.startsWith('server/')).map((t) => `${relative(ROOT, file)} -> ${t}`));
  expect(offending).toEqual([]);
});

test('client-sdk does not import the CLI, and reaches only proto/ outside itself', () => {
  const files = sourceFiles(join(ROOT, 'client-sdk'));
  const outside = files.flatMap((file) => resolvedTargets(file).filter((t) => !t.startsWith('client-sdk')).map((t) => `${relative(ROOT, file)} -> ${t}`));
  expect(outside.filter((line) => !/-> proto\//.test(line))).toEqual([]);
});
