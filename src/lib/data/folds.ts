/**
 * k-fold cross-validation over a list of items (positions 0..count-1): every item is a test item in exactly one
 * fold, and each fold's validation items are carved from its own training part, so no fold validates or trains
 * on its test items.
 *
 * Folds come from a seeded shuffle, not from the items' order: LJ Speech's metadata order is reading order
 * (chapter after chapter of one book), so consecutive blocks would make each fold a different chapter with its
 * own names and vocabulary, and the test score would measure the topic shift as much as the listening.
 */
import { Random } from '../random.ts';

export interface Fold {
  /** 0-based. */
  index: number;
  /** Positions, ascending. */
  train: number[];
  validation: number[];
  test: number[];
}

export interface FoldOptions {
  /** Number of folds (>= 2). */
  k: number;
  /** Fold assignment and validation draw: one seed for all model seeds, so their results pair clip by clip. */
  seed: number;
  /** Share of each fold's training part held out for validation (at least one item). */
  validationFraction: number;
}

export function crossValidationFolds(count: number, options: FoldOptions): Fold[] {
  const { k, seed, validationFraction } = options;
  if (!Number.isInteger(k) || k < 2) throw new Error(`cross-validation: k must be an integer >= 2, got ${k}`);
  if (!Number.isInteger(count) || count < 2 * k) throw new Error(`cross-validation: ${count} items are too few for ${k} folds (need at least ${2 * k})`);
  if (!(validationFraction > 0 && validationFraction < 1)) throw new Error(`cross-validation: validationFraction must be in (0, 1), got ${validationFraction}`);
  const random = new Random(seed);
  const order = random.permutation(count);
  const ascending = (values: Iterable<number>) => Array.from(values).sort((a, b) => a - b);
  return Array.from({ length: k }, (_, index) => {
    // Fold sizes differ by at most one: boundaries at round(i * count / k).
    const start = Math.round((index * count) / k);
    const end = Math.round(((index + 1) * count) / k);
    const test = ascending(order.subarray(start, end));
    const rest = ascending([...order.subarray(0, start), ...order.subarray(end)]);
    const validationCount = Math.max(1, Math.round(rest.length * validationFraction));
    if (validationCount >= rest.length) throw new Error(`cross-validation: validationFraction ${validationFraction} leaves fold ${index} no training items`);
    const drawn = random.permutation(rest.length).subarray(0, validationCount);
    const held = new Set(Array.from(drawn, (i) => rest[i]));
    return { index, train: rest.filter((position) => !held.has(position)), validation: ascending(held), test };
  });
}
