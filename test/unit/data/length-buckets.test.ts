/**
 * Length buckets: every index once per epoch, batches of neighbouring lengths, less padding than shuffled batches on
 * a skewed length distribution, the same batches from the same generator state; and the length-matched evaluation
 * order, whose shuffled-audio partner is a neighbour in length.
 */
import { describe, expect, it } from 'vitest';
import { bucketedBatches, lengthMatchedOrder, paddingFraction } from '../../../src/lib/data/length-buckets.ts';
import { Random } from '../../../src/lib/random.ts';

// Skewed like speech clip lengths: many short, a long tail (frames).
const draw = new Random(7);
const lengths = Array.from({ length: 300 }, () => Math.round(200 + 1200 * draw.next() ** 3));

function shuffledBatches(random: Random, size: number): number[][] {
  const order = Array.from(random.permutation(lengths.length));
  return Array.from({ length: Math.ceil(order.length / size) }, (_, i) => order.slice(i * size, (i + 1) * size));
}

describe('bucketedBatches', () => {
  const batches = bucketedBatches(lengths, 16, new Random(1), 3);

  it('holds every index exactly once, in batches of the batch size (the last pool may end short)', () => {
    expect(batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(batches.filter((batch) => batch.length !== 16)).toHaveLength(1);
  });

  it('draws each batch from one pool of neighbouring lengths', () => {
    const ranks = new Map(
      Array.from({ length: 300 }, (_, i) => i)
        .sort((a, b) => lengths[a] - lengths[b] || a - b)
        .map((index, rank) => [index, rank]),
    );
    // A pool is 48 consecutive ranks, so a batch's ranks span less than 48 (up to ties, ranked differently here).
    for (const batch of batches) {
      const batchLengths = batch.map((i) => lengths[i]);
      const lowest = Math.min(...batchLengths);
      const highest = Math.max(...batchLengths);
      const between = lengths.filter((length) => length > lowest && length < highest).length;
      expect(between, `batch ${batch.map((i) => ranks.get(i)).join(',')}`).toBeLessThan(48);
    }
  });

  it('pads far less than shuffled batches on a skewed distribution', () => {
    const bucketed = paddingFraction(lengths, batches);
    const shuffled = paddingFraction(lengths, shuffledBatches(new Random(1), 16));
    expect(shuffled).toBeGreaterThan(0.3);
    // Measured: 0.15 against 0.57; the long tail's pools span the widest lengths.
    expect(bucketed).toBeLessThan(shuffled / 3);
  });

  it('gives the same batches for the same generator state and others for the next epoch', () => {
    expect(bucketedBatches(lengths, 16, new Random(1), 3)).toEqual(batches);
    const random = new Random(1);
    const first = bucketedBatches(lengths, 16, random, 3);
    expect(bucketedBatches(lengths, 16, random, 3)).not.toEqual(first);
  });

  it('rejects a batch size or pool size that is not a positive integer', () => {
    expect(() => bucketedBatches(lengths, 0, new Random(1), 3)).toThrow(/batch size must be a positive integer/);
    expect(() => bucketedBatches(lengths, 16, new Random(1), 1.5)).toThrow(/poolBatches must be a positive integer/);
  });
});

describe('paddingFraction', () => {
  it('is the padded share of frames when each batch is padded to its longest', () => {
    expect(
      paddingFraction(
        [1, 3, 2, 2],
        [
          [0, 1],
          [2, 3],
        ],
      ),
    ).toBeCloseTo(2 / 10, 12);
  });
});

describe('lengthMatchedOrder', () => {
  // The control of asr-evaluation.ts: clip i hears clip (i + floor(n/2)) mod n.
  const partner = (n: number, i: number) => (i + Math.floor(n / 2)) % n;

  for (const n of [10, 11]) {
    it(`pairs every clip with a neighbour in length under the shuffled-audio control (n = ${n})`, () => {
      const clipLengths = Array.from({ length: n }, (_, i) => (i * 37) % 101); // distinct, unordered
      const order = lengthMatchedOrder(clipLengths);
      expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      const rank = new Map([...clipLengths.keys()].sort((a, b) => clipLengths[a] - clipLengths[b]).map((index, r) => [index, r]));
      const far = order.filter((clip, i) => Math.abs(rank.get(clip)! - rank.get(order[partner(n, i)])!) !== 1);
      // n odd: the shortest clip hears the longest, the one pair that cannot be neighbours.
      expect(far.map((clip) => rank.get(clip))).toEqual(n % 2 === 0 ? [] : [0]);
      // Each half rises in length, so evaluation batches cut in index order hold similar lengths.
      const half = Math.floor(n / 2);
      for (const part of [order.slice(0, half), order.slice(half)]) {
        expect(part.map((clip) => clipLengths[clip])).toEqual(part.map((clip) => clipLengths[clip]).sort((a, b) => a - b));
      }
    });
  }
});
