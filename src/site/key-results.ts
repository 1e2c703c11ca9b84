/**
 * The front page's key results: each rests on one claim record (claims.ts), and its headline is chosen by that
 * claim's computed verdict, never written for a verdict it does not have. Each headline says how strongly it
 * speaks (`asserts`); a unit test checks that no headline asserts more than its verdict allows, so a headline
 * cannot outgrow its interval when the numbers change.
 */
import type { Verdict } from './verdicts.ts';

/** What a headline commits to: a difference or ordering, an agreement with the original, a correction, or nothing. */
export type Assertion = 'difference' | 'agreement' | 'correction' | 'nothing';

/** The strongest assertion each verdict supports. */
export const allowedAssertions: Record<Verdict, readonly Assertion[]> = {
  reproduced: ['agreement', 'nothing'],
  consistent: ['difference', 'nothing'],
  corrected: ['correction', 'nothing'],
  undecided: ['nothing'],
  inconsistent: ['difference', 'nothing'],
  'not reproduced': ['difference', 'nothing'],
  'not comparable': ['nothing'],
  'not run': ['nothing'],
};

export interface Headline {
  text: string;
  asserts: Assertion;
}

export interface KeyResult {
  id: string;
  /** The claim (claims.ts) whose verdict picks the headline. */
  claim: string;
  /** A headline per verdict the claim can reach; the build fails on a verdict without one. */
  headlines: Partial<Record<Verdict, Headline>>;
}

export const keyResults: readonly KeyResult[] = [
  {
    id: 'q1-cost',
    claim: 'q1-cost',
    // The claim is judged on the operation count (claims.ts), so the headline speaks of the count; the measured
    // time, which the count does not settle, is reported beside it on the page with its own spread.
    headlines: {
      reproduced: { text: 'Softmax attention’s operation count grows as L², as derived.', asserts: 'agreement' },
      corrected: { text: 'Softmax attention’s operation count does not grow as the derived L².', asserts: 'correction' },
    },
  },
  {
    id: 'q2-pooling',
    claim: 'q2-ordering-lr0.01',
    headlines: {
      consistent: { text: 'At the chosen learning rate, max-pooling is ahead of stride-2 convolutions, with equal parameters.', asserts: 'difference' },
      undecided: { text: 'At the chosen learning rate, max-pooling and stride-2 convolutions are not separated.', asserts: 'nothing' },
      inconsistent: { text: 'At the chosen learning rate, stride-2 convolutions are ahead of max-pooling.', asserts: 'difference' },
    },
  },
  {
    id: 'q3-decoders',
    claim: 'q3-decoders-ranked',
    headlines: {
      consistent: { text: 'On synthetic speech the attention decoder is ahead of the LSTM decoder.', asserts: 'difference' },
      undecided: { text: 'Speech recognisers trained on synthetic speech: the two decoders are not separated.', asserts: 'nothing' },
      inconsistent: { text: 'On synthetic speech the LSTM decoder is ahead of the attention decoder.', asserts: 'difference' },
    },
  },
];

/** The headline for the claim's verdict; a verdict the key result has no headline for is an error. */
export function headlineFor(result: KeyResult, verdict: Verdict): Headline {
  const headline = result.headlines[verdict];
  if (!headline) throw new Error(`key result "${result.id}": its claim "${result.claim}" is now "${verdict}", and no headline is written for that verdict`);
  return headline;
}
