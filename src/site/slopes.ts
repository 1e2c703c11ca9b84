/**
 * How a quantity grows with another, read from a snapshot's rows: the least-squares slope of log y against log x
 * (an exponent: 2 for a quantity that quadruples when x doubles), over all the points or over the shorter or
 * the longer half of them, and y per unit of x at either end. The Q1 verdict on the cost of softmax attention is
 * judged on the slope of an operation count (verdicts.ts), and the Q1 chapter says where measured time departs
 * from that count (`<Scaling>`), both from these functions, so the two cannot compute a slope differently.
 */
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { logLogSlope } from '../lib/stats/slope.ts';
import type { Point } from '../lib/stats/slope.ts';
import { SiteDataError } from './errors.ts';
import { lookupRows } from './snapshots.ts';
import type { Row } from './snapshots.ts';

/** Which rows to fit: `all`, or the points sorted by x split in two, the middle point in both halves when the count is odd. */
export const parts = ['all', 'shorter half', 'longer half'] as const;
export type Part = (typeof parts)[number];

/** Where the rows are: a key path (`tables.flops`), the two columns, and the values other columns must have. */
export interface RowsRef {
  path: string;
  x: string;
  y: string;
  where?: Record<string, number | string | boolean>;
}

export interface Fit {
  slope: number;
  /** The points fitted, sorted by x. */
  points: Point[];
  /** `<file> → <path> (<x>, <y>[, where …])`, for hover text and evidence. */
  source: string;
}

/**
 * The points (x, y) of the rows at `ref.path` that match `ref.where`, sorted by x. Every error names the file and
 * the key: a missing column, a value that is not a positive number (a logarithm needs one), fewer than two
 * distinct x, the same x twice (a filter that leaves several series mixed).
 */
export function pointsOf(snapshot: Snapshot, file: string, ref: RowsRef): { points: Point[]; source: string } {
  const filters = Object.entries(ref.where ?? {});
  const source = `${file} → ${ref.path} (${ref.x}, ${ref.y}${filters.map(([key, value]) => `, ${key} = ${JSON.stringify(value)}`).join('')})`;
  const rows = lookupRows(snapshot, ref.path, file).filter((row) => filters.every(([key, value]) => row[key] === value));
  const points = rows.map((row, index) => ({ x: positive(row, ref.x, index, source), y: positive(row, ref.y, index, source) })).sort((a, b) => a.x - b.x);
  if (new Set(points.map((point) => point.x)).size !== points.length) {
    throw new SiteDataError(`${source}: two rows share an x, so the rows hold more than one series (narrow them with "where")`);
  }
  if (points.length < 2) throw new SiteDataError(`${source}: ${points.length} row(s) match, and a slope needs two`);
  return { points, source };
}

/** The points of `part`: all, or the shorter or longer half by x (sharing the middle point when their count is odd). */
export function partOf(points: readonly Point[], part: Part): Point[] {
  if (part === 'all') return [...points];
  const half = Math.ceil(points.length / 2);
  return part === 'shorter half' ? points.slice(0, half) : points.slice(points.length - half);
}

/** The log-log slope of `ref`'s rows over `part` of them. */
export function fitSlope(snapshot: Snapshot, file: string, ref: RowsRef, part: Part = 'all'): Fit {
  const { points, source } = pointsOf(snapshot, file, ref);
  const chosen = partOf(points, part);
  if (chosen.length < 2) throw new SiteDataError(`${source}: the ${part} of ${points.length} points has ${chosen.length}, and a slope needs two`);
  return { slope: logLogSlope(chosen), points: chosen, source: part === 'all' ? source : `${source}, the ${part} of the points by ${ref.x}` };
}

function positive(row: Row, column: string, index: number, source: string): number {
  const value = row[column];
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new SiteDataError(
      `${source}: row ${index} has ${column} = ${JSON.stringify(value ?? null)}, expected a positive number (a log-log slope takes logarithms)`,
    );
  }
  return value;
}
