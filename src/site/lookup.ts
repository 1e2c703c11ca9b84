/**
 * Reading values out of a snapshot by key path (`metrics.featureDimD3K3`, `timings.values.slopeSoftmax`,
 * `tables.flops`). Pure functions over a parsed snapshot, so they are tested without Astro; the build-time
 * loading lives in `snapshots.ts`. Every failure names the snapshot file and the key, because the message ends
 * up in a failed `astro build` and must say what to fix.
 */
import type { Snapshot } from '../lib/snapshot-schema.ts';

export type Row = Record<string, number | string | boolean | null>;
export type Check = Snapshot['checks'][number];

export class SiteDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SiteDataError';
  }
}

/**
 * The value at `keyPath`. Record keys may themselves contain dots (`lr0.01`), so at each level the longest run
 * of segments that names an existing key wins.
 */
export function lookup(snapshot: Snapshot, keyPath: string, file: string): unknown {
  const segments = keyPath.split('.');
  if (keyPath.trim() === '' || segments.some((segment) => segment === '')) {
    throw new SiteDataError(`${file}: "${keyPath}" is not a key path (expected names joined by dots, e.g. metrics.accuracy)`);
  }
  let value: unknown = snapshot;
  let walked = '';
  let index = 0;
  while (index < segments.length) {
    if (!isRecord(value)) {
      throw new SiteDataError(`${file}: no key "${keyPath}": "${walked}" is ${describe(value)}, not an object`);
    }
    const record = value;
    let end = segments.length;
    while (end > index && !Object.hasOwn(record, segments.slice(index, end).join('.'))) end--;
    if (end === index) {
      const where = walked ? `"${walked}" has` : 'the snapshot has';
      throw new SiteDataError(`${file}: no key "${keyPath}" (${where} ${listKeys(Object.keys(record))})`);
    }
    const name = segments.slice(index, end).join('.');
    value = record[name];
    walked = walked ? `${walked}.${name}` : name;
    index = end;
  }
  return value;
}

/** A finite number at `keyPath`; a diverged value (recorded as null) or any other type is an error. */
export function lookupNumber(snapshot: Snapshot, keyPath: string, file: string): number {
  const value = lookup(snapshot, keyPath, file);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SiteDataError(`${file}: "${keyPath}" is ${describe(value)}, expected a finite number`);
  }
  return value;
}

/** The rows of a curve or table at `keyPath` (e.g. `timings.curves.cost`). */
export function lookupRows(snapshot: Snapshot, keyPath: string, file: string): Row[] {
  const value = lookup(snapshot, keyPath, file);
  if (!Array.isArray(value) || !value.every(isRecord)) {
    throw new SiteDataError(`${file}: "${keyPath}" is ${describe(value)}, expected rows (an array of objects)`);
  }
  return value as Row[];
}

/** The executable check called `name`. */
export function findCheck(snapshot: Snapshot, id: string, file: string): Check {
  const check = snapshot.checks.find((candidate) => candidate.id === id);
  if (!check) {
    const ids = snapshot.checks.map((candidate) => candidate.id);
    throw new SiteDataError(`${file}: no check with id "${id}" (checks: ${listKeys(ids)})`);
  }
  return check;
}

/** Every row must hold every column the page shows, so a renamed column fails the build instead of printing blanks. */
export function requireColumns(rows: Row[], columns: string[], keyPath: string, file: string): void {
  if (rows.length === 0) throw new SiteDataError(`${file}: "${keyPath}" has no rows`);
  for (const [index, row] of rows.entries()) {
    const missing = columns.filter((column) => !Object.hasOwn(row, column));
    if (missing.length > 0) {
      throw new SiteDataError(
        `${file}: "${keyPath}" row ${index} has no column ${missing.map((name) => `"${name}"`).join(', ')} (it has ${listKeys(Object.keys(row))})`,
      );
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value} ${JSON.stringify(value)}`;
}

function listKeys(keys: string[]): string {
  if (keys.length === 0) return 'none';
  const shown = keys.slice(0, 12).join(', ');
  return keys.length > 12 ? `${shown}, … ${keys.length - 12} more` : shown;
}
