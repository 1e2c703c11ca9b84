/**
 * The two gates a run must pass: absolute thresholds declared with the experiment, and the comparison with
 * the committed baseline snapshot, one direction and tolerance per metric. Improvements never fail.
 */
import type { Threshold, Tolerance } from './experiment.ts';
import type { Calibration, Snapshot } from '../snapshot-schema.ts';

export interface ThresholdVerdict extends Threshold {
  actual: number | undefined;
  passed: boolean;
}

export type Verdict = 'ok' | 'improved' | 'regressed' | 'changed' | 'missing' | 'no baseline';

export interface BaselineRow {
  metric: string;
  baseline: number | undefined;
  now: number | undefined;
  /** The tolerance applied: the declared one, or the calibrated band when that is wider. */
  tolerance: Tolerance;
  /** The measured spread behind a calibrated band. */
  band?: { sd: number; n: number; sdMultiple: number; date: string };
  /** A calibration of this metric that was not applied: measured under other inputs (this parts hash). */
  staleCalibration?: { partsHash: string };
  verdict: Verdict;
}

/** A profile's calibration and the parts hash of the run being gated, which must be the one it was measured under. */
export interface CalibrationInUse {
  calibration: Calibration;
  partsHash: string;
}

/** A metric's value: from `metrics`, else from `timings.values`. */
function metricValue(snapshot: Snapshot, metric: string): number | undefined {
  return snapshot.metrics[metric] ?? snapshot.timings.values[metric];
}

export function checkThresholds(snapshot: Snapshot, thresholds: Threshold[]): ThresholdVerdict[] {
  return thresholds.map((threshold) => {
    const actual = metricValue(snapshot, threshold.metric);
    const passed = actual !== undefined && (threshold.op === '>=' ? actual >= threshold.value : actual <= threshold.value);
    return { ...threshold, actual, passed };
  });
}

/**
 * Each declared metric against the baseline. With a calibration measured under the run's inputs, a metric's
 * tolerance is max(sdMultiple x its measured seed-to-seed sd, the declared tolerance), and the row says how the
 * band was measured. A calibration measured under other inputs (other code, config, data or engine) says nothing
 * about this run's spread: the declared tolerance applies and the row says the calibration is stale.
 */
export function compareToBaseline(
  baseline: Snapshot | undefined,
  now: Snapshot,
  tolerances: Record<string, Tolerance>,
  calibrated?: CalibrationInUse,
): BaselineRow[] {
  const calibration = calibrated?.calibration;
  const current = calibrated !== undefined && calibrated.calibration.partsHash === calibrated.partsHash;
  return Object.entries(tolerances).map(([metric, declared]) => {
    const before = baseline && metricValue(baseline, metric);
    const after = metricValue(now, metric);
    const spread = calibration?.metrics[metric];
    const stale = spread && !current ? { staleCalibration: { partsHash: calibration!.partsHash } } : {};
    const band = spread?.sd != null && current ? { sd: spread.sd, n: spread.n, sdMultiple: calibration!.sdMultiple, date: calibration!.date } : undefined;
    const tolerance = band && band.sdMultiple * band.sd > declared.tolerance ? { ...declared, tolerance: band.sdMultiple * band.sd } : declared;
    const verdict = judge(before, after, tolerance, baseline !== undefined);
    return { metric, baseline: before, now: after, tolerance, ...(band ? { band } : {}), ...stale, verdict };
  });
}

function judge(before: number | undefined, after: number | undefined, { direction, tolerance }: Tolerance, hasBaseline: boolean): Verdict {
  if (!hasBaseline) return 'no baseline';
  if (after === undefined || before === undefined) return 'missing';
  const change = after - before;
  // A hair of slack for the last rounded digit, so a tolerance of 0 means "equal as written".
  const slack = tolerance + 1e-12 * Math.max(1, Math.abs(before));
  if (direction === 'higher') return change < -slack ? 'regressed' : change > slack ? 'improved' : 'ok';
  if (direction === 'lower') return change > slack ? 'regressed' : change < -slack ? 'improved' : 'ok';
  return Math.abs(change) > slack ? 'changed' : 'ok';
}

export function isFailure(verdict: Verdict): boolean {
  return verdict === 'regressed' || verdict === 'changed' || verdict === 'missing' || verdict === 'no baseline';
}

/** A table like `dvc metrics diff`: metric, baseline, now, change, tolerance, verdict. */
export function formatBaselineTable(rows: BaselineRow[]): string {
  const arrow = { higher: '>=', lower: '<=', equal: '==' } as const;
  const body = rows.map((row) => [
    row.metric,
    show(row.baseline),
    show(row.now),
    row.baseline !== undefined && row.now !== undefined ? signed(row.now - row.baseline) : '-',
    `${arrow[row.tolerance.direction]} ±${show(row.tolerance.tolerance)}`,
    bandText(row),
    row.verdict,
  ]);
  return formatTable(['metric', 'baseline', 'now', 'change', 'tolerance', 'band', 'verdict'], body);
}

export function formatThresholdTable(verdicts: ThresholdVerdict[]): string {
  const body = verdicts.map((v) => [v.metric, `${v.op} ${v.value}`, show(v.actual), v.passed ? 'ok' : 'FAILED', v.why]);
  return formatTable(['metric', 'threshold', 'now', 'verdict', 'why'], body);
}

function formatTable(header: string[], body: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
}

/** Where the applied tolerance came from: the calibrated band, or the declared floor (wider than the band, or no band). */
function bandText(row: BaselineRow): string {
  if (row.staleCalibration) return `declared: calibration stale (measured under ${row.staleCalibration.partsHash.slice(0, 16)})`;
  if (!row.band) return 'declared';
  const band = `${row.band.sdMultiple} sd = ${row.band.sdMultiple} x ${show(row.band.sd)} (n ${row.band.n}, ${row.band.date.slice(0, 10)})`;
  return row.tolerance.tolerance === row.band.sdMultiple * row.band.sd ? band : `declared (wider than ${band})`;
}

function show(value: number | undefined): string {
  return value === undefined ? '-' : String(Number(value.toPrecision(6)));
}

function signed(value: number): string {
  const text = String(Number(value.toPrecision(4)));
  return value > 0 ? `+${text}` : text;
}
