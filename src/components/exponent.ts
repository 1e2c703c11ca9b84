/**
 * What `<Exponent>` shows: a measured exponent against the exponent of a count. The measured one is fitted once per
 * timing sweep (a column of `timings.curves.slopes`); the count's is the log-log slope of an operation count
 * (`tables.flops`, by the one rule of src/site/slopes.ts). It prints the sweeps' mean with its 95% Student-t
 * interval, `1.03 (95% CI 0.96 to 1.11, 5 sweeps)`, and judges where the interval lies against the count's exponent.
 * The sentence around it says that in words (`reads`), and the build fails when a rerun moves the interval so that
 * the words no longer hold.
 */
import { z } from 'zod';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { summarize } from '../lib/stats/summary.ts';
import { SiteDataError } from '../site/errors.ts';
import { formatInterval } from '../site/format.ts';
import { snapshotRefSchema } from '../site/props.ts';
import { fitSlope } from '../site/slopes.ts';
import { lookupRows } from '../site/snapshots.ts';

export const exponentVerdicts = ['above the count', 'below the count', 'holds the count'] as const;
export type ExponentVerdict = (typeof exponentVerdicts)[number];

export const exponentPropsSchema = snapshotRefSchema
  .extend({
    /** The measured exponents, one per sweep: rows at `path`, values in `column`. */
    sweeps: z.object({ path: z.string().min(1), column: z.string().min(1) }).strict(),
    /** The count whose exponent it is held against: rows, x, y and filters as `<Scaling>` takes them. */
    count: z
      .object({
        path: z.string().min(1),
        x: z.string().min(1),
        y: z.string().min(1),
        where: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
      })
      .strict(),
    /** How the sentence around it reads the interval against the count's exponent. */
    reads: z.enum(exponentVerdicts),
  })
  .strict();

export type ExponentProps = z.input<typeof exponentPropsSchema>;

/** Where a 95% interval lies against the count's exponent: inside it, or wholly above or below. */
export function exponentVerdict(low: number, high: number, count: number): ExponentVerdict {
  return low > count ? 'above the count' : high < count ? 'below the count' : 'holds the count';
}

export function renderExponent(
  snapshot: Snapshot,
  file: string,
  props: z.output<typeof exponentPropsSchema>,
): { text: string; verdict: ExponentVerdict; source: string } {
  const where = `${file} → ${props.sweeps.path} (${props.sweeps.column})`;
  const values = lookupRows(snapshot, props.sweeps.path, file).map((row) => row[props.sweeps.column]);
  if (values.length < 2 || values.some((value) => typeof value !== 'number' || !Number.isFinite(value))) {
    throw new SiteDataError(`${where}: an interval needs two or more finite exponents, one per sweep; found ${JSON.stringify(values)}`);
  }
  const summary = summarize(values as number[]);
  const count = fitSlope(snapshot, file, props.count);
  const verdict = exponentVerdict(summary.low!, summary.high!, count.slope);
  if (verdict !== props.reads) {
    throw new SiteDataError(
      `${where}: the sentence around it reads the sweeps' 95% interval as "${props.reads}" (${count.slope.toFixed(3)}), and it now ${verdict === 'holds the count' ? 'holds' : `lies ${verdict.replace(' the count', '')}`} it; rewrite the sentence for the new numbers`,
    );
  }
  return {
    text: formatInterval({ value: summary.mean, low: summary.low!, high: summary.high! }, { style: 'fixed' }, { n: summary.n, of: 'sweeps' }),
    verdict,
    source: `${where}, against ${count.source}`,
  };
}
