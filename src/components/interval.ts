/**
 * What `<Interval>` says: a difference with its 95% interval, read from three snapshot keys (estimate, low, high),
 * and in words whether the interval leaves out zero. The words follow the numbers, so a page never claims an
 * effect its interval does not support.
 */
import { z } from 'zod';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { formatNumber } from '../site/format.ts';
import { lookupNumber } from '../site/snapshots.ts';
import { snapshotRefSchema } from '../site/props.ts';

export const intervalPropsSchema = snapshotRefSchema
  .extend({
    /** Key path of the estimate, e.g. `metrics.attention-listening-gap-jaccard`; `<path>-low` and `<path>-high` hold the interval. */
    path: z.string().min(1),
    digits: z.number().int().min(0).max(10).default(3),
    /** What a positive value means, for the sentence: `the right audio scores higher`. */
    positive: z.string().min(1),
  })
  .strict();

export type IntervalProps = z.input<typeof intervalPropsSchema>;

export interface RenderedInterval {
  text: string;
  verdict: 'above zero' | 'below zero' | 'includes zero';
  source: string;
}

export function renderInterval(snapshot: Snapshot, file: string, props: z.output<typeof intervalPropsSchema>): RenderedInterval {
  const value = lookupNumber(snapshot, props.path, file);
  const low = lookupNumber(snapshot, `${props.path}-low`, file);
  const high = lookupNumber(snapshot, `${props.path}-high`, file);
  const show = (number: number) => formatNumber(number, { style: 'fixed', digits: props.digits, signed: true });
  const verdict = low > 0 ? 'above zero' : high < 0 ? 'below zero' : 'includes zero';
  const words =
    verdict === 'includes zero'
      ? 'the interval includes zero: no difference is shown'
      : verdict === 'above zero'
        ? `the interval lies above zero: ${props.positive}`
        : `the interval lies below zero: the opposite of "${props.positive}"`;
  return {
    text: `${show(value)} (95% interval ${show(low)} to ${show(high)}; ${words})`,
    verdict,
    source: `${file} → ${props.path}, ${props.path}-low, ${props.path}-high`,
  };
}
