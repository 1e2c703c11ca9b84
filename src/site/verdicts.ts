/**
 * Verdicts computed, not written: each claim of the original carries a rule, and the rule reads snapshot values
 * and returns the verdict with the numbers it rests on. Pure functions over a snapshot reader, so the rules are
 * unit-tested on toy snapshots and the front page cannot state a verdict its snapshots do not support.
 *
 * The verdicts and their rules, one set for the whole site:
 * - `reproduced`: same data (or a derivation), and the quoted value agrees: a count or check equal, a quoted number
 *   inside the range our seeds reached (min ≤ quoted ≤ max, the rule of spread.ts), a quoted exponent inside the
 *   95% interval of our measured one, or equal (within the rule's tolerance) to the log-log slope of an operation
 *   count the experiment tabulates. A count is exact, so its exponent judges a derivation; a timing exponent moves
 *   with the load of a shared machine, so where a count exists the measured exponent is shown beside it, not judged.
 * - `not reproduced`: same data, and the quoted value lies outside that range or interval.
 * - `corrected`: a count, derivation or executed check shows the quoted statement wrong (an operation count whose
 *   exponent is not the quoted one included).
 * - `consistent`: other data, and our paired difference's 95% interval leaves out zero on the quoted side (or every
 *   seed made the quoted choice).
 * - `inconsistent`: other data, and the interval leaves out zero on the other side.
 * - `undecided`: the interval includes zero: no evidence of a difference either way (not evidence of none).
 * - `not comparable`: measured only on other data, with no ordering or choice to set against the quoted numbers.
 * - `not run`: the run that would test the claim has no snapshot yet; the claim says which run and what it needs.
 *
 * A rule whose snapshot exists but lacks a key, or whose check failed, is an error: the build fails and names it.
 */
import type { Snapshot, Summary } from '../lib/snapshot-schema.ts';
import { studentT975 } from '../lib/stats/summary.ts';
import { formatExact, formatInterval, formatNumber, spreadDecimals } from './format.ts';
import { SiteDataError } from './errors.ts';
import { fitSlope } from './slopes.ts';
import type { RowsRef } from './slopes.ts';
import { findCheck, lookupNumber } from './snapshots.ts';

export const verdicts = ['reproduced', 'consistent', 'corrected', 'undecided', 'inconsistent', 'not reproduced', 'not comparable', 'not run'] as const;
export type Verdict = (typeof verdicts)[number];

/** A run of ours: the snapshot `snapshots/<experiment>/<profile>.json`. */
export interface RunRef {
  experiment: string;
  profile: string;
}

/** A metric of a run: over seeds where the run has several (`seeds.aggregates`), else `metrics`. */
export interface MetricRef extends RunRef {
  metric: string;
}

export type Rule =
  /** A number fixed by construction (a feature dimension, a parameter count): equal -> reproduced, else corrected. */
  | { kind: 'count'; quoted: number; ours: MetricRef }
  /** The quoted pair differs; ours, built as specified, are equal -> corrected; equal quoted pair and equal ours -> reproduced. */
  | { kind: 'equal-counts'; quoted: [number, number]; ours: [MetricRef, MetricRef] }
  /** An executed check of ours settles the statement: it passed, so the quoted statement is `verdict`. */
  | { kind: 'check'; ours: RunRef & { check: string }; verdict: 'reproduced' | 'corrected'; because: string }
  /** A scaling exponent: the quoted one against the 95% t interval of our measured mean (`<key>`, `<key>Sd`, `sweeps`). */
  | { kind: 'exponent'; quoted: number; ours: RunRef & { key: string } }
  /**
   * An exponent judged on an operation count: the log-log slope of `y` against `x` in the rows at `path` (read from
   * the snapshot, slopes.ts) within `tolerance` of the quoted one -> reproduced, else corrected. `timing` names a
   * measured exponent (as for `exponent`) shown beside it as evidence; it does not change the verdict.
   */
  | { kind: 'count-exponent'; quoted: number; tolerance: number; ours: RunRef & RowsRef; timing?: RunRef & { key: string } }
  /** Quoted numbers against the range our seeds reached; `sameData: false` makes them not comparable. */
  | { kind: 'values'; quoted: number[]; ours: MetricRef[]; sameData: boolean }
  /** The quoted a − b has a sign; ours is a paired comparison over seeds (`seeds.comparisons[id]`). */
  | { kind: 'ordering'; quoted: [number, number]; ours: RunRef & { comparison: string }; sameData: boolean }
  /** A choice (the best learning rate): every seed of ours made the quoted one. */
  | { kind: 'choice'; quoted: number; ours: MetricRef; sameData: boolean };

/** One of our numbers the verdict rests on, with where it came from. */
export interface Evidence {
  label: string;
  /** What the value is, in words, where a verdict rests on more than one kind of number: `exponent of the operation count`. */
  words?: string;
  value: number;
  /** `<file> → <key>`. */
  source: string;
  /** The seeds' range or the 95% interval, where the rule used one. */
  low?: number;
  high?: number;
  spread?: 'range' | 'interval';
  /** Runs behind the value, and what they are (`seeds`, `sweeps`). */
  n?: number;
  of?: 'seeds' | 'sweeps';
}

export interface Judgement {
  verdict: Verdict;
  /** What the rule found, in words, without numbers (the numbers are in `evidence`). */
  reason: string;
  evidence: Evidence[];
}

/** The committed snapshot of a run, or undefined when it has not been made. */
export type SnapshotReader = (run: RunRef) => { snapshot: Snapshot; file: string } | undefined;

/** The runs a rule reads. */
export function runsOf(rule: Rule): RunRef[] {
  if (rule.kind === 'equal-counts' || rule.kind === 'values') return [...rule.ours];
  if (rule.kind === 'count-exponent' && rule.timing) return [rule.ours, rule.timing];
  return [rule.ours];
}

export function judge(rule: Rule, read: SnapshotReader, awaiting?: string): Judgement {
  const runs = runsOf(rule);
  const missing = runs.find((run) => read(run) === undefined);
  if (missing) {
    if (awaiting === undefined) {
      throw new SiteDataError(
        `snapshots/${missing.experiment}/${missing.profile}.json: a claim's rule reads this run and it has no snapshot (run it, or say what the claim awaits)`,
      );
    }
    return { verdict: 'not run', reason: `${missing.experiment} ${missing.profile} has not been run: ${awaiting}`, evidence: [] };
  }
  const get = (run: RunRef) => read(run) as { snapshot: Snapshot; file: string };
  switch (rule.kind) {
    case 'count': {
      const ours = metric(get(rule.ours), rule.ours.metric);
      const equal = ours.value === rule.quoted;
      return {
        verdict: equal ? 'reproduced' : 'corrected',
        reason: equal ? 'our count equals the quoted one' : 'our count differs from the quoted one',
        evidence: [ours],
      };
    }
    case 'equal-counts': {
      const [a, b] = rule.ours.map((ref) => metric(get(ref), ref.metric));
      const quotedEqual = rule.quoted[0] === rule.quoted[1];
      const oursEqual = a.value === b.value;
      if (oursEqual === quotedEqual) return { verdict: 'reproduced', reason: 'our counts relate as the quoted ones do', evidence: [a, b] };
      return {
        verdict: 'corrected',
        reason: oursEqual ? 'the two networks, built as specified, have equal counts' : 'the two networks, built as specified, have different counts',
        evidence: [a, b],
      };
    }
    case 'check': {
      const { snapshot, file } = get(rule.ours);
      const check = findCheck(snapshot, rule.ours.check, file);
      if (!check.passed) throw new SiteDataError(`${file}: check "${check.id}" failed, so it cannot settle a claim`);
      return {
        verdict: rule.verdict,
        reason: rule.because,
        evidence: [{ label: `largest error of the check “${check.name}”`, value: check.worstError, source: `${file} → checks[${check.id}]` }],
      };
    }
    case 'exponent': {
      const ours = exponent(get(rule.ours), rule.ours.key);
      const within = ours.low! <= rule.quoted && rule.quoted <= ours.high!;
      return {
        verdict: within ? 'reproduced' : 'not reproduced',
        reason: within
          ? 'the quoted exponent lies inside the 95% interval of the measured one'
          : 'the quoted exponent lies outside the 95% interval of the measured one',
        evidence: [ours],
      };
    }
    case 'count-exponent': {
      const { snapshot, file } = get(rule.ours);
      const fit = fitSlope(snapshot, file, rule.ours);
      const equal = Math.abs(fit.slope - rule.quoted) <= rule.tolerance;
      const count: Evidence = {
        label: `${rule.ours.y} against ${rule.ours.x}`,
        words: 'exponent of the operation count',
        value: fit.slope,
        source: fit.source,
      };
      const timing = rule.timing ? [{ ...exponent(get(rule.timing), rule.timing.key), words: 'exponent of the measured time' }] : [];
      return {
        verdict: equal ? 'reproduced' : 'corrected',
        reason: equal
          ? 'the operation count grows with the quoted exponent; the measured time, which the load of a shared machine moves, is shown beside it and not judged'
          : 'the operation count grows with another exponent than the quoted one',
        evidence: [count, ...timing],
      };
    }
    case 'values': {
      if (rule.quoted.length !== rule.ours.length) throw new Error(`a values rule pairs ${rule.quoted.length} quoted numbers with ${rule.ours.length} of ours`);
      const evidence = rule.ours.map((ref) => metric(get(ref), ref.metric));
      if (!rule.sameData) return { verdict: 'not comparable', reason: 'measured on other data, so the values cannot be set against the quoted ones', evidence };
      const inside = evidence.every((ours, index) => ours.low! <= rule.quoted[index] && rule.quoted[index] <= ours.high!);
      return {
        verdict: inside ? 'reproduced' : 'not reproduced',
        reason: inside ? 'every quoted value lies within the range our seeds reached' : 'a quoted value lies outside the range our seeds reached',
        evidence,
      };
    }
    case 'ordering': {
      const ours = comparison(get(rule.ours), rule.ours.comparison);
      const quotedSign = Math.sign(rule.quoted[0] - rule.quoted[1]);
      const oursSign = ours.low! > 0 ? 1 : ours.high! < 0 ? -1 : 0;
      if (oursSign === 0)
        return { verdict: 'undecided', reason: 'our interval includes zero, so it shows no evidence of a difference either way', evidence: [ours] };
      const agrees = oursSign === quotedSign;
      const verdict: Verdict = agrees ? (rule.sameData ? 'reproduced' : 'consistent') : rule.sameData ? 'not reproduced' : 'inconsistent';
      return {
        verdict,
        reason: agrees ? 'our interval leaves out zero on the quoted side' : 'our interval leaves out zero on the other side',
        evidence: [ours],
      };
    }
    case 'choice': {
      const ours = metric(get(rule.ours), rule.ours.metric);
      const every = ours.low === rule.quoted && ours.high === rule.quoted;
      const verdict: Verdict = every ? (rule.sameData ? 'reproduced' : 'consistent') : rule.sameData ? 'not reproduced' : 'inconsistent';
      return { verdict, reason: every ? 'every seed of ours chose the quoted value' : 'some seed of ours chose another value', evidence: [ours] };
    }
  }
}

/** A metric over seeds (its range as low/high), or a one-seed run's metric with no range. */
function metric({ snapshot, file }: { snapshot: Snapshot; file: string }, name: string): Evidence {
  const aggregate: Summary | undefined = snapshot.seeds?.aggregates[name];
  if (aggregate) {
    const { mean, min, max, n } = aggregate;
    return { label: name, value: mean, low: min, high: max, spread: 'range', n, of: 'seeds', source: `${file} → seeds.aggregates.${name}` };
  }
  const value = lookupNumber(snapshot, `metrics.${name}`, file);
  return { label: name, value, low: value, high: value, spread: 'range', n: 1, of: 'seeds', source: `${file} → metrics.${name}` };
}

function comparison({ snapshot, file }: { snapshot: Snapshot; file: string }, id: string): Evidence {
  const found = snapshot.seeds?.comparisons.find((candidate) => candidate.id === id);
  if (!found) throw new SiteDataError(`${file}: no comparison "${id}" in seeds.comparisons`);
  if (found.low === null || found.high === null) throw new SiteDataError(`${file}: comparison "${id}" has one seed, so no interval to judge by`);
  const { description, mean, low, high, n } = found;
  return { label: description, value: mean, low, high, spread: 'interval', n, of: 'seeds', source: `${file} → seeds.comparisons[${id}]` };
}

function exponent({ snapshot, file }: { snapshot: Snapshot; file: string }, key: string): Evidence {
  const mean = lookupNumber(snapshot, `timings.values.${key}`, file);
  const sd = lookupNumber(snapshot, `timings.values.${key}Sd`, file);
  const n = lookupNumber(snapshot, 'timings.values.sweeps', file);
  if (n < 2) throw new SiteDataError(`${file}: "timings.values.sweeps" is ${n}: an exponent needs two sweeps for an interval`);
  const half = studentT975(n - 1) * (sd / Math.sqrt(n));
  return {
    label: key,
    value: mean,
    low: mean - half,
    high: mean + half,
    spread: 'interval',
    n,
    of: 'sweeps',
    source: `${file} → timings.values.${key}, ${key}Sd, sweeps`,
  };
}

/**
 * An evidence value in prose: `+0.019 (95% CI +0.016 to +0.022, 3 seeds)`, `0.895 (mean of 3 seeds, from 0.888
 * to 0.899)`. The decimals follow the spread (`spreadDecimals`: two significant digits of its width, at most four
 * significant digits in all), so no digit is printed that the spread swamps; a count reads as an integer, an exact
 * value with the digits it needs.
 */
export function evidenceText(evidence: Evidence, signed = false): string {
  const { value, low, high, n, of } = evidence;
  const exact = low === undefined || high === undefined || low === high;
  if (exact && Number.isInteger(value)) return formatNumber(value, { style: 'integer' });
  if (exact) {
    const text = formatExact(value, { signed });
    return n !== undefined && n > 1 ? `${text} (every one of ${n} ${of})` : text;
  }
  const basis = n !== undefined && of !== undefined ? { n, of } : undefined;
  if (evidence.spread === 'interval') return formatInterval({ value, low, high }, { style: 'fixed', signed }, basis);
  const digits = Math.max(1, spreadDecimals(high - low, value));
  const show = (number: number) => formatNumber(number, { style: 'fixed', digits, signed });
  return `${show(value)} (mean of ${n} ${of}, from ${show(low)} to ${show(high)})`;
}
