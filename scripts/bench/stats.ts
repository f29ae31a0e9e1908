/** Median and spread of repeated measurements: what a noisy shared machine allows one to claim. */
export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  /** Quartiles (linear interpolation); equal to min/max below four samples. */
  q1: number;
  q3: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('no measurements to summarize');
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    min: at(sorted, 0),
    max: at(sorted, sorted.length - 1),
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
  };
}

function at(values: readonly number[], index: number): number {
  const value = values[index];
  if (value === undefined) throw new RangeError(`no value at ${index}`);
  return value;
}

function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return at(sorted, below) + (at(sorted, above) - at(sorted, below)) * (position - below);
}

/** Median of per-pair ratios a[i] / b[i]: pairs ran back to back, so slow phases of the machine cancel out. */
export function pairedRatio(numerators: readonly number[], denominators: readonly number[]): Summary {
  if (numerators.length !== denominators.length) throw new RangeError('paired measurements differ in number');
  return summarize(numerators.map((value, i) => value / at(denominators, i)));
}

/** Decode speed of one run: tokens after the first, over the time after the first. */
export function decodeTokensPerSecond(tokenCount: number, firstTokenMs: number, totalMs: number): number {
  return tokenCount > 1 && totalMs > firstTokenMs ? ((tokenCount - 1) * 1000) / (totalMs - firstTokenMs) : 0;
}
