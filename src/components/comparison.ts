/**
 * What `<Comparison>` shows: a paired difference over seeds (`snapshot.seeds.comparisons`) with its 95% interval,
 * compactly, `+0.011 (95% CI −0.032 to +0.054, 3 seeds)`; with one seed, the difference and that it has no interval.
 * The sentence around it, written in the chapter, says what the interval means; `verdict` lets a test hold the
 * sentence to it.
 */
import { z } from 'zod';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { formatInterval, formatNumber } from '../site/format.ts';
import { SiteDataError } from '../site/errors.ts';
import { snapshotRefSchema } from '../site/props.ts';
import { checkReading, intervalVerdict } from './interval.ts';
import type { IntervalVerdict } from './interval.ts';

export const comparisonPropsSchema = snapshotRefSchema
  .extend({
    /** The comparison's id, e.g. `pooled-minus-strided-best`. */
    id: z.string().min(1),
    /** Decimals when there is no interval to take them from (one seed). */
    digits: z.number().int().min(0).max(10).default(3),
    style: z.enum(['fixed', 'percent']).default('fixed'),
    /** How the sentence around it reads the interval; the build fails when the numbers no longer say so (interval.ts). */
    reads: z.enum(['above zero', 'below zero', 'includes zero']).optional(),
  })
  .strict();

export type ComparisonProps = z.input<typeof comparisonPropsSchema>;

export function renderComparison(
  snapshot: Snapshot,
  file: string,
  props: z.output<typeof comparisonPropsSchema>,
): { text: string; verdict: IntervalVerdict | 'one seed'; source: string } {
  const comparison = snapshot.seeds?.comparisons.find((candidate) => candidate.id === props.id);
  if (!comparison) throw new SiteDataError(`${file}: no comparison '${props.id}' in seeds.comparisons`);
  const source = `${file} → seeds.comparisons[${props.id}]`;
  if (comparison.low === null || comparison.high === null) {
    if (props.reads !== undefined) throw new SiteDataError(`${source}: the sentence around it reads a 95% interval, and with one seed there is none`);
    const text = formatNumber(comparison.mean, { style: props.style, digits: props.digits, signed: true });
    return { text: `${text} (one seed, so no interval)`, verdict: 'one seed', source };
  }
  const { mean, low, high, n } = comparison;
  const verdict = intervalVerdict(low, high);
  checkReading(verdict, props.reads, source);
  return {
    text: formatInterval({ value: mean, low, high }, { style: props.style, signed: true }, { n, of: 'seeds' }),
    verdict,
    source,
  };
}
