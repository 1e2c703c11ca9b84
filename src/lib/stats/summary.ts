/**
 * Spread and intervals for results over seeds and clips: the summary of a sample (n, mean, standard deviation,
 * range, the 95% Student-t interval of the mean), the same for paired differences, and a seeded percentile
 * bootstrap for the mean of per-clip values.
 */
import { Random } from '../random.ts';

export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1); null for a single value. */
  sd: number | null;
  min: number;
  max: number;
  /** 95% interval of the mean; null for a single value. */
  low: number | null;
  high: number | null;
}

// Two-sided 95% quantiles of Student's t, t(0.975, df), for df = 1..30 (Abramowitz & Stegun, table 26.10).
const t975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069,
  2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/**
 * t(0.975, df); beyond the table, the normal quantile with the first two terms of its Cornish-Fisher expansion
 * (Abramowitz & Stegun 26.7.5), within 1e-4 of the exact quantile from df = 31 on (the first term alone is 3e-3 off
 * there).
 */
export function studentT975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new Error(`studentT975: degrees of freedom must be a positive integer, got ${df}`);
  if (df <= t975.length) return t975[df - 1];
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  if (n === 0) throw new Error('summarize: no values');
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  const min = Math.min(...values);
  const max = Math.max(...values);
  if (n === 1) return { n, mean, sd: null, min, max, low: null, high: null };
  const sd = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1));
  const half = (studentT975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, min, max, low: mean - half, high: mean + half };
}

/** The summary of the differences a[i] - b[i] of paired values (same seed, same clip). */
export function summarizePaired(a: readonly number[], b: readonly number[]): Summary {
  if (a.length !== b.length) throw new Error(`summarizePaired: ${a.length} values against ${b.length}`);
  return summarize(a.map((value, i) => value - b[i]));
}

/** Does the interval leave out zero? `undefined` when there is no interval (a single value). */
export function excludesZero(summary: Summary): boolean | undefined {
  if (summary.low === null || summary.high === null) return undefined;
  return summary.low > 0 || summary.high < 0;
}

/**
 * Percentile bootstrap of the mean: `resamples` draws of n values with replacement (seeded), the 2.5% and 97.5%
 * quantiles of their means.
 */
export function bootstrapMean(values: readonly number[], options: { resamples?: number; seed?: number } = {}): { mean: number; low: number; high: number } {
  const n = values.length;
  if (n === 0) throw new Error('bootstrapMean: no values');
  const resamples = options.resamples ?? 2000;
  const random = new Random(options.seed ?? 1);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(random.next() * n)];
    means[r] = sum / n;
  }
  means.sort();
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.round(q * (resamples - 1))))];
  return { mean: values.reduce((sum, value) => sum + value, 0) / n, low: at(0.025), high: at(0.975) };
}
