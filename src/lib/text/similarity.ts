/**
 * The homework's three string similarities on token-id sequences, with the semantics (and the floating-point
 * arithmetic) of textdistance 4.5's `normalized_similarity`:
 *
 * - Jaccard and cosine treat sequences as multisets (collections.Counter): |A & B| / |A | B| and
 *   |A & B| / (|A| |B|)^(1/2) with min/max counts. Their maximum is 1, so normalized_similarity is computed as
 *   1 - (1 - s) / 1, which is not always bit-equal to s (1/3 comes back as 0.33333333333333326).
 * - Damerau-Levenshtein is the restricted (optimal string alignment) distance d, and
 *   normalized_similarity = 1 - d / max(|a|, |b|), or 1 when both are empty.
 *
 * The quick answers come first, as in textdistance: identical sequences score 1, and (for Jaccard and cosine)
 * a pair with an empty side scores 0.
 */
import { STOP } from './tokens.ts';

export interface Similarities {
  jaccard: number;
  cosine: number;
  damerauLevenshtein: number;
}

type Tokens = ArrayLike<number>;

function identical(a: Tokens, b: Tokens): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function counts(sequence: Tokens): Map<number, number> {
  const counter = new Map<number, number>();
  for (let i = 0; i < sequence.length; i++) counter.set(sequence[i], (counter.get(sequence[i]) ?? 0) + 1);
  return counter;
}

/** Size of the multiset intersection (sum of min counts). */
function intersectionSize(a: Map<number, number>, b: Map<number, number>): number {
  let size = 0;
  for (const [key, count] of a) size += Math.min(count, b.get(key) ?? 0);
  return size;
}

/** textdistance's normalized_similarity for a similarity whose maximum is 1. */
function normalizeUnitSimilarity(similarity: number): number {
  const distance = 1 - similarity;
  return 1 - distance / 1;
}

export function jaccardSimilarity(a: Tokens, b: Tokens): number {
  if (identical(a, b)) return normalizeUnitSimilarity(1);
  if (a.length === 0 || b.length === 0) return normalizeUnitSimilarity(0);
  const countsA = counts(a);
  const countsB = counts(b);
  const intersection = intersectionSize(countsA, countsB);
  // |A | B| = |A| + |B| - |A & B| for multisets (max count = a + b - min).
  const union = a.length + b.length - intersection;
  return normalizeUnitSimilarity(intersection / union);
}

export function cosineSimilarity(a: Tokens, b: Tokens): number {
  if (identical(a, b)) return normalizeUnitSimilarity(1);
  if (a.length === 0 || b.length === 0) return normalizeUnitSimilarity(0);
  const intersection = intersectionSize(counts(a), counts(b));
  // textdistance: intersection / pow(prod, 1.0 / len(sequences)).
  return normalizeUnitSimilarity(intersection / Math.pow(a.length * b.length, 1 / 2));
}

/** Restricted Damerau-Levenshtein (optimal string alignment) distance, as textdistance's pure-Python version. */
export function damerauLevenshteinDistance(a: Tokens, b: Tokens): number {
  if (identical(a, b)) return 0;
  if (a.length === 0 || b.length === 0) return Math.max(a.length, b.length);
  const columns = b.length + 1;
  // d[i + 1][j + 1] here is textdistance's d[i, j]; row/column 0 hold its index -1.
  const d = new Int32Array((a.length + 1) * columns);
  for (let i = 0; i <= a.length; i++) d[i * columns] = i;
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[(i - 1) * columns + j] + 1, d[i * columns + j - 1] + 1, d[(i - 1) * columns + j - 1] + cost);
      // textdistance adds `cost` (not 1) for a transposition; it only matters when all four symbols are equal,
      // where the substitution path already gives the same value.
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[(i - 2) * columns + j - 2] + cost);
      }
      d[i * columns + j] = best;
    }
  }
  return d[a.length * columns + b.length];
}

export function damerauLevenshteinSimilarity(a: Tokens, b: Tokens): number {
  const maximum = Math.max(a.length, b.length);
  if (maximum === 0) return 1;
  return 1 - damerauLevenshteinDistance(a, b) / maximum;
}

function similarities(target: Tokens, generated: Tokens): Similarities {
  return {
    jaccard: jaccardSimilarity(target, generated),
    cosine: cosineSimilarity(target, generated),
    damerauLevenshtein: damerauLevenshteinSimilarity(target, generated),
  };
}

function upToFirstStop(tokens: Tokens): number[] | null {
  const out: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    out.push(tokens[i]);
    if (tokens[i] === STOP) return out;
  }
  return null;
}

/** The scored part of a target: from its start token up to and including its stop token. */
export function cutTarget(tokens: Tokens): number[] {
  const cut = upToFirstStop(tokens);
  if (!cut) throw new Error(`cutTarget: the target has no stop token (${tokens.length} tokens); encodeText always adds one`);
  return cut;
}

/**
 * The scored part of a generated sequence: up to and including its first stop token; a sequence that never
 * stops is kept whole with its last token replaced by the stop token.
 */
export function cutGenerated(tokens: Tokens): number[] {
  const cut = upToFirstStop(tokens);
  if (cut) return cut;
  const whole = Array.from(tokens);
  if (whole.length > 0) whole[whole.length - 1] = STOP;
  return whole;
}

/** The three similarities of one target/generated pair after cutting both. */
export function scoreTranscript(target: Tokens, generated: Tokens): Similarities {
  return similarities(cutTarget(target), cutGenerated(generated));
}

/** Mean similarities over pairs (what the homework reports per split). */
export function meanSimilarities(pairs: Iterable<{ target: Tokens; generated: Tokens }>): Similarities & { count: number } {
  const sum = { jaccard: 0, cosine: 0, damerauLevenshtein: 0 };
  let count = 0;
  for (const { target, generated } of pairs) {
    const score = scoreTranscript(target, generated);
    sum.jaccard += score.jaccard;
    sum.cosine += score.cosine;
    sum.damerauLevenshtein += score.damerauLevenshtein;
    count++;
  }
  if (count === 0) throw new Error('meanSimilarities: no pairs');
  return { jaccard: sum.jaccard / count, cosine: sum.cosine / count, damerauLevenshtein: sum.damerauLevenshtein / count, count };
}
