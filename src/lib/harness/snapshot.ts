/**
 * Snapshot files: reading and validating them against the contract (src/lib/snapshot-schema.ts), their
 * canonical text, and atomic, locked writes.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic.ts';
import { readTextIfExists } from '../fs/read.ts';
import { withFolderLock, type FolderLockOptions } from '../fs/lock.ts';
import type { Calibration, Snapshot } from '../snapshot-schema.ts';
import { calibrationSchema, snapshotSchema } from '../snapshot-schema.ts';

export class SnapshotError extends Error {
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'SnapshotError';
  }
}

/** Where an experiment's snapshot lives below a snapshots folder. */
export function snapshotPath(folder: string, experiment: string, profile: string): string {
  return join(folder, experiment, `${profile}.json`);
}

export function parseSnapshot(text: string, path: string): Snapshot {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SnapshotError(path, `not valid JSON (${(error as Error).message})`);
  }
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new SnapshotError(path, `does not match the snapshot schema: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** The committed snapshot, or undefined when there is none yet. */
export async function readSnapshot(path: string): Promise<Snapshot | undefined> {
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  return parseSnapshot(text, path);
}

/** Significant digits kept for every non-integer number: enough for any metric, stable across platforms' last bits. */
export const significantDigits = 10;

/**
 * Canonical text: the schema's top-level order, every record's keys sorted, every table row's columns in
 * the order the experiment wrote them, non-integers rounded to `significantDigits`.
 */
export function formatSnapshot(snapshot: Snapshot): string {
  // Round first (NaN becomes null), then let the schema validate and put the top level in its order.
  const ordered = snapshotSchema.parse(canonical(snapshot, 'top'));
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/**
 * The snapshot as its file records it: numbers rounded as `formatSnapshot` rounds them. Compare a fresh run with
 * a committed snapshot this way: the file keeps `significantDigits`, the run every bit.
 */
export function asRecorded(snapshot: Snapshot): Snapshot {
  return JSON.parse(formatSnapshot(snapshot)) as Snapshot;
}

type Where = 'top' | 'record' | 'row';

function canonical(value: unknown, where: Where): unknown {
  if (typeof value === 'number') return round(value);
  if (Array.isArray(value)) return value.map((item) => canonical(item, isPlainObject(item) ? 'row' : 'record'));
  if (!isPlainObject(value)) return value;
  const keys = where === 'record' ? Object.keys(value).sort() : Object.keys(value);
  // Below the top level, every object is a record (sorted) unless it is a row of a curve or table.
  return Object.fromEntries(keys.map((key) => [key, canonical(value[key], 'record')]));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function round(value: number): number | null {
  if (!Number.isFinite(value)) return null; // JSON has no NaN/Infinity; a diverged value is recorded as null
  if (Number.isInteger(value)) return value;
  return Number(value.toPrecision(significantDigits));
}

/**
 * Writes atomically (a crash never leaves half a snapshot) while holding the lock on the snapshot's folder, so
 * two runs finishing together write one after the other.
 */
export async function writeSnapshot(path: string, snapshot: Snapshot, options: { lock?: FolderLockOptions } = {}): Promise<void> {
  const text = formatSnapshot(snapshot);
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  await withFolderLock(folder, () => writeFileAtomic(path, text), options.lock);
}

/** Where a CI profile's measured seed spread lives (`npm run experiments:calibrate`). */
export function calibrationPath(folder: string, experiment: string, profile: string): string {
  return join(folder, experiment, 'calibration', `${profile}.json`);
}

/**
 * The calibration of a profile, or undefined when it has none. A file that is not JSON, does not match the schema,
 * or whose summaries are not what its per-seed values give is an error naming the file and the key: a calibration
 * widens a gate, so a damaged or edited one must never apply quietly.
 */
export async function readCalibration(path: string): Promise<Calibration | undefined> {
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SnapshotError(path, `not valid JSON (${(error as Error).message})`);
  }
  if (isPlainObject(json) && json.schemaVersion === undefined) {
    const experiment = typeof json.experiment === 'string' ? ` ${json.experiment}` : '';
    throw new SnapshotError(
      path,
      `a calibration from before per-seed values were kept (its sds cannot be checked): measure it again with \`npm run experiments:calibrate --${experiment}\``,
    );
  }
  const parsed = calibrationSchema.safeParse(json);
  if (!parsed.success)
    throw new SnapshotError(
      path,
      `does not match the calibration schema: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** Writes a calibration (numbers rounded as in snapshots), refusing one whose summaries its values do not give. */
export async function writeCalibration(path: string, calibration: Calibration): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(calibrationSchema.parse(canonical(calibration, 'top')), null, 2)}\n`);
}
