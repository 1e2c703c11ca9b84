/**
 * Parts as data (issue 20.3): a definition declares its parts as values and names each once; the harness keeps
 * names for folders and jobs and hands the definition its own values and typed results back, never a name to parse.
 */
import { describe, expect, it } from 'vitest';
import type { PartResult, PartResults } from '../../../src/lib/harness/experiment.ts';
import { defineExperiment } from '../../../src/lib/harness/experiment.ts';
import { partNamed, partResults, partsOf, resultOfKind } from '../../../src/lib/harness/parts.ts';
import { toyDependent } from '../../support/toy-dependent.ts';

interface RatePart {
  variant: 'pooled' | 'strided';
  learningRate: number;
}

const byRate = defineExperiment({
  ...toyDependent,
  parts: (): RatePart[] => [
    { variant: 'pooled', learningRate: 0.01 },
    { variant: 'strided', learningRate: 0.01 },
  ],
  partName: ({ variant, learningRate }: RatePart) => `${variant}-lr${learningRate}`,
  dependsOn: undefined,
  runPart: async (_config: unknown, _data: null, part: RatePart) => ({ accuracy: part.learningRate }),
  assemble: (_config: unknown, _data: null, results: PartResults<RatePart, { accuracy: number }>) => ({
    metrics: { pooled: results.of({ variant: 'pooled', learningRate: 0.01 }).accuracy },
  }),
});

const config = { seed: 1, uses: 1 };

describe('parts as data', () => {
  it('names each part once for its folder, and gives the definition its own value back for a name', () => {
    expect(partsOf(byRate, config)).toEqual(['pooled-lr0.01', 'strided-lr0.01']);
    expect(partNamed(byRate, config, 'strided-lr0.01')).toEqual({ variant: 'strided', learningRate: 0.01 });
    expect(() => partNamed(byRate, config, 'strided-lr0.1')).toThrow(/toy-dependent: no part named 'strided-lr0.1' \(parts: pooled-lr0.01, strided-lr0.01\)/);
  });

  it('hands assemble each result by part, and names a part that has none', () => {
    const results = partResults(byRate, new Map([['pooled-lr0.01', { accuracy: 0.9 }]]));
    expect(results.of({ variant: 'pooled', learningRate: 0.01 })).toEqual({ accuracy: 0.9 });
    expect(() => results.of({ variant: 'strided', learningRate: 0.01 })).toThrow(/part 'strided-lr0.01' has no result in this run \(parts: pooled-lr0.01\)/);
  });

  it('refuses parts that are not strings when the definition does not name them, and names that repeat', () => {
    const unnamed = defineExperiment({ ...byRate, partName: undefined });
    expect(() => partsOf(unnamed, config)).toThrow(/toy-dependent: its parts are not strings, so it must name them \(partName\)/);
    const byRateOnly = defineExperiment({ ...byRate, partName: ({ learningRate }: RatePart) => `lr${learningRate}` });
    expect(() => partsOf(byRateOnly, config)).toThrow(/toy-dependent: part names repeat: lr0.01, lr0.01/);
  });

  it('tells a result of one kind from another by what it holds, and names both when it is the wrong one', () => {
    const isFold = (result: PartResult): result is PartResult & { fold: number } => typeof result.fold === 'number';
    expect(resultOfKind({ fold: 2 }, isFold, 'a fold').fold).toBe(2);
    expect(() => resultOfKind({ stages: [] }, isFold, 'a fold')).toThrow(/expected a fold part's result, found one holding stages/);
  });
});
