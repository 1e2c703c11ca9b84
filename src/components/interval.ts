/**
 * What `<Interval>` shows: a difference with its 95% interval, read from three snapshot keys (estimate, low,
 * high), compactly: `+0.367 (95% CI +0.351 to +0.382, 29 clips)`. The sentence around it, written in the chapter,
 * says what the interval means; `verdict` (above zero, below zero, includes zero) is on the element, so a test can
 * hold the sentence to it. With `than`, the sentence sets the interval against a stated number instead of zero (above,
 * below or includes it), or against another estimate with its interval, of the same snapshot or of another run's
 * (above it, below it, or the two intervals overlap: no evidence either way).
 */
import { z } from 'zod';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { SiteDataError } from '../site/errors.ts';
import { formatInterval } from '../site/format.ts';
import { lookupNumber } from '../site/snapshots.ts';
import { snapshotRefSchema } from '../site/props.ts';

/** An estimate of another run: its snapshot and the key path of the estimate (`<path>-low`, `<path>-high` beside it). */
const otherRunSchema = snapshotRefSchema.extend({ path: z.string().min(1) }).strict();

export type OtherRun = z.output<typeof otherRunSchema>;

export const intervalPropsSchema = snapshotRefSchema
  .extend({
    /** Key path of the estimate, e.g. `metrics.attention-listening-gap-jaccard`; `<path>-low` and `<path>-high` hold the interval. */
    path: z.string().min(1),
    /** Key path of the count the interval is over (`metrics.test-clips`), shown with `noun`: `29 clips`. */
    over: z.string().min(1).optional(),
    noun: z.string().min(1).default('clip'),
    /**
     * What the sentence sets the interval against where not zero: a number it states, another estimate's key path, or
     * another run's estimate (`{ experiment, profile, path }`).
     */
    than: z.union([z.number(), z.string().min(1), otherRunSchema]).optional(),
    /** How the sentence around it reads the interval; the build fails when the numbers no longer say so. */
    reads: z.enum(['above zero', 'below zero', 'includes zero', 'above', 'below', 'includes', 'overlaps']).optional(),
  })
  .strict()
  .superRefine(({ than, reads }, context) => {
    const allowed = than === undefined ? ZERO_READINGS : typeof than === 'number' ? NUMBER_READINGS : INTERVAL_READINGS;
    if (reads !== undefined && !(allowed as readonly string[]).includes(reads))
      context.addIssue({
        code: 'custom',
        path: ['reads'],
        message: `"${reads}" is not a reading of an interval ${than === undefined ? 'against zero' : typeof than === 'number' ? 'against a number' : 'against another interval'}; use ${allowed.map((reading) => `"${reading}"`).join(', ')}`,
      });
  });

const ZERO_READINGS = ['above zero', 'below zero', 'includes zero'] as const;
const NUMBER_READINGS = ['above', 'below', 'includes'] as const;
const INTERVAL_READINGS = ['above', 'below', 'overlaps'] as const;

export type IntervalProps = z.input<typeof intervalPropsSchema>;

export type IntervalVerdict = (typeof ZERO_READINGS)[number];

/** Where an interval lies against a number or another interval (`than`). */
export type RelativeVerdict = (typeof NUMBER_READINGS)[number] | (typeof INTERVAL_READINGS)[number];

export interface RenderedInterval {
  text: string;
  verdict: IntervalVerdict | RelativeVerdict;
  source: string;
}

/** Where a 95% interval lies against zero: an interval that includes zero shows no evidence of a difference, not its absence. */
export function intervalVerdict(low: number, high: number): IntervalVerdict {
  return low > 0 ? 'above zero' : high < 0 ? 'below zero' : 'includes zero';
}

/**
 * The words are results too: a sentence written around an interval says where it lies, so when a rerun moves the
 * interval across zero (or across the number or interval it is set against) the build stops and names the sentence
 * to rewrite, instead of printing words the numbers no longer support. `against` names what a relative reading is
 * against (absent for zero).
 */
export function checkReading(verdict: IntervalVerdict | RelativeVerdict, reads: string | undefined, where: string, against?: string): void {
  if (reads === undefined || reads === verdict) return;
  const now =
    against === undefined
      ? `the interval now ${verdict === 'includes zero' ? 'includes zero' : `lies ${verdict}`}`
      : `it now ${verdict === 'overlaps' ? 'overlaps it' : verdict === 'includes' ? 'includes it' : `lies ${verdict} it`}`;
  throw new SiteDataError(
    `${where}: the sentence around it reads the 95% interval as "${reads}"${against === undefined ? '' : ` against ${against}`}, and ${now}; rewrite the sentence for the new numbers`,
  );
}

/**
 * Where [low, high] lies against a number (above, below, or includes it) or against another interval (above it,
 * below it, or the two overlap, which shows no evidence of a difference, not its absence).
 */
function relativeVerdict(low: number, high: number, than: number | { low: number; high: number }): RelativeVerdict {
  if (typeof than === 'number') return low > than ? 'above' : high < than ? 'below' : 'includes';
  return low > than.high ? 'above' : high < than.low ? 'below' : 'overlaps';
}

/**
 * `other`: the snapshot of the run `than` names, when it names one (the component loads it; see Interval.astro).
 */
export function renderInterval(
  snapshot: Snapshot,
  file: string,
  props: z.output<typeof intervalPropsSchema>,
  other?: { snapshot: Snapshot; file: string },
): RenderedInterval {
  const value = lookupNumber(snapshot, props.path, file);
  const low = lookupNumber(snapshot, `${props.path}-low`, file);
  const high = lookupNumber(snapshot, `${props.path}-high`, file);
  const basis = props.over === undefined ? undefined : { n: lookupNumber(snapshot, props.over, file), of: `${props.noun}s` };
  const text = formatInterval({ value, low, high }, { style: 'fixed', signed: true }, basis);
  const source = `${file} → ${props.path}, ${props.path}-low, ${props.path}-high${props.over ? `, ${props.over}` : ''}`;
  const where = `${file} → ${props.path}`;
  if (props.than === undefined) {
    const verdict = intervalVerdict(low, high);
    checkReading(verdict, props.reads, where);
    return { text, verdict, source };
  }
  const { than } = props;
  let verdict: RelativeVerdict;
  let against: string;
  if (typeof than === 'number') {
    verdict = relativeVerdict(low, high, than);
    against = String(than);
  } else {
    const target = typeof than === 'string' ? { snapshot, file, path: than, name: than } : otherEstimate(than, other);
    const interval = {
      low: lookupNumber(target.snapshot, `${target.path}-low`, target.file),
      high: lookupNumber(target.snapshot, `${target.path}-high`, target.file),
    };
    verdict = relativeVerdict(low, high, interval);
    against = `the interval of ${target.name}, ${interval.low} to ${interval.high}`;
  }
  checkReading(verdict, props.reads, `${where} (${low} to ${high})`, against);
  return { text, verdict, source: `${source}, against ${against}` };
}

/** The estimate a `than` of another run names, in that run's snapshot as the component loaded it. */
function otherEstimate(than: OtherRun, other: { snapshot: Snapshot; file: string } | undefined) {
  if (!other) throw new SiteDataError(`<Interval than={{ experiment: '${than.experiment}', profile: '${than.profile}' }}>: that run's snapshot was not loaded`);
  return { ...other, path: than.path, name: `${other.file} → ${than.path}` };
}
