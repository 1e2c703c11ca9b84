/**
 * Character and word error rates, the measures ASR users read first: the edit (Levenshtein) distance between
 * the reference and the transcript, over characters or over space-separated words, divided by the reference's
 * length. Over a test set they are pooled (total edits / total reference length), as ASR toolkits report them.
 */

/** Insertions, deletions and substitutions turning `a` into `b`. */
function editDistance<T>(a: readonly T[], b: readonly T[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

function words(text: string): string[] {
  return text.split(' ').filter((word) => word.length > 0);
}

/** Edits and reference length of one transcript, for pooling. */
export interface ErrorCounts {
  characterEdits: number;
  characters: number;
  wordEdits: number;
  words: number;
}

export function errorCounts(reference: string, transcript: string): ErrorCounts {
  const referenceWords = words(reference);
  return {
    characterEdits: editDistance([...reference], [...transcript]),
    characters: reference.length,
    wordEdits: editDistance(referenceWords, words(transcript)),
    words: referenceWords.length,
  };
}

/** Pooled CER and WER of many transcripts. */
export function errorRates(counts: readonly ErrorCounts[]): { cer: number; wer: number } {
  const sum = (key: keyof ErrorCounts) => counts.reduce((total, count) => total + count[key], 0);
  return { cer: sum('characterEdits') / Math.max(1, sum('characters')), wer: sum('wordEdits') / Math.max(1, sum('words')) };
}
