// A small parser of the Prometheus text exposition format, enough for the scrape tests:
// families (from # TYPE lines) and their samples with labels.

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: string;
  readonly samples: Sample[];
}

/** Bound on lines parsed: a scrape of one node is a few thousand. */
const LINES_MAX = 200_000;

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const lines = text.split('\n');
  if (lines.length > LINES_MAX) throw new Error(`scrape has ${lines.length} lines (> ${LINES_MAX})`);
  let current: Family | null = null;
  for (const line of lines) {
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice('# TYPE '.length).split(' ');
      current = { name, type, samples: [] };
      families.set(name, current);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const sample = parseSample(line);
    const family = current !== null && sample.name.startsWith(current.name) ? current : families.get(sample.name);
    if (family === undefined) throw new Error(`sample without a family: ${line}`);
    family.samples.push(sample);
  }
  return families;
}

function parseSample(line: string): Sample {
  const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
  if (match === null) throw new Error(`not a sample line: ${line}`);
  const labels: Record<string, string> = {};
  for (const pair of (match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2];
  return { name: match[1], labels, value: Number(match[4]) };
}

/** Samples of `family` whose name is `sampleName` (default: the family name) and whose labels
 *  include `labels`. */
export function samplesOf(families: Map<string, Family>, family: string, labels: Record<string, string> = {}, sampleName = family): Sample[] {
  const found = families.get(family);
  if (found === undefined) return [];
  return found.samples.filter((s) => s.name === sampleName && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

export function sumOf(samples: readonly Sample[]): number {
  return samples.reduce((sum, s) => sum + s.value, 0);
}
