/** What `<Metric>` shows: one number (and optionally its ±) read from a snapshot key and formatted. */
import { z } from 'zod';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { formatCount, formatExact, formatNumber, formatOptionsSchema, formatSpread } from '../site/format.ts';
import { snapshotRefSchema } from '../site/props.ts';
import { lookupNumber, metricAggregate } from '../site/snapshots.ts';

export const metricPropsSchema = snapshotRefSchema
  .extend({
    /** Key path of the number, e.g. `metrics.featureDimD3K3` or `timings.values.slopeSoftmax`. */
    path: z.string().min(1),
    /** Key path of an uncertainty printed as `value ± pm`. */
    pm: z.string().min(1).optional(),
    /** A count's noun, e.g. `epoch`: prints `3 epochs` or `1 epoch`. */
    noun: z.string().min(1).optional(),
    /** The noun's plural when it is not noun + `s`. */
    plural: z.string().min(1).optional(),
  })
  .merge(formatOptionsSchema)
  .strict();

export interface RenderedMetric {
  text: string;
  /** Where the number came from, shown on hover: the file and the key. */
  source: string;
  value: number;
  /**
   * A constant, not a result: a configured value (`provenance.config.*`) or one every seed gave alike. It gets no
   * freshness mark, and prints with the digits it needs (0.002, not 0.00200).
   */
  constant: boolean;
}

export function renderMetric(snapshot: Snapshot, file: string, props: z.output<typeof metricPropsSchema>): RenderedMetric {
  const value = lookupNumber(snapshot, props.path, file);
  const options = { style: props.style, digits: props.digits, signed: props.signed, unit: props.unit };
  const configured = props.path.startsWith('provenance.config.');
  // A constant is written as it is, with the digits it needs, unless the page asks for a style or digits.
  const exact = (number: number) =>
    props.style === 'auto' && props.digits === undefined ? formatExact(number, { signed: props.signed, unit: props.unit }) : formatNumber(number, options);
  if (props.noun !== undefined) return { text: formatCount(value, props.noun, props.plural), source: `${file} → ${props.path}`, value, constant: configured };
  // A metric the run measured over several seeds reads as mean ± sd (n), unless the page names its own ±; one that
  // every seed gave alike (a count, a choice) is just that value, "± 0" would only be noise on the page.
  const aggregate = props.pm === undefined ? metricAggregate(snapshot, props.path) : undefined;
  if (aggregate && aggregate.min === aggregate.max) {
    return { text: exact(value), source: `${file} → ${props.path} (the same in all ${aggregate.n} seeds)`, value, constant: true };
  }
  if (aggregate) {
    return {
      text: formatSpread(aggregate, options),
      source: `${file} → seeds.aggregates.${props.path.slice('metrics.'.length)} (mean ± sd over ${aggregate.n} seeds)`,
      value: aggregate.mean,
      constant: false,
    };
  }
  if (configured) return { text: exact(value), source: `${file} → ${props.path}`, value, constant: true };
  const plusMinus = props.pm === undefined ? undefined : lookupNumber(snapshot, props.pm, file);
  const text = formatNumber(value, options, plusMinus);
  const source = `${file} → ${props.path}${props.pm ? ` ± ${props.pm}` : ''}`;
  return { text, source, value, constant: false };
}
