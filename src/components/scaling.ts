/**
 * What `<Scaling>` shows: how a column of a snapshot's rows grows with another, by the one rule of
 * src/site/slopes.ts. `show="slope"` (default): the log-log slope, the exponent of the growth, over all the points
 * or over the shorter or longer half of them by x; `show="first x"` / `"last x"`: where that part starts and ends;
 * `show="first y per x"` / `"last y per x"`: y divided by x at either end of it, times `scale` (seconds per token in
 * microseconds: `scale={1e6} unit="µs"`), so a sentence can say what changes per unit of x along the curve.
 */
import { z } from 'zod';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { formatExact, formatNumber, formatOptionsSchema } from '../site/format.ts';
import { snapshotRefSchema } from '../site/props.ts';
import { fitSlope, parts } from '../site/slopes.ts';

export const scalingPropsSchema = snapshotRefSchema
  .extend({
    /** Key path of the rows, e.g. `tables.flops` or `timings.curves.cost`. */
    path: z.string().min(1),
    /** The columns: y grows with x. */
    x: z.string().min(1),
    y: z.string().min(1),
    /** Values other columns must have, where the rows hold several series: `{ method: 'linear' }`. */
    where: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
    part: z.enum(parts).default('all'),
    show: z.enum(['slope', 'first x', 'last x', 'first y per x', 'last y per x']).default('slope'),
    /** Multiplies y per x before it is printed (a unit change). */
    scale: z.number().positive().default(1),
  })
  .merge(formatOptionsSchema)
  .strict();

export type ScalingProps = z.input<typeof scalingPropsSchema>;

export function renderScaling(snapshot: Snapshot, file: string, props: z.output<typeof scalingPropsSchema>): { text: string; value: number; source: string } {
  const fit = fitSlope(snapshot, file, props, props.part);
  const first = fit.points[0];
  const last = fit.points[fit.points.length - 1];
  const value = {
    slope: fit.slope,
    'first x': first.x,
    'last x': last.x,
    'first y per x': (first.y / first.x) * props.scale,
    'last y per x': (last.y / last.x) * props.scale,
  }[props.show];
  const options = { style: props.style, digits: props.digits, signed: props.signed, unit: props.unit };
  // An exact quantity (an x, the slope of a count) is written with the digits it needs, as <Metric> writes constants.
  const text =
    props.style === 'auto' && props.digits === undefined ? formatExact(value, { signed: props.signed, unit: props.unit }) : formatNumber(value, options);
  const what = props.show === 'slope' ? 'log-log slope' : props.show;
  return { text, value, source: `${fit.source}: ${what}` };
}
