/**
 * What `<Count>` shows: a count made of counts a snapshot records, summed, so prose never types a total such as
 * the number of clips a data set holds: `<Count {...real} of={['metrics.train-clips', 'metrics.validation-clips',
 * 'metrics.test-clips']} />`. Each part is read as `<Metric>` reads it (over seeds where the run has several), and
 * must be a whole number.
 */
import { z } from 'zod';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { SiteDataError } from '../site/errors.ts';
import { formatCount, formatNumber } from '../site/format.ts';
import { snapshotRefSchema } from '../site/props.ts';
import { metricPropsSchema, renderMetric } from './metric.ts';

export const countPropsSchema = snapshotRefSchema
  .extend({
    /** Key paths of the counts to add up, e.g. `metrics.train-clips`. */
    of: z.array(z.string().min(1)).min(1),
    /** The count's noun: `noun="clip"` prints `385 clips`. */
    noun: z.string().min(1).optional(),
    plural: z.string().min(1).optional(),
  })
  .strict();

export type CountProps = z.input<typeof countPropsSchema>;

export function renderCount(
  snapshot: Snapshot,
  file: string,
  props: z.output<typeof countPropsSchema>,
): { text: string; value: number; source: string; constant: boolean } {
  const parts = props.of.map((path) => {
    const part = renderMetric(snapshot, file, metricPropsSchema.parse({ experiment: props.experiment, profile: props.profile, path }));
    if (!Number.isInteger(part.value) || part.value < 0) throw new SiteDataError(`${file}: "${path}" is ${part.value}, not a count`);
    return part;
  });
  const value = parts.reduce((sum, part) => sum + part.value, 0);
  const text = props.noun === undefined ? formatNumber(value, { style: 'integer' }) : formatCount(value, props.noun, props.plural);
  return { text, value, source: `${file} → ${props.of.join(' + ')}`, constant: parts.every((part) => part.constant) };
}
