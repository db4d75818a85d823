/** Percentiles and summaries for benchmark samples. */
export function percentile(samples: readonly number[], p: number): number {
  return percentileOfSorted(
    [...samples].sort((a, b) => a - b),
    p,
  );
}

/** Nearest-rank percentile of samples already sorted ascending. */
function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export function mean(samples: readonly number[]): number {
  return samples.length === 0 ? NaN : samples.reduce((sum, v) => sum + v, 0) / samples.length;
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Sorts once; no spread of the samples into arguments (an ingest run has >100k of them). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: samples.length,
    mean: round(mean(samples)),
    p50: round(percentileOfSorted(sorted, 50)),
    p95: round(percentileOfSorted(sorted, 95)),
    p99: round(percentileOfSorted(sorted, 99)),
    max: round(sorted.length === 0 ? NaN : sorted[sorted.length - 1]),
  };
}

/** Least-squares slope of y over x (the marginal cost per unit of x). */
export function slope(points: readonly { x: number; y: number }[]): number {
  if (points.length < 2) return NaN;
  const mx = mean(points.map((p) => p.x));
  const my = mean(points.map((p) => p.y));
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}
