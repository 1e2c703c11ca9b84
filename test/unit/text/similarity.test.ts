import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  cosineSimilarity,
  cutGenerated,
  cutTarget,
  damerauLevenshteinDistance,
  damerauLevenshteinSimilarity,
  jaccardSimilarity,
  meanSimilarities,
  scoreTranscript,
} from '../../../src/lib/text/similarity.ts';
import { encodeText } from '../../../src/lib/text/tokens.ts';

interface Case {
  target: number[];
  generated: number[];
  jaccard: number;
  cosine: number;
  damerauLevenshtein: number;
}

const golden = JSON.parse(readFileSync(new URL('../../fixtures/reference/string-similarity.json', import.meta.url), 'utf8')) as {
  cases: Array<Omit<Case, 'damerauLevenshtein'> & { damerau_levenshtein: number }>;
};

// Edge cases computed with Debian's python3-textdistance 4.5.0 (textdistance.<name>.normalized_similarity):
// empty sides, transpositions (restricted: [9,10] -> [10,11,9] is 3 edits, not 2) and repeated symbols.
const extraCases: Case[] = [
  { target: [], generated: [], jaccard: 1.0, cosine: 1.0, damerauLevenshtein: 1 },
  { target: [0, 1], generated: [], jaccard: 0.0, cosine: 0.0, damerauLevenshtein: 0.0 },
  { target: [], generated: [0, 1], jaccard: 0.0, cosine: 0.0, damerauLevenshtein: 0.0 },
  { target: [0, 5, 6, 1], generated: [0, 6, 5, 1], jaccard: 1.0, cosine: 1.0, damerauLevenshtein: 0.75 },
  { target: [0, 9, 10, 11, 12, 1], generated: [0, 10, 9, 12, 11, 1], jaccard: 1.0, cosine: 1.0, damerauLevenshtein: 0.6666666666666667 },
  { target: [0, 4, 4, 1], generated: [0, 4, 4, 4, 4, 4, 4, 1], jaccard: 0.5, cosine: 0.7071067811865475, damerauLevenshtein: 0.5 },
  { target: [0, 1], generated: [0, 2, 2, 2, 2, 1], jaccard: 0.33333333333333326, cosine: 0.5773502691896258, damerauLevenshtein: 0.33333333333333337 },
  { target: [0, 9, 10, 1], generated: [0, 10, 11, 9, 1], jaccard: 0.8, cosine: 0.8944271909999159, damerauLevenshtein: 0.4 },
  { target: [0, 20, 21, 22, 23, 1], generated: [0, 23, 22, 21, 20, 1], jaccard: 1.0, cosine: 1.0, damerauLevenshtein: 0.5 },
  { target: [7], generated: [8], jaccard: 0.0, cosine: 0.0, damerauLevenshtein: 0.0 },
  {
    target: [0, 4, 9, 5, 8, 9, 8, 11, 9, 6, 1],
    generated: [0, 11, 6, 4, 8, 4, 9, 10, 4, 10, 9, 10, 4, 11, 4, 6, 1],
    jaccard: 0.4,
    cosine: 0.5850179393017045,
    damerauLevenshtein: 0.4117647058823529,
  },
  {
    target: [0, 6, 4, 5, 10, 4, 7, 9, 8, 11, 10, 6, 4, 4, 11, 9, 1],
    generated: [0, 7, 6, 6, 10, 5, 6, 10, 9, 6, 4, 10, 8, 6, 11, 6, 11, 11, 9, 11, 8, 8, 11, 10, 6, 5, 10, 1],
    jaccard: 0.4516129032258065,
    cosine: 0.641688947919748,
    damerauLevenshtein: 0.3214285714285714,
  },
];

function worstErrors(cases: Case[]) {
  const worst = { jaccard: 0, cosine: 0, damerauLevenshtein: 0 };
  for (const c of cases) {
    worst.jaccard = Math.max(worst.jaccard, Math.abs(jaccardSimilarity(c.target, c.generated) - c.jaccard));
    worst.cosine = Math.max(worst.cosine, Math.abs(cosineSimilarity(c.target, c.generated) - c.cosine));
    worst.damerauLevenshtein = Math.max(worst.damerauLevenshtein, Math.abs(damerauLevenshteinSimilarity(c.target, c.generated) - c.damerauLevenshtein));
  }
  return worst;
}

describe('string similarities (textdistance 4.5 normalized_similarity)', () => {
  it(`match the ${golden.cases.length} golden pairs to 1e-12`, () => {
    expect(golden.cases.length).toBe(200);
    const cases = golden.cases.map(({ damerau_levenshtein, ...rest }) => ({ ...rest, damerauLevenshtein: damerau_levenshtein }));
    const worst = worstErrors(cases);
    // Measured: 0 for all three (the same float operations as textdistance, e.g. 1 - (1 - 1/3)).
    expect(worst.jaccard).toBeLessThanOrEqual(1e-12);
    expect(worst.cosine).toBeLessThanOrEqual(1e-12);
    expect(worst.damerauLevenshtein).toBeLessThanOrEqual(1e-12);
  });

  it('match textdistance on empty, transposed and repeated sequences', () => {
    const worst = worstErrors(extraCases);
    expect(worst).toEqual({ jaccard: 0, cosine: 0, damerauLevenshtein: 0 });
  });

  it('use the restricted (optimal string alignment) distance', () => {
    // Unrestricted Damerau-Levenshtein gives 2 for ca -> abc; the restricted variant cannot edit a transposed pair.
    expect(damerauLevenshteinDistance([3, 1], [1, 2, 3])).toBe(3);
    expect(damerauLevenshteinDistance([1, 2], [2, 1])).toBe(1);
    expect(damerauLevenshteinDistance([1, 2, 3], [])).toBe(3);
  });
});

describe('cutting sequences before scoring', () => {
  it('keeps the target up to and including its stop token', () => {
    expect(cutTarget(encodeText('ab', 8))).toEqual([0, 9, 10, 1]);
    expect(() => cutTarget([0, 9, 10])).toThrow(/no stop token/);
  });

  it('keeps generated tokens up to the first stop, or replaces the last token by stop', () => {
    expect(cutGenerated([0, 9, 1, 10, 1, 2])).toEqual([0, 9, 1]);
    expect(cutGenerated([0, 9, 10, 11])).toEqual([0, 9, 10, 1]);
    expect(cutGenerated(Int32Array.from([0, 1, 1]))).toEqual([0, 1]);
  });

  it('scores the cut sequences, so padding and tokens after stop do not count', () => {
    const target = encodeText('abc', 10); // < a b c > @ @ @ @ @
    const generated = [0, 9, 10, 12, 1, 20, 21, 22, 23, 24];
    expect(scoreTranscript(target, generated)).toEqual({
      jaccard: jaccardSimilarity([0, 9, 10, 11, 1], [0, 9, 10, 12, 1]),
      cosine: cosineSimilarity([0, 9, 10, 11, 1], [0, 9, 10, 12, 1]),
      damerauLevenshtein: 0.8,
    });
    const mean = meanSimilarities([
      { target, generated: target },
      { target, generated },
    ]);
    expect(mean.count).toBe(2);
    expect(mean.damerauLevenshtein).toBeCloseTo(0.9, 15);
  });
});
