/**
 * What `<Spread>` shows beside a quoted number (the reported-vs-reproduced tables): our mean ± sd over seeds (n)
 * of one metric, the range our seeds reached, and where the quoted number lies against that range, compactly:
 * `0.8518 ± 0.0085 (n = 3), seeds 0.8465 to 0.8616, quoted value below`.
 *
 * The rule, one for the whole site: the quoted number lies **within our spread** when min ≤ quoted ≤ max over our
 * seeds, the values the seeds actually reached. (A band of mean ± 2 sd would rest on an sd that, from three seeds,
 * is itself very uncertain: its 95% interval runs from about half to six times the estimate.) With one seed there
 * is no spread, and the text says so instead of judging. The words state where the number lies, never that it
 * should lie there: where the data differ, the page's caption says the values are not comparable.
 */
import { z } from 'zod';
import type { Snapshot, Summary } from '../lib/snapshot-schema.ts';
import { capDecimals, formatNumber, formatSpread, withSpreadDecimals } from '../site/format.ts';
import { lookup, lookupNumber } from '../site/snapshots.ts';
import { snapshotRefSchema } from '../site/props.ts';

export const spreadPropsSchema = snapshotRefSchema
  .extend({
    /** The metric's name in `seeds.aggregates` (and `metrics`), e.g. `pooled-lr0.01-testAccuracy`. */
    metric: z.string().min(1),
    /** The quoted number, in the metric's own units (0.8355 for 83.55%). */
    reported: z.number().finite(),
    /** Decimals of a one-seed value (with seeds, the sd sets them), at most four significant digits. */
    digits: z.number().int().min(0).max(10).default(3),
    style: z.enum(['fixed', 'percent']).default('fixed'),
  })
  .strict();

export type SpreadProps = z.input<typeof spreadPropsSchema>;

/** Where the quoted number lies against our seeds' range [min, max]; `one seed` when there is no range. */
export type SpreadVerdict = 'within' | 'below' | 'above' | 'one seed';

export interface RenderedSpread {
  text: string;
  verdict: SpreadVerdict;
  source: string;
}

/** The site's rule: within our spread when min ≤ reported ≤ max over at least two seeds. */
export function judgeSpread(aggregate: Pick<Summary, 'n' | 'min' | 'max'>, reported: number): SpreadVerdict {
  if (aggregate.n < 2) return 'one seed';
  if (reported < aggregate.min) return 'below';
  if (reported > aggregate.max) return 'above';
  return 'within';
}

export function renderSpread(snapshot: Snapshot, file: string, props: z.output<typeof spreadPropsSchema>): RenderedSpread {
  const aggregate = readAggregate(snapshot, props.metric, file);
  const verdict = judgeSpread(aggregate, props.reported);
  const source = snapshot.seeds ? `${file} → seeds.aggregates.${props.metric}` : `${file} → metrics.${props.metric}`;
  if (verdict === 'one seed' || aggregate.sd === null) {
    const scale = props.style === 'percent' ? 100 : 1;
    const text = formatNumber(aggregate.mean, { style: props.style, digits: capDecimals(aggregate.mean * scale, props.digits) });
    return { text: `${text} (one seed, so no range)`, verdict: 'one seed', source };
  }
  const options = withSpreadDecimals({ style: props.style }, aggregate.sd, aggregate.mean);
  const show = (value: number) => formatNumber(value, options);
  const where = verdict === 'within' ? 'quoted value within' : `quoted value ${verdict}`;
  return { text: `${formatSpread(aggregate, options)}, seeds ${show(aggregate.min)} to ${show(aggregate.max)}, ${where}`, verdict, source };
}

/** The metric's summary over seeds; a snapshot without a seeds section has the one value it measured. */
function readAggregate(snapshot: Snapshot, metric: string, file: string): Summary {
  if (!snapshot.seeds) {
    const value = lookupNumber(snapshot, `metrics.${metric}`, file);
    return { n: 1, mean: value, sd: null, min: value, max: value, low: null, high: null };
  }
  return lookup(snapshot, `seeds.aggregates.${metric}`, file) as Summary;
}
