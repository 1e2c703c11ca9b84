/**
 * The files the site publishes beside the report (src/pages/data/…): every snapshot as JSON and every curve and
 * table in it as CSV, each curve also for every seed. Where they live below the base, and how rows become CSV.
 */
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { COMPARISONS, EVERY_SEED_COMPARISON, EVERY_SEED_INTERVAL } from './snapshots.ts';

/** Where the site publishes a snapshot's JSON, below the base. */
export function snapshotDownloadPath(experiment: string, profile: string): string {
  return `/data/${experiment}/${profile}.json`;
}

/** Where the site publishes the rows at `keyPath` (`curves.epochs`) of a snapshot as CSV, below the base. */
export function rowsDownloadPath(experiment: string, profile: string, keyPath: string): string {
  return `/data/${experiment}/${profile}/${rowsFileName(keyPath)}.csv`;
}

/** The CSV's name, without `.csv`, for the rows at `keyPath`: every seed's curve, `seeds.perSeed[*].curves.epochs`, is `seeds.perSeed.curves.epochs`. */
export function rowsFileName(keyPath: string): string {
  return keyPath.replace('[*]', '');
}

/**
 * Every key path of a snapshot that holds rows, which the site publishes as CSV: each curve also for every seed, and
 * the rows the site derives for its charts (src/site/snapshots.ts): the paired comparisons, with each seed's
 * difference, and every metric recorded with its interval, per seed.
 */
export function rowKeyPaths(snapshot: Snapshot): string[] {
  const perSeed = snapshot.seeds?.perSeed ?? [];
  const everySeed = Object.keys(snapshot.curves).filter((name) => perSeed.length > 0 && perSeed.every((run) => Object.hasOwn(run.curves, name)));
  const comparisons = (snapshot.seeds?.comparisons.length ?? 0) > 0 ? [COMPARISONS, EVERY_SEED_COMPARISON] : [];
  const metrics = perSeed.length > 0 ? perSeed.map((run) => run.metrics) : [snapshot.metrics];
  const intervals = metrics.some((values) => Object.keys(values).some((name) => Object.hasOwn(values, `${name}-low`) && Object.hasOwn(values, `${name}-high`)));
  return [
    ...Object.keys(snapshot.curves).map((name) => `curves.${name}`),
    ...everySeed.map((name) => `seeds.perSeed[*].curves.${name}`),
    ...Object.keys(snapshot.tables).map((name) => `tables.${name}`),
    ...Object.keys(snapshot.timings.curves).map((name) => `timings.curves.${name}`),
    ...comparisons,
    ...(intervals ? [EVERY_SEED_INTERVAL] : []),
  ];
}

/** RFC 4180 CSV: a header of every column any row has, then one line per row; null is an empty cell. */
export function toCsv(rows: readonly Record<string, unknown>[]): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cell = (value: unknown): string => {
    if (value === null || value === undefined) return '';
    const text = String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return `${[columns.map(cell).join(','), ...rows.map((row) => columns.map((column) => cell(row[column])).join(','))].join('\r\n')}\r\n`;
}
