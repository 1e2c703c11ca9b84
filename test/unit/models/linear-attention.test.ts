import { describe, expect, it } from 'vitest';
import {
  attentionFlops,
  binomial,
  dot,
  featureDimension,
  linearAttention,
  matrix,
  maxRelativeError,
  quadraticFeatureAttention,
  softmaxAttention,
  symmetricFeatureDimension,
  symmetricFeatureMap,
  tensorFeatureMap,
  truncatedExp,
} from '../../../src/lib/models/linear-attention.ts';
import { Random } from '../../../src/lib/random.ts';

describe('McLaurin feature maps', () => {
  it('give M = 1 + D + D² for three terms: 13 for D = 3, not the 2D + 1 = 7 of the original write-up', () => {
    expect(featureDimension(3, 3)).toBe(13);
    expect(tensorFeatureMap(3)(Float64Array.of(1, 2, 3))).toHaveLength(13);
    expect(symmetricFeatureDimension(3, 3)).toBe(10);
    expect(symmetricFeatureMap(3)(Float64Array.of(1, 2, 3))).toHaveLength(10);
  });

  it('spell out φ for D = 2, K = 3', () => {
    const [a, b] = [2, 3];
    const r = Math.SQRT1_2;
    const close = (values: Float64Array) => [...values].map((x) => Number(x.toFixed(12)));
    const expected = (values: number[]) => values.map((x) => Number(x.toFixed(12)));
    expect(close(tensorFeatureMap(3)(Float64Array.of(a, b)))).toEqual(expected([1, a, b, a * a * r, a * b * r, b * a * r, b * b * r]));
    // The compressed map merges q1q2 and q2q1 into one coordinate of weight 1 (= √2 · 1/√2).
    expect(close(symmetricFeatureMap(3)(Float64Array.of(a, b)))).toEqual(expected([1, a, b, a * a * r, a * b, b * b * r]));
  });

  it('reproduce the truncated series exactly', () => {
    const random = new Random(7);
    for (let terms = 1; terms <= 5; terms++) {
      const q = Float64Array.from({ length: 4 }, () => random.normal() * 0.7);
      const k = Float64Array.from({ length: 4 }, () => random.normal() * 0.7);
      expect(dot(tensorFeatureMap(terms)(q), tensorFeatureMap(terms)(k))).toBeCloseTo(truncatedExp(dot(q, k), terms), 12);
    }
  });

  it('count binomials and dimensions for larger K', () => {
    expect(binomial(10, 3)).toBe(120);
    expect(featureDimension(4, 5)).toBe(1 + 4 + 16 + 64 + 256);
    expect(symmetricFeatureDimension(4, 5)).toBe(binomial(8, 4));
  });
});

describe('attention forms', () => {
  const random = new Random(11);
  const gaussian = (rows: number, cols: number, std = 1) =>
    matrix(
      rows,
      cols,
      Float64Array.from({ length: rows * cols }, () => random.normal() * std),
    );

  it('associate either way to the same result', () => {
    const [q, k, v] = [gaussian(32, 4, 0.5), gaussian(32, 4, 0.5), gaussian(32, 4)];
    const phi = tensorFeatureMap(3);
    expect(maxRelativeError(linearAttention(q, k, v, phi), quadraticFeatureAttention(q, k, v, phi))).toBeLessThan(1e-12);
  });

  it('approach softmax attention when qᵀk is small', () => {
    const [q, k, v] = [gaussian(16, 4, 0.1), gaussian(16, 4, 0.1), gaussian(16, 4)];
    const exact = softmaxAttention(q, k, v);
    expect(maxRelativeError(linearAttention(q, k, v, symmetricFeatureMap(3)), exact)).toBeLessThan(1e-3);
    expect(maxRelativeError(linearAttention(q, k, v, symmetricFeatureMap(5)), exact)).toBeLessThan(1e-5);
  });

  it('count FLOPs quadratic and linear in L', () => {
    const at = (length: number) => attentionFlops(length, 8, 73);
    expect(at(2048).softmax / at(1024).softmax).toBeCloseTo(4, 2);
    expect(at(2048).linear / at(1024).linear).toBe(2);
  });
});
