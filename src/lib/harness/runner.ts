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
import { mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { initBackend } from '../backend/backend.ts';
import type { ExperimentDefinition, RunEffects, RunResult } from './experiment.ts';
import { resolveConfig } from './experiment.ts';
import type { BaselineRow, ThresholdVerdict } from './gates.ts';
import { checkThresholds, compareToBaseline, formatBaselineTable, formatThresholdTable, isFailure } from './gates.ts';
import { createProgress } from './progress.ts';
import { cpuModel, gitState } from './provenance.ts';
import type { Snapshot } from './snapshot.ts';
import { readSnapshot, SnapshotError, snapshotPath, snapshotSchemaVersion, writeSnapshot } from './snapshot.ts';
import { hashJson, hashSources } from './sources.ts';

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
  const ci = options.ci ?? env.CI === 'true';
  const mode = options.mode ?? (env.HW2_UPDATE === '1' ? 'update' : 'check');
  if (mode === 'update' && ci) throw new Error(`${definition.id}: CI=true: snapshots are never rewritten in CI (unset HW2_UPDATE)`);
  const root = options.root ?? projectRoot;
  const snapshotsDir = options.snapshotsDir ?? join(root, 'snapshots');
  const scratchDir = options.scratchDir ?? join(root, '.scratch', 'snapshots');
  const name = `${definition.id}/${profile}`;

  const config = resolveConfig(definition, profile);
  const now = options.effects?.now ?? (() => performance.now());
  const log = options.effects?.log ?? ((line: string) => process.stderr.write(`[${name}] ${line}\n`));
  const backend = await initBackend({ log });
  const effects: RunEffects = {
    log,
    now,
    progress:
      options.effects?.progress ??
      createProgress({ write: (text) => process.stderr.write(text), interactive: Boolean(process.stderr.isTTY) && !ci, now }),
    cacheDir: join(root, '.cache', 'data'),
    checkpointDir: '', // set once the input hash is known
    backend,
  };

  const startedAt = new Date().toISOString();
  const t0 = now();
  const { dataset, data } = await definition.data(config, effects);
  const t1 = now();
  // The backend module (and through it the fast kernels) shapes every number too.
  const sources = await hashSources([fileURLToPath(definition.module), fileURLToPath(new URL('../backend/backend.ts', import.meta.url))], root);
  const engine = { backend: backend.name, fastKernels: backend.fastKernels };
  const inputHash = hashJson({ config, sources, data: dataset.hash, engine });
  const baselinePath = snapshotPath(snapshotsDir, definition.id, profile);
  const baseline = await readBaseline(baselinePath, mode, log);

  if (mode === 'update' && !options.force && env.HW2_FORCE !== '1' && baseline?.provenance.inputHash === inputHash) {
    log(`inputs unchanged since the committed snapshot (${inputHash.slice(0, 12)}): skipped`);
    return settle({ snapshot: baseline, baseline, skipped: true, writtenTo: undefined });
  }

  effects.checkpointDir = await checkpointFolder(join(root, '.cache', 'checkpoints', definition.id, profile), inputHash);
  log(`running (${dataset.id}, backend ${backend.name}${backend.fastKernels ? ' + fast kernels' : ''})`);
  const result = await definition.run(config, data, effects);
  const t2 = now();
  assertFinite(definition.id, result);
  const git = gitState(root);
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
      seed: config.seed,
      config,
      dataset,
      sources,
      inputHash,
    },
    metrics: result.metrics,
    curves: result.curves ?? {},
    tables: result.tables ?? {},
    checks: result.checks ?? [],
    timings: {
      startedAt,
      seconds: { data: (t1 - t0) / 1000, run: (t2 - t1) / 1000, total: (t2 - t0) / 1000 },
      values: result.timings?.values ?? {},
      curves: result.timings?.curves ?? {},
    },
  };

  // The gates decide where the snapshot goes: only an update that passes its thresholds replaces the baseline.
  const outcome = settle({ snapshot, baseline, skipped: false, writtenTo: undefined });
  const update = mode === 'update' && outcome.thresholdsPassed;
  outcome.writtenTo = update ? baselinePath : snapshotPath(scratchDir, definition.id, profile);
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
