/**
 * What `<Interval>` shows: a difference with its 95% interval, read from three snapshot keys (estimate, low,
 * high), compactly: `+0.367 (95% CI +0.351 to +0.382, 29 clips)`. The sentence around it, written in the chapter,
 * says what the interval means; `verdict` (above zero, below zero, includes zero) is on the element, so a test can
 * hold the sentence to it.
 */
import { z } from 'zod';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { SiteDataError } from '../site/errors.ts';
import { formatInterval } from '../site/format.ts';
import { lookupNumber } from '../site/snapshots.ts';
import { snapshotRefSchema } from '../site/props.ts';

export const intervalPropsSchema = snapshotRefSchema
  .extend({
    /** Key path of the estimate, e.g. `metrics.attention-listening-gap-jaccard`; `<path>-low` and `<path>-high` hold the interval. */
    path: z.string().min(1),
    /** Key path of the count the interval is over (`metrics.test-clips`), shown with `noun`: `29 clips`. */
    over: z.string().min(1).optional(),
    noun: z.string().min(1).default('clip'),
    /** How the sentence around it reads the interval; the build fails when the numbers no longer say so. */
    reads: z.enum(['above zero', 'below zero', 'includes zero']).optional(),
  })
  .strict();

export type IntervalProps = z.input<typeof intervalPropsSchema>;

export type IntervalVerdict = 'above zero' | 'below zero' | 'includes zero';

export interface RenderedInterval {
  text: string;
  verdict: IntervalVerdict;
  source: string;
}

/** Where a 95% interval lies against zero: an interval that includes zero shows no evidence of a difference, not its absence. */
export function intervalVerdict(low: number, high: number): IntervalVerdict {
  return low > 0 ? 'above zero' : high < 0 ? 'below zero' : 'includes zero';
}

/**
 * The words are results too: a sentence written around an interval says where it lies, so when a rerun moves the
 * interval across zero the build stops and names the sentence to rewrite, instead of printing words the numbers
 * no longer support.
 */
export function checkReading(verdict: IntervalVerdict, reads: IntervalVerdict | undefined, where: string): void {
  if (reads !== undefined && reads !== verdict) {
    throw new SiteDataError(
      `${where}: the sentence around it reads the 95% interval as "${reads}", and the interval now ${verdict === 'includes zero' ? 'includes zero' : `lies ${verdict}`}; rewrite the sentence for the new numbers`,
    );
  }
}

export function renderInterval(snapshot: Snapshot, file: string, props: z.output<typeof intervalPropsSchema>): RenderedInterval {
  const value = lookupNumber(snapshot, props.path, file);
  const low = lookupNumber(snapshot, `${props.path}-low`, file);
  const high = lookupNumber(snapshot, `${props.path}-high`, file);
  const basis = props.over === undefined ? undefined : { n: lookupNumber(snapshot, props.over, file), of: `${props.noun}s` };
  const verdict = intervalVerdict(low, high);
  checkReading(verdict, props.reads, `${file} → ${props.path}`);
  return {
    text: formatInterval({ value, low, high }, { style: 'fixed', signed: true }, basis),
    verdict,
    source: `${file} → ${props.path}, ${props.path}-low, ${props.path}-high${props.over ? `, ${props.over}` : ''}`,
  };
}
