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
 *
 * A run can be split over machines: each shard runs some seeds' parts (`runExperimentParts`), a merge copies
 * their part folders into one `.cache/checkpoints` and assembles the snapshot from them (`assembleExperiment`).
 *
 * A run holds a lease on its checkpoint folder while it lasts, and only a run that succeeds removes other
 * checkpoint folders of its experiment and profile, those no live run holds (`checkpoints.ts`).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { initBackend } from '../backend/backend.ts';
import { settings } from '../settings.ts';
import { writeFileAtomic } from '../fs/atomic.ts';
import type { Artifact, PartTimes, SeedsSummary, Snapshot } from '../snapshot-schema.ts';
import { snapshotSchemaVersion } from '../snapshot-schema.ts';
import { summarize } from '../stats/summary.ts';
import type { ArtifactFile, Comparison, ExperimentDefinition, PartResult, RunEffects, RunResult } from './experiment.ts';
import { ciProfileOf, isParted, resolveProfile } from './experiment.ts';
import type { BaselineRow, ThresholdVerdict } from './gates.ts';
import { checkThresholds, compareToBaseline, formatBaselineTable, formatThresholdTable, isFailure } from './gates.ts';
import { adoptAttestedSeeds, currentInputHash, inputHashOf, openRunFolder, sweepCheckpoints } from './checkpoints.ts';
import { createProgress } from './progress.ts';
import { cpuModel, gitState } from './provenance.ts';
import { readPartTime, totalSeconds } from './part-time.ts';
import { partResults, partsOf, partWaves, readPartResult, resultPath, runPart, seedFolder, wholeRun } from './parts.ts';
import { calibrationPath, readCalibration, readSnapshot, SnapshotError, snapshotPath, writeSnapshot } from './snapshot.ts';
import { hashJson, sha256 } from '../provenance/hash.ts';
import { hashSources } from '../provenance/sources.ts';
import type { Job } from './workers.ts';
import { createBoard, runJobs } from './workers.ts';

export type Mode = 'check' | 'update';

export interface RunOptions {
  /** Default: EXPERIMENT_PROFILE, else `smoke`. */
  profile?: string;
  /** Default: `update` when HW2_UPDATE is on, else `check`. */
  mode?: Mode;
  /** In update mode, run even when the input hash is unchanged. Default: HW2_FORCE. */
  force?: boolean;
  /** Default: CI set in the environment (and not `false`/`0`). */
  ci?: boolean;
  /** Update mode from a tree with uncommitted sources. Default: HW2_ALLOW_DIRTY. */
  allowDirty?: boolean;
  /** Run only these of the profile's seeds (e.g. the first, before the others have run). Default: all. */
  seeds?: number[];
  /**
   * Run at this config (parsed by the experiment's schema) instead of the profile's: the config a committed snapshot
   * records, so attest's check can rerun it as it was after the profile itself changed (attest.ts). Never written.
   */
  config?: unknown;
  /** Worker processes for independent parts. Default: HW2_WORKERS, else the number of cores. */
  workers?: number;
  /** Where parts and their checkpoints are kept. Default: `<root>/.cache/checkpoints` (a fresh folder forces a fresh run). */
  checkpointsDir?: string;
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

/** What a shard ran: no snapshot and no gates, only part results on disk for a merge to assemble. */
export interface PartsOutcome {
  experiment: string;
  profile: string;
  seeds: number[];
  /** Update mode only: the committed snapshot was current, no part ran. */
  skipped: boolean;
  /** `<checkpoints>/<experiment>/<profile>/<parts hash>`, holding a folder per seed and part (none when skipped). */
  folder: string | undefined;
  /** The parts run or found finished, by job name (`<experiment>/<profile> seed <n> · <part>`). */
  parts: string[];
  report: string;
}

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Runs every part of the chosen seeds (resuming finished ones), assembles the snapshot, gates it and writes it. */
export async function runExperiment<Data>(definition: ExperimentDefinition<z.ZodTypeAny, Data>, options: RunOptions = {}): Promise<Outcome> {
  const run = await prepare(definition, options);
  if (run.current) return settle(run, { snapshot: run.current, baseline: run.baseline, skipped: true, writtenTo: undefined });
  return withRunFolder(run, `${run.name} ${run.mode} run`, async ({ jobs }) => {
    const earlier = await finishedEarlier(jobs);
    await runParts(run, jobs);
    return sweepAfter(run, await assemble(run, jobs, earlier));
  });
}

/** A shard of a run spread over machines: runs the chosen seeds' parts and stops. */
export async function runExperimentParts<Data>(definition: ExperimentDefinition<z.ZodTypeAny, Data>, options: RunOptions = {}): Promise<PartsOutcome> {
  const run = await prepare(definition, options);
  const ran = { experiment: definition.id, profile: run.profile, seeds: run.seeds };
  if (run.current) return { ...ran, skipped: true, folder: undefined, parts: [], report: `${run.name}: parts only, skipped: inputs unchanged` };
  return withRunFolder(run, `${run.name} parts of seeds ${run.seeds.join(', ')}`, async ({ folder, jobs }) => {
    await runParts(run, jobs);
    run.effects.log(`parts of seeds ${run.seeds.join(', ')} finished in ${folder}`);
    return { ...ran, skipped: false, folder, parts: jobs.map((job) => job.name), report: `${run.name}: parts only` };
  });
}

/**
 * The merge of shards: every part must already be on disk. A missing one is an error, never run here, so a shard
 * that failed or was not copied cannot quietly turn the merge into a full run on one machine.
 */
export async function assembleExperiment<Data>(definition: ExperimentDefinition<z.ZodTypeAny, Data>, options: RunOptions = {}): Promise<Outcome> {
  const run = await prepare(definition, options);
  if (run.current) return settle(run, { snapshot: run.current, baseline: run.baseline, skipped: true, writtenTo: undefined });
  return withRunFolder(run, `${run.name} ${run.mode} run (assemble only)`, async ({ folder, jobs }) => {
    const missing = [];
    for (const job of jobs) if (!(await readPartResult(resultPath(job.message.folder)))) missing.push(job.name);
    if (missing.length) throw new Error(`${run.name}: assemble only, but these parts have no result under ${folder}: ${missing.join(', ')}`);
    // Every part is finished, so the pool only logs where each result is, as for any resumed part.
    await runParts(run, jobs);
    return sweepAfter(run, await assemble(run, jobs, jobs.length));
  });
}

/** A run with its options settled, its data loaded and its inputs hashed: what every way of running starts from. */
interface Prepared<Data> {
  definition: ExperimentDefinition<z.ZodTypeAny, Data>;
  /** `<experiment>/<profile>`, for messages. */
  name: string;
  profile: string;
  mode: Mode;
  root: string;
  scratchDir: string;
  checkpointsDir: string;
  workers: number;
  interactive: boolean;
  config: z.output<z.ZodTypeAny>;
  seeds: number[];
  effects: RunEffects;
  git: Snapshot['provenance']['git'];
  startedAt: string;
  /** `now()` before and after loading the data, for the snapshot's timings. */
  started: number;
  dataLoaded: number;
  data: Data;
  dataset: Snapshot['provenance']['dataset'];
  sources: Record<string, string>;
  partsHash: string;
  inputHash: string;
  baselinePath: string;
  baseline: Snapshot | undefined;
  calibration: Awaited<ReturnType<typeof readCalibration>>;
  /** Update mode without `force` only: the committed snapshot, when it already stands for these inputs. */
  current: Snapshot | undefined;
}

async function prepare<Data>(definition: ExperimentDefinition<z.ZodTypeAny, Data>, options: RunOptions): Promise<Prepared<Data>> {
  const env = settings();
  const profile = options.profile ?? env.experimentProfile;
  const ci = options.ci ?? env.ci;
  const mode = options.mode ?? (env.update ? 'update' : 'check');
  const allowDirty = options.allowDirty ?? env.allowDirty;
  const force = options.force ?? env.force;
  if (mode === 'update' && ci) throw new Error(`${definition.id}: CI is set: snapshots are never rewritten in CI (run without --update and HW2_UPDATE)`);
  const root = options.root ?? projectRoot;
  const snapshotsDir = options.snapshotsDir ?? join(root, 'snapshots');
  const name = `${definition.id}/${profile}`;

  const resolved = resolveProfile(definition, profile);
  const config = options.config === undefined ? resolved.config : recordedConfig(definition, name, options.config);
  const seeds = options.seeds ?? resolved.seeds;
  const notDeclared = seeds.filter((seed) => !resolved.seeds.includes(seed));
  if (seeds.length === 0 || notDeclared.length)
    throw new Error(`${name}: seeds [${seeds.join(', ')}] must be some of the profile's seeds [${resolved.seeds.join(', ')}]`);
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
  const { changed, ...git } = gitState(root);
  if (mode === 'update' && git.dirty && !allowDirty) {
    throw new Error(
      `${name}: refusing to write a committed snapshot from uncommitted sources (${changed.slice(0, 8).join(', ')}${changed.length > 8 ? ', ...' : ''}); ` +
        'commit them first, or set HW2_ALLOW_DIRTY=1 (the snapshot then says so)',
    );
  }
  if (git.dirty && allowDirty) Object.assign(git, { allowDirty: true });
  const started = now();
  const { dataset, data } = await definition.data(config, effects);
  const dataLoaded = now();
  // The backend module (and through it the fast kernels and their .wasm) shapes every number too.
  const sources = await hashSources([fileURLToPath(definition.module), fileURLToPath(new URL('../backend/backend.ts', import.meta.url))], root);
  const engine = { backend: backend.name, fastKernels: backend.fastKernels, tfjs: backend.tfjsVersion };
  const { partsHash, inputHash } = inputHashes({ config, seeds, sources, dataHash: dataset.hash, engine });
  const baselinePath = snapshotPath(snapshotsDir, definition.id, profile);
  const baseline = await readBaseline(baselinePath, mode, log);
  const calibration = await readCalibration(calibrationPath(snapshotsDir, definition.id, profile));

  const current = mode === 'update' && !force && baseline && currentInputHash(baseline) === inputHash ? baseline : undefined;
  if (current) log(`inputs unchanged since the committed snapshot (${inputHash.slice(0, 12)}): skipped`);
  return {
    definition,
    name,
    profile,
    mode,
    root,
    scratchDir: options.scratchDir ?? join(root, '.scratch', 'snapshots'),
    checkpointsDir: options.checkpointsDir ?? join(root, '.cache', 'checkpoints'),
    workers: options.workers ?? env.workers,
    interactive,
    config,
    seeds,
    effects,
    git,
    startedAt,
    started,
    dataLoaded,
    data,
    dataset,
    sources,
    partsHash,
    inputHash,
    baselinePath,
    baseline,
    calibration,
    current,
  };
}

/** A config given whole (`RunOptions.config`), checked by the experiment's schema as a profile's is. */
function recordedConfig(definition: ExperimentDefinition<z.ZodTypeAny, unknown>, name: string, config: unknown): z.output<z.ZodTypeAny> {
  const parsed = definition.config.safeParse(config);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`${name}: the given config does not fit the experiment's schema: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/**
 * Runs `fn` with a job per seed and part, in the checkpoint folder of the run's parts hash, holding a lease on that
 * folder (as `holder`) until `fn` ends, however it ends.
 */
async function withRunFolder<Data, T>(run: Prepared<Data>, holder: string, fn: (planned: { folder: string; jobs: Job[] }) => Promise<T>): Promise<T> {
  const { folder, lease } = await openRunFolder(profileFolder(run), run.partsHash, holder, run.effects.log);
  try {
    const adopted = await adoptAttestedSeeds(profileFolder(run), folder, run.partsHash, run.baseline, run.seeds);
    if (adopted.seeds.length) {
      run.effects.log(`checkpoints: seed(s) ${adopted.seeds.join(', ')} taken from ${adopted.from}: the committed snapshot is attested for these inputs`);
    }
    return await fn({ folder, jobs: planParts(run, folder) });
  } finally {
    await lease.release();
  }
}

function profileFolder<Data>(run: Prepared<Data>): string {
  return join(run.checkpointsDir, run.definition.id, run.profile);
}

/** A job per seed and part of the run, in its checkpoint folder. */
function planParts<Data>(run: Prepared<Data>, folder: string): Job[] {
  const { definition, name, root, seeds } = run;
  const parts = partsOf(definition, run.config);
  const { backend } = run.effects;
  run.effects.log(
    `running ${seeds.length} seed(s) x ${parts.length} part(s) on ${Math.min(run.workers, seeds.length * parts.length)} worker(s) (${run.dataset.id}, backend ${backend.name}${backend.fastKernels ? ' + fast kernels' : ''})`,
  );
  const jobs: Job[] = seeds.flatMap((seed) =>
    parts.map((part) => ({
      name: `${name} seed ${seed}${part === wholeRun ? '' : ` · ${part}`}`,
      message: { module: definition.module, experiment: definition.id, config: run.config, seed, part, folder: join(seedFolder(folder, seed), part), root },
    })),
  );
  return jobs;
}

async function runParts<Data>(run: Prepared<Data>, jobs: Job[]): Promise<void> {
  const { definition, config, data, effects } = run;
  // Parts that start from other parts run in a later wave (partWaves); within a wave, every seed's parts share the pool.
  for (const wave of partWaves(definition, config)) {
    await runJobs(
      jobs.filter((job) => wave.includes(job.message.part)),
      {
        workers: run.workers,
        log: effects.log,
        board: createBoard({ write: (text) => process.stderr.write(text), interactive: run.interactive, now: effects.now }),
        inProcess: async (job) => {
          await runPart(definition, { ...config, seed: job.message.seed }, data, job.message.part, { ...effects, checkpointDir: job.message.folder });
        },
      },
    );
  }
}

/** How many of the jobs' parts have a result on disk already: finished by an earlier run, so not timed by this one. */
async function finishedEarlier(jobs: Job[]): Promise<number> {
  let count = 0;
  for (const job of jobs) if (await readPartResult(resultPath(job.message.folder))) count++;
  return count;
}

/**
 * The time this process took, by phase. When some parts were finished by an earlier process, the time after loading
 * the data (the parts left, then the snapshot) is this process's share only, so it is recorded as `resumed`, with no
 * `run` or `total`: every part's own time, over every process that worked on it, is in `timings.parts`.
 */
function phaseSeconds(started: number, dataLoaded: number, finished: number, partsFromEarlier: number): Record<string, number> {
  const data = (dataLoaded - started) / 1000;
  if (partsFromEarlier > 0) return { data, resumed: (finished - dataLoaded) / 1000 };
  return { data, run: (finished - dataLoaded) / 1000, total: (finished - started) / 1000 };
}

/** Each part's time over every process that worked on it (part-time.ts): null for a part finished before it was kept. */
async function partTimes(jobs: Job[]): Promise<PartTimes> {
  const times: PartTimes = [];
  for (const job of jobs) {
    const time = await readPartTime(job.message.folder);
    times.push({ seed: job.message.seed, part: job.message.part, seconds: time ? totalSeconds(time) : null, sessions: time?.sessions.length ?? 0 });
  }
  return times;
}

/** Builds the snapshot from the parts' results on disk, gates it, publishes the shown seed's artifacts and writes it. */
async function assemble<Data>(run: Prepared<Data>, jobs: Job[], partsFromEarlier: number): Promise<Outcome> {
  const { definition, profile, mode, root, seeds, config, effects } = run;
  const results = new Map<number, RunResult>();
  for (const seed of seeds) {
    const byName = new Map<string, PartResult>();
    for (const job of jobs.filter((job) => job.message.seed === seed)) {
      const result = await readPartResult(resultPath(job.message.folder));
      if (!result) throw new Error(`${job.name}: finished without writing ${resultPath(job.message.folder)}`);
      byName.set(job.message.part, result);
    }
    const seedConfig = { ...config, seed };
    const result = isParted(definition)
      ? await definition.assemble(seedConfig, run.data, partResults(definition, byName))
      : (byName.get(wholeRun) as unknown as RunResult);
    assertFinite(`${definition.id} seed ${seed}`, result);
    results.set(seed, result);
  }
  const finished = effects.now();
  const { backend } = effects;
  const shown = results.get(seeds[0])!;
  const snapshot: Snapshot = {
    schemaVersion: snapshotSchemaVersion,
    experiment: definition.id,
    title: definition.title,
    profile,
    provenance: {
      git: run.git,
      node: process.version,
      tfjs: { version: backend.tfjsVersion, backend: backend.name, tfjsBackend: backend.tfjsBackend, fastKernels: backend.fastKernels },
      cpu: cpuModel(),
      seed: seeds[0],
      seeds,
      config,
      dataset: run.dataset,
      sources: run.sources,
      inputHash: run.inputHash,
    },
    metrics: shown.metrics,
    curves: shown.curves ?? {},
    tables: shown.tables ?? {},
    checks: shown.checks ?? [],
    seeds: summarizeSeeds(seeds, results, definition.comparisons?.(config) ?? []),
    timings: {
      startedAt: run.startedAt,
      seconds: phaseSeconds(run.started, run.dataLoaded, finished, partsFromEarlier),
      values: shown.timings?.values ?? {},
      curves: shown.timings?.curves ?? {},
      parts: await partTimes(jobs),
    },
  };

  // The gates decide where the snapshot goes: only an update that passes its thresholds replaces the baseline.
  const outcome = settle(run, { snapshot, baseline: run.baseline, skipped: false, writtenTo: undefined });
  const update = mode === 'update' && outcome.thresholdsPassed;
  outcome.writtenTo = update ? run.baselinePath : snapshotPath(run.scratchDir, definition.id, profile);
  // The CI profile's models are toys: only the profiles the report quotes publish their weights.
  const publishing = profile !== ciProfileOf(definition);
  const shownJobs = jobs.filter((job) => publishing && job.message.seed === seeds[0] && (!shown.publish || shown.publish.includes(job.message.part)));
  const artifacts = artifactsOf(shownJobs, await Promise.all(shownJobs.map((job) => readPartResult(resultPath(job.message.folder)))));
  if (artifacts.length)
    snapshot.artifacts = await publishArtifacts(
      artifacts,
      update ? join(root, 'models', definition.id, profile) : join(dirname(outcome.writtenTo), `${profile}.models`),
      root,
      seeds[0],
    );
  await writeSnapshot(outcome.writtenTo, snapshot);
  effects.log(`snapshot written to ${outcome.writtenTo}${mode === 'update' && !update ? ' (thresholds failed: baseline kept)' : ''}`);
  return outcome;
}

function settle<Data>(run: Prepared<Data>, partial: Pick<Outcome, 'snapshot' | 'baseline' | 'skipped' | 'writtenTo'>): Outcome {
  const { definition, profile, mode } = run;
  const thresholds = checkThresholds(partial.snapshot, definition.thresholds[profile] ?? []);
  const calibrated = run.calibration && { calibration: run.calibration, partsHash: run.partsHash };
  const comparison = compareToBaseline(partial.baseline, partial.snapshot, definition.baseline, calibrated);
  const thresholdsPassed = thresholds.every((verdict) => verdict.passed);
  const baselinePassed = mode === 'update' || comparison.every((row) => !isFailure(row.verdict));
  const report = [
    `${run.name} (${mode}${partial.skipped ? ', skipped: inputs unchanged' : ''})`,
    '',
    'thresholds',
    formatThresholdTable(thresholds),
    '',
    `baseline ${run.baselinePath}${partial.baseline ? '' : ' (none committed: run `npm run experiments:update`)'}`,
    formatBaselineTable(comparison),
  ].join('\n');
  return { experiment: definition.id, profile, mode, ...partial, thresholds, comparison, thresholdsPassed, baselinePassed, report };
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
    published.push({
      name: artifact.name,
      file: relative(root, file).split('\\').join('/'),
      sha256: sha256(bytes),
      bytes: bytes.length,
      seed,
      part: artifact.part,
      description: artifact.description,
    });
  }
  return published;
}

export interface Inputs {
  config: unknown;
  seeds: number[];
  sources: Record<string, string>;
  dataHash: string;
  engine: { backend: string; fastKernels: boolean; tfjs: string };
}

/**
 * The input hash of a run, and the hash of everything but its seed list: parts are stored under the latter, so
 * running more of a profile's seeds later reuses the seeds already run.
 */
export function inputHashes({ config, seeds, sources, dataHash, engine }: Inputs): { partsHash: string; inputHash: string } {
  const partsHash = hashJson({ config, sources, data: dataHash, engine });
  return { partsHash, inputHash: inputHashOf(partsHash, seeds) };
}

// Defined beside the checkpoint folders, which sweep by it; attest.ts imports it from here.
export { currentInputHash };

/**
 * After a run that passed its gates: the other checkpoint folders of its experiment and profile that no live run
 * holds, and that are not the committed snapshot's, can never be resumed by these inputs and are removed. Each
 * folder removed or kept is logged with the reason.
 */
async function sweepAfter<Data>(run: Prepared<Data>, outcome: Outcome): Promise<Outcome> {
  if (!outcome.thresholdsPassed || !outcome.baselinePassed) return outcome;
  const committed = outcome.writtenTo === run.baselinePath ? outcome.snapshot : run.baseline;
  const own = run.partsHash.slice(0, 16);
  const verdicts = await sweepCheckpoints(profileFolder(run), { own, committed: { path: run.baselinePath, snapshot: committed }, log: run.effects.log });
  for (const verdict of verdicts)
    if (verdict.folder !== join(profileFolder(run), own)) run.effects.log(`checkpoints: ${verdict.action} ${verdict.folder}: ${verdict.why}`);
  return outcome;
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
