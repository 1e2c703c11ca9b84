/**
 * Length bucketing: batches of clips of similar length, so a batch padded to its own longest clip carries little
 * padding. Real LJ Speech clips run from 1.5 s to 10 s; padded to the longest, a third of every batch would be
 * zeros the encoder attends over and the step pays for.
 *
 * Training batches (torchtext's BucketIterator recipe): the clips sorted by length (ties in a seeded random
 * order), cut into pools of `poolBatches` batches of neighbouring lengths, each pool shuffled and cut into
 * batches, and the batch order shuffled. Every epoch draws anew from the generator, so batch composition varies
 * within a pool while lengths stay close; the same generator state gives the same batches.
 */
import type { Random } from '../random.ts';

export function bucketedBatches(lengths: ArrayLike<number>, batchSize: number, random: Random, poolBatches: number): number[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`length buckets: batch size must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(poolBatches) || poolBatches < 1) throw new Error(`length buckets: poolBatches must be a positive integer, got ${poolBatches}`);
  // Array.prototype.sort is stable, so equal lengths keep the permutation's (seeded) order.
  const sorted = Array.from(random.permutation(lengths.length)).sort((a, b) => lengths[a] - lengths[b]);
  const poolSize = batchSize * poolBatches;
  const batches: number[][] = [];
  for (let start = 0; start < sorted.length; start += poolSize) {
    const pool = sorted.slice(start, start + poolSize);
    const mixed = Array.from(random.permutation(pool.length), (i) => pool[i]);
    for (let from = 0; from < mixed.length; from += batchSize) batches.push(mixed.slice(from, from + batchSize));
  }
  return Array.from(random.permutation(batches.length), (i) => batches[i]);
}

/** Padded share of the frames a list of batches holds when each batch is padded to its own longest clip. */
export function paddingFraction(lengths: ArrayLike<number>, batches: readonly (readonly number[])[]): number {
  let padded = 0;
  let real = 0;
  for (const batch of batches) {
    const longest = Math.max(...batch.map((i) => lengths[i]));
    padded += longest * batch.length;
    for (const i of batch) real += lengths[i];
  }
  return padded === 0 ? 0 : (padded - real) / padded;
}

/**
 * An evaluation order for a split whose batches are cut in index order (evaluateAsr) and whose shuffled-audio
 * control lets clip i hear clip (i + floor(n/2)) mod n (asr-evaluation.ts): the clips by rank of length, odd
 * ranks first, then even ranks. Each half rises in length, so consecutive batches hold similar lengths; and the
 * control pairs every clip with a neighbour in length (rank 2j+1 hears rank 2j; rank 2j hears rank 2j+1 when n
 * is even, rank 2j-1 when n is odd, where rank 0 hears the longest), so the wrong audio lasts about as long as the
 * right one and a model that only reads the duration earns no listening gap. Returns positions into `lengths`;
 * ties keep index order.
 */
export function lengthMatchedOrder(lengths: ArrayLike<number>): number[] {
  const ranked = Array.from({ length: lengths.length }, (_, i) => i).sort((a, b) => lengths[a] - lengths[b]);
  return [...ranked.filter((_, rank) => rank % 2 === 1), ...ranked.filter((_, rank) => rank % 2 === 0)];
}
