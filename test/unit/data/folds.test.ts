/** k-fold cross-validation: every item a test item exactly once, parts disjoint, the same folds for the same seed. */
import { describe, expect, it } from 'vitest';
import { crossValidationFolds } from '../../../src/lib/data/folds.ts';

describe('crossValidationFolds', () => {
  const folds = crossValidationFolds(385, { k: 3, seed: 1, validationFraction: 0.05 });

  it('makes every item a test item in exactly one fold, with fold sizes one apart at most', () => {
    const tested = folds.flatMap((fold) => fold.test).sort((a, b) => a - b);
    expect(tested).toEqual(Array.from({ length: 385 }, (_, i) => i));
    expect(folds.map((fold) => fold.test.length)).toEqual([128, 129, 128]);
  });

  it('keeps train, validation and test of a fold disjoint and complete, validation carved from the training part', () => {
    for (const fold of folds) {
      const all = [...fold.train, ...fold.validation, ...fold.test];
      expect(new Set(all).size).toBe(385);
      expect(fold.validation).toHaveLength(Math.round((385 - fold.test.length) * 0.05));
      for (const part of [fold.train, fold.validation, fold.test]) expect(part).toEqual([...part].sort((a, b) => a - b));
    }
  });

  it('shuffles: a fold is not a block of consecutive items (metadata order is reading order)', () => {
    for (const fold of folds) expect(fold.test.at(-1)! - fold.test[0]).toBeGreaterThan(300);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(crossValidationFolds(385, { k: 3, seed: 1, validationFraction: 0.05 })).toEqual(folds);
    expect(crossValidationFolds(385, { k: 3, seed: 2, validationFraction: 0.05 })[0].test).not.toEqual(folds[0].test);
  });

  it('rejects too few items, k < 2 and a validation share that leaves no training items', () => {
    expect(() => crossValidationFolds(5, { k: 3, seed: 1, validationFraction: 0.1 })).toThrow(/5 items are too few for 3 folds/);
    expect(() => crossValidationFolds(10, { k: 1, seed: 1, validationFraction: 0.1 })).toThrow(/k must be an integer >= 2/);
    expect(() => crossValidationFolds(6, { k: 3, seed: 1, validationFraction: 0.9 })).toThrow(/leaves fold 0 no training items/);
  });
});
