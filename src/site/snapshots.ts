/**
 * Every way the site reaches a snapshot, in one module:
 *
 * - loading, through the `snapshots` content collection only (never by path), so every snapshot the site shows has
 *   passed the shared zod schema: `loadSnapshot` for a component, `loadAllSnapshots` for the pages that list them.
 *   A missing snapshot fails the build naming the file that should exist. Each loaded snapshot carries its
 *   freshness (freshness.ts), so every component that prints its numbers can say when they are out of date;
 * - reading values by key path (`metrics.featureDimD3K3`, `timings.values.slopeSoftmax`, `tables.flops`), the
 *   rows of a curve or table, a check; every failure names the snapshot file and the key;
 * - the parts only some snapshots have: results over several seeds (`seeds`). Older snapshots lack them and
 *   still build.
 *
 * Everything but the two loaders is a pure function of a parsed snapshot, tested without Astro; the loaders import
 * `astro:content` when called, so the rest of the module runs anywhere.
 */
import type { Snapshot, Summary } from '../lib/snapshot-schema.ts';
import { SiteDataError } from './errors.ts';
import { assessFreshness } from './freshness.ts';
import type { Freshness, Staleness } from './freshness.ts';
import { projectRoot, snapshotFile } from './settings.ts';

/** A row of a curve or table. */
export type Row = Record<string, number | string | boolean | null>;
export type Check = Snapshot['checks'][number];

export interface LoadedSnapshot {
  snapshot: Snapshot;
  /** The file it came from, project-relative, for messages and hover text. */
  file: string;
  /** `<experiment>/<profile>`. */
  id: string;
  staleness: Staleness;
  /** fresh, attested or stale (freshness.ts): what the page says beside its numbers. */
  freshness: Freshness;
}

/** The id of a snapshot's entry on the provenance page. */
export function provenanceAnchor(experiment: string, profile: string): string {
  return `snapshot-${experiment}-${profile}`;
}

export async function loadSnapshot(experiment: string, profile: string): Promise<LoadedSnapshot> {
  const { getCollection, getEntry } = await import('astro:content');
  // Collection ids are `<experiment>/<profile>`, the snapshot's path below the snapshots folder.
  const id = `${experiment}/${profile}`;
  const entry = await getEntry('snapshots', id);
  const expected = snapshotFile(experiment, profile);
  if (!entry) {
    const available = (await getCollection('snapshots')).map((candidate) => candidate.id).sort();
    throw new SiteDataError(
      `${expected}: no such snapshot for experiment "${experiment}", profile "${profile}" (snapshots: ${available.join(', ') || 'none'}). Run the experiment (npm run experiments:update) or fix the name.`,
    );
  }
  return settle(id, entry.filePath ?? expected, entry.data as Snapshot, experiment, profile);
}

/** Every snapshot, ordered by experiment then profile, for the provenance page. */
export async function loadAllSnapshots(): Promise<LoadedSnapshot[]> {
  const { getCollection } = await import('astro:content');
  const entries = (await getCollection('snapshots')).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return Promise.all(
    entries.map((entry) => {
      const [experiment, profile] = entry.id.split('/');
      return settle(entry.id, entry.filePath ?? snapshotFile(experiment, profile), entry.data as Snapshot, experiment, profile);
    }),
  );
}

async function settle(id: string, file: string, snapshot: Snapshot, experiment: string, profile: string): Promise<LoadedSnapshot> {
  // The path and the content must agree, or the page would quote one run under another's name.
  if (snapshot.experiment !== experiment || snapshot.profile !== profile) {
    throw new SiteDataError(
      `${file}: holds experiment "${snapshot.experiment}", profile "${snapshot.profile}", but its path says "${experiment}", "${profile}"`,
    );
  }
  return { snapshot, file, id, ...(await assessFreshness(snapshot, projectRoot(), file)) };
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
  if (keyPath === COMPARISONS) return comparisonRows(snapshot, file);
  if (keyPath === EVERY_SEED_COMPARISON) return everySeedComparisonRows(snapshot, file);
  if (keyPath === EVERY_SEED_INTERVAL) return everySeedIntervalRows(snapshot, file);
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

/** The paired comparisons over seeds as rows, one per comparison, without their per-seed lists (those are EVERY_SEED_COMPARISON). */
export const COMPARISONS = 'seeds.comparisons';
/** Each seed's difference in every paired comparison. */
export const EVERY_SEED_COMPARISON = 'seeds.comparisons[*].perSeed';
/** Every metric of every seed that was recorded with its 95% interval. */
export const EVERY_SEED_INTERVAL = 'seeds.perSeed[*].intervals';

/**
 * `seeds.comparisons` as rows: `comparison` (its id), `description`, `a`, `b` and the summary of the differences
 * (`n`, `mean`, `sd`, `min`, `max`, and the 95% interval `low`, `high`). What a chart draws as the mean with its interval.
 */
function comparisonRows(snapshot: Snapshot, file: string): Row[] {
  return requireComparisons(snapshot, file).map(({ perSeed: _perSeed, id, ...summary }) => ({ comparison: id, ...summary }));
}

/**
 * `seeds.comparisons[*].perSeed`: one row per comparison and seed, `{comparison, seed, difference}`, the difference
 * a − b of that seed's metrics. The snapshot lists each comparison's differences without their seeds, so they are
 * recomputed from `seeds.perSeed` and must equal the listed ones (to the metrics' rounding): a chart never pairs a
 * difference with the wrong seed.
 */
function everySeedComparisonRows(snapshot: Snapshot, file: string): Row[] {
  const runs = snapshot.seeds?.perSeed ?? [];
  return requireComparisons(snapshot, file).flatMap((comparison) => {
    const paired = runs.filter(({ metrics }) => metrics[comparison.a] !== undefined && metrics[comparison.b] !== undefined);
    const rows = paired.map(({ seed, metrics }) => ({ comparison: comparison.id, seed, difference: metrics[comparison.a] - metrics[comparison.b] }));
    const listed = comparison.perSeed;
    const agree =
      rows.length === listed.length && rows.every((row, index) => Math.abs(row.difference - listed[index]) <= 1e-9 * Math.max(1, Math.abs(listed[index])));
    if (!agree) {
      throw new SiteDataError(
        `${file}: seeds.comparisons "${comparison.id}" lists ${listed.length} differences that are not ${comparison.a} − ${comparison.b} of the ${rows.length} seeds in seeds.perSeed`,
      );
    }
    // The listed differences, from the unrounded metrics; the recomputed ones only pair them with their seeds.
    return rows.map((row, index) => ({ ...row, difference: listed[index] }));
  });
}

function requireComparisons(snapshot: Snapshot, file: string): NonNullable<Snapshot['seeds']>['comparisons'] {
  const comparisons = snapshot.seeds?.comparisons ?? [];
  if (comparisons.length === 0) throw new SiteDataError(`${file}: no paired comparisons (seeds.comparisons is ${snapshot.seeds ? 'empty' : 'missing'})`);
  return comparisons;
}

/**
 * `seeds.perSeed[*].intervals`: one row per seed and metric recorded with a 95% interval (`<name>` beside
 * `<name>-low` and `<name>-high`), `{seed, metric, value, low, high}`. A snapshot without a seeds section gives its
 * top-level metrics, tagged with its one seed.
 */
function everySeedIntervalRows(snapshot: Snapshot, file: string): Row[] {
  const runs = snapshot.seeds?.perSeed ?? [{ seed: snapshot.provenance.seed, metrics: snapshot.metrics }];
  const rows = runs.flatMap(({ seed, metrics }) =>
    Object.keys(metrics)
      .filter((name) => Object.hasOwn(metrics, `${name}-low`) && Object.hasOwn(metrics, `${name}-high`))
      .sort()
      .map((name) => ({ seed, metric: name, value: metrics[name], low: metrics[`${name}-low`], high: metrics[`${name}-high`] }) as Row),
  );
  if (rows.length === 0) throw new SiteDataError(`${file}: no metric has a 95% interval (no <name> with <name>-low and <name>-high)`);
  return rows;
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

/** The seeds a snapshot's numbers come from: its list when it ran several, else its one seed. */
export function seedList(snapshot: Snapshot): number[] {
  const list = snapshot.seeds?.list ?? snapshot.provenance.seeds;
  return list && list.length > 0 ? list : [snapshot.provenance.seed];
}

/** The summary over seeds of `metrics.<name>`, when the snapshot ran more than one seed. */
export function metricAggregate(snapshot: Snapshot, keyPath: string): Summary | undefined {
  const match = /^metrics\.(.+)$/.exec(keyPath);
  if (!match) return undefined;
  const aggregate = snapshot.seeds?.aggregates[match[1]];
  return aggregate && aggregate.n > 1 ? aggregate : undefined;
}
