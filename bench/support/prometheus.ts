/** PrometheusSample is one line of the text exposition format. */
export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** parsePrometheus reads the samples of a `/metrics` answer (comments and blank lines skipped). */
export function parsePrometheus(text: string): PrometheusSample[] {
  const samples: PrometheusSample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1]!] = pair[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/**
 * MetricsSnapshot is one scrape of `/metrics`: `sum` adds the samples of a metric whose labels
 * match every given label.
 */
export class MetricsSnapshot {
  constructor(readonly samples: readonly PrometheusSample[]) {}

  /** sum adds the values of `name` whose labels include `labels`. */
  sum(name: string, labels: Record<string, string> = {}): number {
    let total = 0;
    for (const sample of this.samples) {
      if (sample.name !== name) continue;
      if (Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
        total += sample.value;
    }
    return total;
  }
}

/** scrapeMetrics fetches and parses `<origin>/metrics`. */
export async function scrapeMetrics(origin: string): Promise<MetricsSnapshot> {
  const response = await fetch(`${origin}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  return new MetricsSnapshot(parsePrometheus(await response.text()));
}

/**
 * histogramMean is the mean of a histogram's observations between two scrapes (its `_sum` and
 * `_count` deltas), in the histogram's unit; NaN when nothing was observed.
 */
export function histogramMean(
  before: MetricsSnapshot,
  after: MetricsSnapshot,
  name: string,
  labels: Record<string, string> = {},
): { mean: number; count: number } {
  const count = after.sum(`${name}_count`, labels) - before.sum(`${name}_count`, labels);
  const sum = after.sum(`${name}_sum`, labels) - before.sum(`${name}_sum`, labels);
  return { mean: count > 0 ? sum / count : Number.NaN, count };
}
