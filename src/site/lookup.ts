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

/**
 * The rows of a curve or table at `keyPath` (e.g. `timings.curves.cost`), or of one curve of every seed
 * (`seeds.perSeed[*].curves.epochs`, see lookupSeedRows).
 */
export function lookupRows(snapshot: Snapshot, keyPath: string, file: string): Row[] {
  const curve = everySeedCurveName(keyPath);
  if (curve !== undefined) return lookupSeedRows(snapshot, curve, file);
  const value = lookup(snapshot, keyPath, file);
  if (!Array.isArray(value) || !value.every(isRecord)) {
    throw new SiteDataError(`${file}: "${keyPath}" is ${describe(value)}, expected rows (an array of objects)`);
  }
  return value as Row[];
}

/** The curve's name when `keyPath` reads one curve of every seed (`seeds.perSeed[*].curves.<name>`). */
export function everySeedCurveName(keyPath: string): string | undefined {
  return /^seeds\.perSeed\[\*\]\.curves\.(.+)$/.exec(keyPath)?.[1];
}

/**
 * The rows of curve `name` of every seed the snapshot ran, in the order of `seeds.perSeed`, each row with its
 * `seed` added: what a chart of the seeds' mean, spread and individual runs draws from. A snapshot without a
 * seeds section (made before there was one) gives its top-level curve, tagged with its one seed.
 */
export function lookupSeedRows(snapshot: Snapshot, name: string, file: string): Row[] {
  const runs = snapshot.seeds?.perSeed ?? [{ seed: snapshot.provenance.seed, curves: snapshot.curves }];
  if (runs.length === 0) throw new SiteDataError(`${file}: "seeds.perSeed" is empty, so no seed has a curve "${name}"`);
  return runs.flatMap(({ seed, curves }, index) => {
    const where = snapshot.seeds ? `seeds.perSeed[${index}].curves` : 'curves';
    const rows = curves[name];
    if (!rows) throw new SiteDataError(`${file}: no key "${where}.${name}" (seed ${seed}; "${where}" has ${listKeys(Object.keys(curves))})`);
    return rows.map((row, rowIndex) => {
      if (Object.hasOwn(row, 'seed')) throw new SiteDataError(`${file}: "${where}.${name}" row ${rowIndex} already has a column "seed"`);
      return { ...(row as Row), seed };
    });
  });
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
