// Counts over a run's time in a bounded number of buckets: a run of ten seconds gets one bucket per
// second, a run of ten hours the same number of wider ones. When a count lands past the last
// bucket, neighbouring buckets are merged in pairs (the width doubles), so memory and the report's
// size stay flat however long the run lasts.

/** How two neighbouring buckets of a series merge: counts add up, a maximum keeps the larger. */
export type MergeKind = 'sum' | 'max';

/** The timeline as stored in the run data: `values[series][i]` covers [i × bucketSeconds, (i + 1) × bucketSeconds). */
export interface TimelineData {
  bucketSeconds: number;
  buckets: number;
  series: Record<string, number[]>;
}

export const DEFAULT_MAX_BUCKETS = 240;

export class Timeline {
  private bucketSeconds = 1;
  private used = 0;
  private readonly series = new Map<string, { kind: MergeKind; values: number[] }>();

  constructor(private readonly maxBuckets = DEFAULT_MAX_BUCKETS) {
    if (maxBuckets < 2 || maxBuckets % 2 !== 0) throw new RangeError('a timeline needs an even number of buckets, at least 2');
  }

  /** Adds `amount` to `name` at `ms` after the start ('max' keeps the largest value seen in the bucket). */
  add(name: string, ms: number, amount = 1, kind: MergeKind = 'sum'): void {
    const index = this.indexOf(ms);
    let entry = this.series.get(name);
    if (!entry) {
      entry = { kind, values: [] };
      this.series.set(name, entry);
    }
    while (entry.values.length <= index) entry.values.push(0);
    entry.values[index] = kind === 'max' ? Math.max(entry.values[index]!, amount) : entry.values[index]! + amount;
    this.used = Math.max(this.used, index + 1);
  }

  /** Makes room up to `ms` (the run's end), so every series ends at the same bucket. */
  reach(ms: number): void {
    this.used = Math.max(this.used, this.indexOf(ms) + 1);
  }

  has(name: string): boolean {
    return this.series.has(name);
  }

  get size(): number {
    return this.series.size;
  }

  names(): string[] {
    return [...this.series.keys()];
  }

  total(name: string): number {
    return (this.series.get(name)?.values ?? []).reduce((sum, value) => sum + value, 0);
  }

  /** Folds the series `from` into `into` (bucket by bucket), and forgets `from`. */
  fold(from: string, into: string): void {
    const source = this.series.get(from);
    if (!source) return;
    this.series.delete(from);
    source.values.forEach((value, i) => {
      if (value !== 0) this.addAt(into, i, value, source.kind);
    });
  }

  data(): TimelineData {
    const buckets = Math.max(this.used, 1);
    const series: Record<string, number[]> = {};
    for (const [name, entry] of this.series) series[name] = Array.from({ length: buckets }, (_, i) => entry.values[i] ?? 0);
    return { bucketSeconds: this.bucketSeconds, buckets, series };
  }

  private addAt(name: string, index: number, amount: number, kind: MergeKind): void {
    this.add(name, index * this.bucketSeconds * 1000, amount, kind);
  }

  private indexOf(ms: number): number {
    let index = Math.floor(Math.max(0, ms) / 1000 / this.bucketSeconds);
    while (index >= this.maxBuckets) {
      this.widen();
      index = Math.floor(Math.max(0, ms) / 1000 / this.bucketSeconds);
    }
    return index;
  }

  /** Doubles the width: bucket i of the new timeline is buckets 2i and 2i + 1 of the old one. */
  private widen(): void {
    for (const entry of this.series.values()) {
      const merged: number[] = [];
      for (let i = 0; i < entry.values.length; i += 2) {
        const a = entry.values[i] ?? 0;
        const b = entry.values[i + 1] ?? 0;
        merged.push(entry.kind === 'max' ? Math.max(a, b) : a + b);
      }
      entry.values = merged;
    }
    this.used = Math.ceil(this.used / 2);
    this.bucketSeconds *= 2;
  }
}

/** One request answered after `latencyMs`: the series every report's latency chart reads (html/charts.ts latencyChart). */
export function addAnswer(timeline: Timeline, ms: number, latencyMs: number): void {
  timeline.add('requests', ms, 1);
  timeline.add('latencyMsSum', ms, latencyMs);
  timeline.add('latencyMsMax', ms, latencyMs, 'max');
}

/** One retry, and a 429 among them: "HTTP 429" or "HTTP 429 (slow down)", the answer's status leads the reason. */
export function addRetry(timeline: Timeline, ms: number, reason: string): void {
  timeline.add('retries', ms, 1);
  if (/^HTTP 429\b/.test(reason)) timeline.add('throttled', ms, 1);
}
