/** Small summaries of number lists shared by the checks. NaNs are ignored; empty lists give NaN. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, Math.ceil(at));
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function mean(values: readonly number[]): number {
  const kept = values.filter((v) => !Number.isNaN(v));
  return kept.reduce((s, v) => s + v, 0) / (kept.length || NaN);
}

/** hits / total, NaN when there is nothing to count. */
export function share(hits: number, total: number): number {
  return total > 0 ? hits / total : NaN;
}

/** The most frequent label (the earliest seen on ties). */
export function majority(labels: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  let best = labels[0];
  for (const [label, n] of counts) if (n > (counts.get(best) ?? 0)) best = label;
  return best;
}
