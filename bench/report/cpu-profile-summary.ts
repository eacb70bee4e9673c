// Summarizes V8 .cpuprofile files (from `npm run bench -- --corral-cpu-prof DIR`): the top
// functions by self time, and the share of time by source area (server/raft, server/host,
// grpc-js, node internals, ...). Usage: npx tsx bench/report/cpu-profile-summary.ts FILE...

import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface FunctionTime {
  readonly name: string;
  readonly selfMs: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly idleMs: number;
  readonly top: readonly FunctionTime[];
  readonly areas: readonly FunctionTime[];
}

/** Rows shown per table. */
export const TOP_FUNCTIONS = 25;

export function areaOf(url: string, functionName: string): string {
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(garbage collector)') return '(garbage collector)';
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const match = /\/(server\/[a-z-]+|client-sdk|proto|cli)\//.exec(url);
  if (match !== null) return match[1];
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg !== null) return pkg[1];
  if (url.startsWith('node:')) return 'node internals';
  return 'other';
}

export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    totalUs += us;
    if (functionName === '(idle)') idleUs += us;
    const file = url.replace(/^.*\/(server|client-sdk|proto|node_modules)\//, '$1/');
    const name = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>): FunctionTime[] => [...m].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, selfMs: us / 1000 }));
  return { totalMs: totalUs / 1000, idleMs: idleUs / 1000, top: sorted(functions).slice(0, TOP_FUNCTIONS), areas: sorted(areas) };
}

function main(files: readonly string[]): void {
  for (const file of files) {
    const summary = summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
    const busyMs = summary.totalMs - summary.idleMs;
    process.stdout.write(`\n${file}: ${(summary.totalMs / 1000).toFixed(1)} s profiled, ${(busyMs / 1000).toFixed(1)} s busy\n`);
    process.stdout.write('  by area (self time, share of busy):\n');
    for (const area of summary.areas.filter((a) => a.name !== '(idle)').slice(0, 15)) process.stdout.write(`    ${(area.selfMs / busyMs * 100).toFixed(1).padStart(5)}%  ${area.selfMs.toFixed(0).padStart(7)} ms  ${area.name}\n`);
    process.stdout.write('  top functions (self time):\n');
    for (const fn of summary.top.filter((f) => !f.name.startsWith('(idle)'))) process.stdout.write(`    ${(fn.selfMs / busyMs * 100).toFixed(1).padStart(5)}%  ${fn.selfMs.toFixed(0).padStart(7)} ms  ${fn.name}\n`);
  }
}

if (require.main === module) main(process.argv.slice(2));
