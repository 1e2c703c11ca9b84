/** What `<Metric>` shows: one number (and optionally its ±) read from a snapshot key and formatted. */
import { z } from 'zod';
import type { Snapshot } from '../lib/harness/snapshot.ts';
import { formatNumber, formatOptionsSchema } from './format.ts';
import { lookupNumber } from './lookup.ts';
import { defaultProfile } from './settings.ts';

export const snapshotRefSchema = z.object({
  experiment: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be an experiment id such as q1-linear-attention'),
  profile: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a profile name such as smoke or full').default(defaultProfile),
});

export const metricPropsSchema = snapshotRefSchema
  .extend({
    /** Key path of the number, e.g. `metrics.featureDimD3K3` or `timings.values.slopeSoftmax`. */
    path: z.string().min(1),
    /** Key path of an uncertainty printed as `value ± pm`. */
    pm: z.string().min(1).optional(),
  })
  .merge(formatOptionsSchema)
  .strict();

export type MetricProps = z.input<typeof metricPropsSchema>;

export interface RenderedMetric {
  text: string;
  /** Where the number came from, shown on hover: the file and the key. */
  source: string;
  value: number;
}

export function renderMetric(snapshot: Snapshot, file: string, props: z.output<typeof metricPropsSchema>): RenderedMetric {
  const value = lookupNumber(snapshot, props.path, file);
  const plusMinus = props.pm === undefined ? undefined : lookupNumber(snapshot, props.pm, file);
  const text = formatNumber(value, { style: props.style, digits: props.digits, signed: props.signed, unit: props.unit }, plusMinus);
  const source = `${file} → ${props.path}${props.pm ? ` ± ${props.pm}` : ''}`;
  return { text, source, value };
}
