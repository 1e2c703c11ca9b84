import { describe, expect, it } from 'vitest';
import { Random } from '../../../src/lib/random.ts';
import { bootstrapMean, excludesZero, studentT975, summarize, summarizePaired } from '../../../src/lib/stats/summary.ts';

describe('studentT975', () => {
  // t(0.975, df), computed independently (bisection on the numerically integrated t density; R's qt agrees).
  const exact: Array<[number, number]> = [
    [1, 12.7062047],
    [2, 4.3026527],
    [3, 3.1824463],
    [5, 2.5705818],
    [10, 2.2281389],
    [30, 2.0422725],
    [31, 2.0395134],
    [40, 2.0210754],
    [60, 2.0002978],
    [120, 1.9799304],
    [1000, 1.9623391],
  ];

  it.each(exact)('t(0.975, %i) = %f within 1e-3', (df, quantile) => {
    expect(Math.abs(studentT975(df) - quantile)).toBeLessThan(1e-3);
  });

  it('falls with the degrees of freedom towards the normal quantile', () => {
    const values = Array.from({ length: 200 }, (_, i) => studentT975(i + 1));
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeLessThan(values[i - 1]);
    expect(values.at(-1)!).toBeGreaterThan(1.959964);
  });

  it('rejects degrees of freedom that are not positive integers', () => {
    for (const df of [0, -1, 2.5, Number.NaN]) expect(() => studentT975(df)).toThrow(/positive integer/);
  });
});

describe('summarize', () => {
  it('gives n, mean, sample sd, range and the t interval (by hand: 1, 2, 3, 4)', () => {
    // mean 2.5; sd = sqrt(5/3) = 1.2909944; half width = t(0.975, 3) x sd / sqrt(4) = 3.182 x 1.2909944 / 2 = 2.0539722
    const summary = summarize([1, 2, 3, 4]);
    expect(summary).toMatchObject({ n: 4, mean: 2.5, min: 1, max: 4 });
    expect(summary.sd).toBeCloseTo(1.2909944, 7);
    expect(summary.low).toBeCloseTo(0.4460278, 7);
    expect(summary.high).toBeCloseTo(4.5539722, 7);
  });

  it('has no sd and no interval for one value, and refuses none', () => {
    expect(summarize([0.7])).toEqual({ n: 1, mean: 0.7, sd: null, min: 0.7, max: 0.7, low: null, high: null });
    expect(() => summarize([])).toThrow(/no values/);
  });

  it('gives a zero-width interval for equal values', () => {
    expect(summarize([3, 3, 3])).toEqual({ n: 3, mean: 3, sd: 0, min: 3, max: 3, low: 3, high: 3 });
  });
});

describe('summarizePaired', () => {
  it('summarises the differences a - b, pair by pair', () => {
    // differences 0.02, 0.04, 0.01: mean 0.0233333, sd 0.0152753, half width 4.303 x 0.0152753 / sqrt(3) = 0.0379489
    const paired = summarizePaired([0.8, 0.84, 0.82], [0.78, 0.8, 0.81]);
    expect(paired.n).toBe(3);
    expect(paired.mean).toBeCloseTo(0.0233333, 7);
    expect(paired.sd).toBeCloseTo(0.0152753, 7);
    expect(paired.low).toBeCloseTo(-0.0146156, 7);
    expect(paired.high).toBeCloseTo(0.0612822, 7);
    // Pairing matters: the same values unpaired (b reversed) give other differences.
    expect(summarizePaired([0.8, 0.84, 0.82], [0.81, 0.8, 0.78]).mean).toBeCloseTo(0.0233333, 7);
    expect(summarizePaired([0.8, 0.84, 0.82], [0.81, 0.8, 0.78]).sd).not.toBeCloseTo(0.0152753, 4);
  });

  it('refuses samples of different lengths', () => {
    expect(() => summarizePaired([1, 2], [1])).toThrow(/2 values against 1/);
  });
});

describe('excludesZero', () => {
  it('says whether the interval leaves out zero, and nothing without an interval', () => {
    expect(excludesZero(summarize([1, 1.1, 0.9]))).toBe(true);
    expect(excludesZero(summarize([-1, -1.1, -0.9]))).toBe(true);
    expect(excludesZero(summarizePaired([0.8, 0.84, 0.82], [0.78, 0.8, 0.81]))).toBe(false);
    expect(excludesZero(summarize([5]))).toBeUndefined();
  });
});

describe('bootstrapMean', () => {
  const sample = (seed: number, n: number) => {
    const random = new Random(seed);
    return Array.from({ length: n }, () => random.normal());
  };

  it('is deterministic for a seed, and the seed matters', () => {
    const values = sample(7, 25);
    expect(bootstrapMean(values, { seed: 3, resamples: 500 })).toEqual(bootstrapMean(values, { seed: 3, resamples: 500 }));
    expect(bootstrapMean(values, { resamples: 500 })).toEqual(bootstrapMean(values, { seed: 1, resamples: 500 }));
    expect(bootstrapMean(values, { seed: 4, resamples: 500 })).not.toEqual(bootstrapMean(values, { seed: 3, resamples: 500 }));
  });

  it('brackets the sample mean, and collapses on equal values', () => {
    const values = sample(8, 25);
    const { mean, low, high } = bootstrapMean(values);
    expect(mean).toBeCloseTo(summarize(values).mean, 12);
    expect(low).toBeLessThan(mean);
    expect(high).toBeGreaterThan(mean);
    expect(bootstrapMean([2, 2, 2])).toEqual({ mean: 2, low: 2, high: 2 });
    expect(() => bootstrapMean([])).toThrow(/no values/);
  });

  it('covers the true mean about 95% of the time, and is about as wide as the t interval', () => {
    // 200 samples of 30 standard normal values: a percentile bootstrap covers 0 in ~93-95% of them.
    let covered = 0;
    const widthRatios: number[] = [];
    for (let trial = 0; trial < 200; trial++) {
      const values = sample(1000 + trial, 30);
      const interval = bootstrapMean(values, { seed: trial + 1, resamples: 400 });
      if (interval.low <= 0 && 0 <= interval.high) covered += 1;
      const t = summarize(values);
      widthRatios.push((interval.high - interval.low) / (t.high! - t.low!));
    }
    expect(covered / 200).toBeGreaterThan(0.88);
    expect(covered / 200).toBeLessThan(0.99);
    const meanRatio = widthRatios.reduce((sum, ratio) => sum + ratio, 0) / widthRatios.length;
    expect(meanRatio).toBeGreaterThan(0.85);
    expect(meanRatio).toBeLessThan(1.05);
  });
});
