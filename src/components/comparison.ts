/**
 * What `<Comparison>` says: a paired difference over seeds (`snapshot.seeds.comparisons`), its 95% interval, and in
 * words whether the interval leaves out zero; with one seed, the difference alone and that no interval exists yet.
 */
import { z } from 'zod';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { formatNumber } from '../site/format.ts';
import { SiteDataError } from '../site/errors.ts';
import { snapshotRefSchema } from '../site/props.ts';

export const comparisonPropsSchema = snapshotRefSchema
  .extend({
    /** The comparison's id, e.g. `pooled-minus-strided-best`. */
    id: z.string().min(1),
    digits: z.number().int().min(0).max(10).default(3),
    style: z.enum(['fixed', 'percent']).default('fixed'),
  })
  .strict();

export type ComparisonProps = z.input<typeof comparisonPropsSchema>;

export function renderComparison(snapshot: Snapshot, file: string, props: z.output<typeof comparisonPropsSchema>): { text: string; source: string } {
  const comparison = snapshot.seeds?.comparisons.find((candidate) => candidate.id === props.id);
  if (!comparison) throw new SiteDataError(`${file}: no comparison '${props.id}' in seeds.comparisons`);
  const show = (value: number) => formatNumber(value, { style: props.style, digits: props.digits, signed: true });
  const source = `${file} → seeds.comparisons[${props.id}]`;
  if (comparison.low === null || comparison.high === null) {
    return { text: `${show(comparison.mean)} (one seed: no interval yet)`, source };
  }
  const words = comparison.low > 0 || comparison.high < 0 ? 'the interval leaves out zero' : 'the interval includes zero: the difference is not shown';
  return {
    text: `${show(comparison.mean)} (mean over ${comparison.n} seeds; 95% interval ${show(comparison.low)} to ${show(comparison.high)}: ${words})`,
    source,
  };
}
