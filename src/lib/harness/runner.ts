/**
 * Runs an experiment at a profile and settles what happens to its snapshot.
 *
 * - `check` (default; always under CI): the fresh snapshot goes to the scratch folder and is compared with the
 *   committed baseline. Baselines are never rewritten.
 * - `update` (`npm run experiments:update`, refused when CI=true): a run that passes its thresholds replaces the
 *   committed snapshot. A committed snapshot whose input hash equals the current one is kept and the run is
 *   skipped (pass `force` to run anyway).
 *
 * A run that throws (bad input, divergence of a required metric) writes nothing.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { initBackend } from '../backend/backend.ts';
import { writeFileAtomic } from '../fs/atomic.ts';
import type { Artifact, SeedsSummary, Snapshot } from '../snapshot-schema.ts';
import { snapshotSchemaVersion } from '../snapshot-schema.ts';
import { summarize } from '../stats/summary.ts';
import type { ArtifactFile, Comparison, ExperimentDefinition, PartResult, RunEffects, RunResult } from './experiment.ts';
import { isParted, resolveProfile } from './experiment.ts';
import type { BaselineRow, ThresholdVerdict } from './gates.ts';
import { checkThresholds, compareToBaseline, formatBaselineTable, formatThresholdTable, isFailure } from './gates.ts';
import { createProgress } from './progress.ts';
import { cpuModel, gitState } from './provenance.ts';
import { partsOf, readPartResult, resultPath, runPart, seedFolder, wholeRun } from './parts.ts';
import { readSnapshot, SnapshotError, snapshotPath, writeSnapshot } from './snapshot.ts';
import { hashJson, hashSources, sha256 } from './sources.ts';
import type { Job } from './workers.ts';
import { createBoard, runJobs } from './workers.ts';

export type Mode = 'check' | 'update';

export interface RunOptions {
  /** Default: EXPERIMENT_PROFILE, else `smoke`. */
  profile?: string;
  /** Default: `update` when HW2_UPDATE=1, else `check`. */
  mode?: Mode;
  /** In update mode, run even when the input hash is unchanged. Default: HW2_FORCE=1. */
  force?: boolean;
  /** Default: CI=true in the environment. */
  ci?: boolean;
  /** Run only these of the profile's seeds (e.g. the first, before the others have run). Default: all. */
  seeds?: number[];
  /** Worker processes for independent parts. Default: HW2_WORKERS, else the number of cores. */
  workers?: number;
  /** The project root (holds `snapshots/`, `.scratch/`, `.cache/`). */
  root?: string;
  snapshotsDir?: string;
  scratchDir?: string;
  effects?: Partial<Pick<RunEffects, 'log' | 'progress' | 'now'>>;
}

export interface Outcome {
  experiment: string;
  profile: string;
  mode: Mode;
  snapshot: Snapshot;
  baseline: Snapshot | undefined;
  /** Update mode only: the committed snapshot was current, nothing ran. */
  skipped: boolean;
  /** The file the fresh snapshot went to (none when skipped). */
  writtenTo: string | undefined;
  thresholds: ThresholdVerdict[];
  comparison: BaselineRow[];
  thresholdsPassed: boolean;
  /** In update mode the baseline is what changes, so only check mode gates on it. */
  baselinePassed: boolean;
  report: string;
}

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export async function runExperiment<Data>(definition: ExperimentDefinition<z.ZodTypeAny, Data>, options: RunOptions = {}): Promise<Outcome> {
  const env = process.env;
  const profile = options.profile ?? env.EXPERIMENT_PROFILE ?? 'smoke';
  const ci = options.ci ?? (env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0');
  const mode = options.mode ?? (env.HW2_UPDATE === '1' ? 'update' : 'check');
  const workers = options.workers ?? (Number(env.HW2_WORKERS) || availableParallelism());
  if (mode === 'update' && ci) throw new Error(`${definition.id}: CI=true: snapshots are never rewritten in CI (unset HW2_UPDATE)`);
  const root = options.root ?? projectRoot;
  const snapshotsDir = options.snapshotsDir ?? join(root, 'snapshots');
  const scratchDir = options.scratchDir ?? join(root, '.scratch', 'snapshots');
  const name = `${definition.id}/${profile}`;

  const resolved = resolveProfile(definition, profile);
  const { config } = resolved;
  const seeds = options.seeds ?? resolved.seeds;
  const notDeclared = seeds.filter((seed) => !resolved.seeds.includes(seed));
  if (seeds.length === 0 || notDeclared.length) throw new Error(`${name}: seeds [${seeds.join(', ')}] must be some of the profile's seeds [${resolved.seeds.join(', ')}]`);
  const now = options.effects?.now ?? (() => performance.now());
  const log = options.effects?.log ?? ((line: string) => process.stderr.write(`[${name}] ${line}\n`));
  const backend = await initBackend({ log });
  const interactive = Boolean(process.stderr.isTTY) && !ci;
  const effects: RunEffects = {
    log,
    now,
    progress: options.effects?.progress ?? createProgress({ write: (text) => process.stderr.write(text), interactive, now }),
    cacheDir: join(root, '.cache', 'data'),
    checkpointDir: '', // set per part once the input hash is known
    backend,
  };

  const startedAt = new Date().toISOString();
  const git = gitState(root);
  const t0 = now();
  const { dataset, data } = await definition.data(config, effects);
  const t1 = now();
  // The backend module (and through it the fast kernels and their .wasm) shapes every number too.
  const sources = await hashSources([fileURLToPath(definition.module), fileURLToPath(new URL('../backend/backend.ts', import.meta.url))], root);
  const engine = { backend: backend.name, fastKernels: backend.fastKernels, tfjs: backend.tfjsVersion };
  // Parts are stored under the hash of everything but the seed list, so running more of a profile's seeds later
  // reuses the seeds already run.
  const partsHash = hashJson({ config, sources, data: dataset.hash, engine });
  const inputHash = hashJson({ partsHash, seeds });
  const baselinePath = snapshotPath(snapshotsDir, definition.id, profile);
  const baseline = await readBaseline(baselinePath, mode, log);

  if (mode === 'update' && !options.force && env.HW2_FORCE !== '1' && baseline?.provenance.inputHash === inputHash) {
    log(`inputs unchanged since the committed snapshot (${inputHash.slice(0, 12)}): skipped`);
    return settle({ snapshot: baseline, baseline, skipped: true, writtenTo: undefined });
  }

  const folder = await checkpointFolder(join(root, '.cache', 'checkpoints', definition.id, profile), partsHash);
  const parts = partsOf(definition, config);
  log(`running ${seeds.length} seed(s) x ${parts.length} part(s) on ${Math.min(workers, seeds.length * parts.length)} worker(s) (${dataset.id}, backend ${backend.name}${backend.fastKernels ? ' + fast kernels' : ''})`);
  const jobs: Job[] = seeds.flatMap((seed) =>
    parts.map((part) => ({
      name: `${name} seed ${seed}${part === wholeRun ? '' : ` · ${part}`}`,
      message: { module: definition.module, experiment: definition.id, profile, seed, part, folder: join(seedFolder(folder, seed), part), root },
    })),
  );
  await runJobs(jobs, {
    workers,
    log,
    board: createBoard({ write: (text) => process.stderr.write(text), interactive, now }),
    inProcess: async (job) => {
      await runPart(definition, { ...config, seed: job.message.seed }, data, job.message.part, { ...effects, checkpointDir: job.message.folder });
    },
  });
  const results = new Map<number, RunResult>();
  for (const seed of seeds) {
    const partResults: Record<string, PartResult> = {};
    for (const job of jobs.filter((job) => job.message.seed === seed)) {
      const result = await readPartResult(resultPath(job.message.folder));
      if (!result) throw new Error(`${job.name}: finished without writing ${resultPath(job.message.folder)}`);
      partResults[job.message.part] = result;
    }
    const seedConfig = { ...config, seed };
    const result = isParted(definition) ? await definition.assemble(seedConfig, data, partResults) : (partResults[wholeRun] as unknown as RunResult);
    assertFinite(`${definition.id} seed ${seed}`, result);
    results.set(seed, result);
  }
  const t2 = now();
  const shown = results.get(seeds[0])!;
  const snapshot: Snapshot = {
    schemaVersion: snapshotSchemaVersion,
    experiment: definition.id,
    title: definition.title,
    profile,
    provenance: {
      git,
      node: process.version,
      tfjs: { version: backend.tfjsVersion, backend: backend.name, tfjsBackend: backend.tfjsBackend, fastKernels: backend.fastKernels },
      cpu: cpuModel(),
      seed: seeds[0],
      seeds,
      config,
      dataset,
      sources,
      inputHash,
    },
    metrics: shown.metrics,
    curves: shown.curves ?? {},
    tables: shown.tables ?? {},
    checks: shown.checks ?? [],
    seeds: summarizeSeeds(seeds, results, definition.comparisons?.(config) ?? []),
    timings: {
      startedAt,
      seconds: { data: (t1 - t0) / 1000, run: (t2 - t1) / 1000, total: (t2 - t0) / 1000 },
      values: shown.timings?.values ?? {},
      curves: shown.timings?.curves ?? {},
    },
  };

  // The gates decide where the snapshot goes: only an update that passes its thresholds replaces the baseline.
  const outcome = settle({ snapshot, baseline, skipped: false, writtenTo: undefined });
  const update = mode === 'update' && outcome.thresholdsPassed;
  outcome.writtenTo = update ? baselinePath : snapshotPath(scratchDir, definition.id, profile);
  const artifacts = artifactsOf(jobs.filter((job) => job.message.seed === seeds[0]), await Promise.all(jobs.filter((job) => job.message.seed === seeds[0]).map((job) => readPartResult(resultPath(job.message.folder)))));
  if (artifacts.length) snapshot.artifacts = await publishArtifacts(artifacts, update ? join(root, 'models', definition.id, profile) : join(dirname(outcome.writtenTo), `${profile}.models`), root, seeds[0]);
  await writeSnapshot(outcome.writtenTo, snapshot);
  log(`snapshot written to ${outcome.writtenTo}${mode === 'update' && !update ? ' (thresholds failed: baseline kept)' : ''}`);
  return outcome;

  function settle(partial: Pick<Outcome, 'snapshot' | 'baseline' | 'skipped' | 'writtenTo'>): Outcome {
    const thresholds = checkThresholds(partial.snapshot, definition.thresholds[profile] ?? []);
    const comparison = compareToBaseline(partial.baseline, partial.snapshot, definition.baseline);
    const thresholdsPassed = thresholds.every((verdict) => verdict.passed);
    const baselinePassed = mode === 'update' || comparison.every((row) => !isFailure(row.verdict));
    const report = [
      `${name} (${mode}${partial.skipped ? ', skipped: inputs unchanged' : ''})`,
      '',
      'thresholds',
      formatThresholdTable(thresholds),
      '',
      `baseline ${baselinePath}${partial.baseline ? '' : ' (none committed: run `npm run experiments:update`)'}`,
      formatBaselineTable(comparison),
    ].join('\n');
    return { experiment: definition.id, profile, mode, ...partial, thresholds, comparison, thresholdsPassed, baselinePassed, report };
  }
}

/** Every seed's metrics and curves, each metric's spread over seeds, and the declared paired comparisons. */
export function summarizeSeeds(seeds: number[], results: Map<number, RunResult>, comparisons: Comparison[]): SeedsSummary {
  const perSeed = seeds.map((seed) => ({ seed, metrics: results.get(seed)!.metrics, curves: results.get(seed)!.curves ?? {} }));
  const names = [...new Set(perSeed.flatMap((entry) => Object.keys(entry.metrics)))].sort();
  const aggregates: SeedsSummary['aggregates'] = {};
  for (const metric of names) {
    const values = perSeed.map((entry) => entry.metrics[metric]).filter((value): value is number => value !== undefined);
    aggregates[metric] = summarize(values);
  }
  return {
    list: seeds,
    shown: seeds[0],
    perSeed,
    aggregates,
    comparisons: comparisons.flatMap((comparison) => {
      const paired = perSeed.filter((entry) => entry.metrics[comparison.a] !== undefined && entry.metrics[comparison.b] !== undefined);
      if (paired.length === 0) return [];
      const differences = paired.map((entry) => entry.metrics[comparison.a] - entry.metrics[comparison.b]);
      return [{ ...comparison, ...summarize(differences), perSeed: differences }];
    }),
  };
}

function artifactsOf(jobs: Job[], results: (PartResult | undefined)[]): Array<ArtifactFile & { part: string }> {
  return jobs.flatMap((job, i) => (results[i]?.artifacts ?? []).map((artifact) => ({ ...artifact, part: job.message.part })));
}

/** Copies the shown seed's artifacts next to the snapshot and lists them with their hashes. */
async function publishArtifacts(artifacts: Array<ArtifactFile & { part: string }>, folder: string, root: string, seed: number): Promise<Artifact[]> {
  const published: Artifact[] = [];
  await mkdir(folder, { recursive: true });
  for (const artifact of artifacts) {
    const bytes = await readFile(artifact.path);
    const file = join(folder, `${artifact.name}${extname(artifact.path)}`);
    await writeFileAtomic(file, bytes);
    published.push({ name: artifact.name, file: relative(root, file).split('\\').join('/'), sha256: sha256(bytes), bytes: bytes.length, seed, part: artifact.part, description: artifact.description });
  }
  return published;
}

/** `<folder>/<input hash>`, with the folders of other input hashes removed: their checkpoints can never be resumed. */
async function checkpointFolder(folder: string, inputHash: string): Promise<string> {
  const current = inputHash.slice(0, 16);
  await mkdir(folder, { recursive: true });
  for (const entry of await readdir(folder)) if (entry !== current) await rm(join(folder, entry), { recursive: true, force: true });
  return join(folder, current);
}

/** In update mode a baseline that no longer fits the schema is replaced, not a reason to stop; in check mode it fails. */
async function readBaseline(path: string, mode: Mode, log: (line: string) => void): Promise<Snapshot | undefined> {
  try {
    return await readSnapshot(path);
  } catch (error) {
    if (mode === 'check' || !(error instanceof SnapshotError)) throw error;
    log(`the committed snapshot is unreadable and will be replaced: ${error.message}`);
    return undefined;
  }
}

function assertFinite(id: string, result: RunResult): void {
  for (const [key, value] of Object.entries(result.metrics)) {
    if (!Number.isFinite(value)) throw new Error(`${id}: metric '${key}' is ${value}; record divergence in a curve or table, not as a metric`);
  }
}
