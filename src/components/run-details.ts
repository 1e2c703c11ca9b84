/**
 * The compact line under every figure and table caption that says which run produced it: experiment and
 * profile, seeds, data set, backend, commit, date and freshness, where to download the snapshot and the
 * figure's rows, and the command that runs it again. Pure functions; `<RunDetails>` renders them.
 */
import type { Snapshot } from '../lib/snapshot-schema.ts';
import type { FreshnessState } from './freshness.ts';
import { seedList } from './site-snapshot.ts';

export interface RunDetails {
  run: string;
  seeds: string;
  dataset: string;
  backend: string;
  commit: { short: string; full: string; dirty: boolean; href: string | undefined };
  date: string;
  freshness: FreshnessState;
  command: string;
}

export function runDetails(snapshot: Snapshot, freshness: FreshnessState, repository: string | undefined): RunDetails {
  const { provenance } = snapshot;
  const seeds = seedList(snapshot);
  const { tfjs, git } = provenance;
  return {
    run: `${snapshot.experiment} / ${snapshot.profile}`,
    seeds: seeds.length === 1 ? `seed ${seeds[0]}` : `seeds ${compactList(seeds)} (${seeds.length})`,
    dataset: provenance.dataset.id,
    backend: `tfjs ${tfjs.version} ${tfjs.backend}${tfjs.fastKernels ? ' + fast kernels' : ''}`,
    commit: { short: git.commit.slice(0, 7), full: git.commit, dirty: git.dirty, href: repository ? `${repository}/commit/${git.commit}` : undefined },
    date: snapshot.timings.startedAt.slice(0, 10),
    freshness,
    command: rerunCommand(snapshot.experiment, snapshot.profile),
  };
}

/** `1–5, 8` for `[1, 2, 3, 4, 5, 8]`. */
export function compactList(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let index = 0; index < sorted.length; ) {
    let end = index;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end] + 1) end++;
    parts.push(end - index >= 2 ? `${sorted[index]}–${sorted[end]}` : sorted.slice(index, end + 1).join(', '));
    index = end + 1;
  }
  return parts.join(', ');
}

/** The command that runs one experiment at one profile again and rewrites its snapshot (see README.md). */
export function rerunCommand(experiment: string, profile: string): string {
  if (experiment === 'bench-cpu-kernels') return 'npm run bench';
  // Both LJ Speech experiments run from one suite, which picks the experiment by profile.
  const suite = experiment === 'q3-ljspeech-transfer' ? 'q3-ljspeech' : experiment;
  const data =
    experiment.startsWith('q3-ljspeech') || (experiment === 'q3-asr' && profile === 'full')
      ? 'LJSPEECH_DIR=… '
      : profile === 'octmnist'
        ? 'OCTMNIST_NPZ=… '
        : '';
  return `${data}EXPERIMENT_PROFILE=${profile} HW2_UPDATE=1 npx vitest run --project experiments test/experiments/${suite}.test.ts`;
}

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

/** Every key path of a snapshot that holds rows, which the site publishes as CSV: each curve also for every seed. */
export function rowKeyPaths(snapshot: Snapshot): string[] {
  const perSeed = snapshot.seeds?.perSeed ?? [];
  const everySeed = Object.keys(snapshot.curves).filter((name) => perSeed.length > 0 && perSeed.every((run) => Object.hasOwn(run.curves, name)));
  return [
    ...Object.keys(snapshot.curves).map((name) => `curves.${name}`),
    ...everySeed.map((name) => `seeds.perSeed[*].curves.${name}`),
    ...Object.keys(snapshot.tables).map((name) => `tables.${name}`),
    ...Object.keys(snapshot.timings.curves).map((name) => `timings.curves.${name}`),
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
