/**
 * Latency samples and outcome counters for the bench load source. Pure, no I/O.
 * Exports: `LatencyRecorder` (exact percentiles by nearest rank over every sample; a run is bounded
 * to a few million messages, so keeping all samples in a Float64Array is cheap and exact),
 * `OutcomeCounter` (ok / failed by reply code), `percentile`, `summarize`.
 * Invariant: percentiles are computed over the samples recorded so far; none → all fields null.
 */

export interface LatencySummary {
  readonly count: number;
  readonly min: number | null;
  readonly mean: number | null;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/** Nearest-rank percentile (p in 0..100) of an ascending array; undefined when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

const round = (v: number | undefined): number | null => (v === undefined ? null : Math.round(v * 1000) / 1000);

export function summarize(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    min: round(sorted[0]),
    mean: sorted.length ? round(sum / sorted.length) : null,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1]),
  };
}

export class LatencyRecorder {
  #samples = new Float64Array(1024);
  #count = 0;

  record(ms: number): void {
    if (this.#count === this.#samples.length) {
      const grown = new Float64Array(this.#samples.length * 2);
      grown.set(this.#samples);
      this.#samples = grown;
    }
    this.#samples[this.#count++] = ms;
  }

  get count(): number {
    return this.#count;
  }

  summary(): LatencySummary {
    return summarize(this.#samples.subarray(0, this.#count));
  }
}

/** Counts accepted messages and failures keyed by reply code (or a named client-side cause). */
export class OutcomeCounter {
  ok = 0;
  readonly failed = new Map<string, number>();

  fail(key: string | number): void {
    const k = String(key);
    this.failed.set(k, (this.failed.get(k) ?? 0) + 1);
  }

  get failedTotal(): number {
    let n = 0;
    for (const v of this.failed.values()) n += v;
    return n;
  }

  failedByCode(): Record<string, number> {
    return Object.fromEntries([...this.failed.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}
