/**
 * What an experiment is: an id, a typed config with named profiles, gates, and a `run` that returns plain
 * data. Definitions live in `experiments/` and import nothing from Vitest; the suites in `test/experiments/`
 * run them through the harness (`runExperiment`).
 */
import type { z } from 'zod';
import type { BackendInfo } from '../backend/backend.ts';

/** A row of a curve or table: plain values only, so snapshots stay JSON. */
export type Row = Record<string, number | string | boolean | null>;

export interface Progress {
  /** Advance by `steps` (default 1); `status` is a short text such as `loss 0.412`. */
  tick(steps?: number, status?: string): void;
  done(status?: string): void;
}

/** Side effects handed to `run`, so runs in tests are silent and deterministic. */
export interface RunEffects {
  log(line: string): void;
  progress(label: string, total: number): Progress;
  /** Milliseconds, for timings only; never feeds a result that must be deterministic. */
  now(): number;
  /** A folder for generated data and caches shared by every run of the project (corpora, features). */
  cacheDir: string;
  /**
   * A folder for this experiment, profile and input hash: checkpoints written here are resumed by a run with
   * the same inputs only, so changed code or config never continues from a stale checkpoint.
   */
  checkpointDir: string;
  backend: BackendInfo;
}

export interface DatasetInfo {
  /** Short stable id, e.g. `fashion-mnist-fixture`, `octmnist`, `synthetic-brown-espeak`. */
  id: string;
  description: string;
  /** Content hash (sha256 hex) of exactly the data the run read. */
  hash: string;
}

/** What `data` hands to `run`: the loaded data and what it is, for provenance. */
export interface LoadedData<Data> {
  dataset: DatasetInfo;
  data: Data;
}

export interface RunResult {
  /** Deterministic numbers: the same seed and backend give the same values. */
  metrics: Record<string, number>;
  curves?: Record<string, Row[]>;
  tables?: Record<string, Row[]>;
  /** Executable checks of derivations: what was checked, the tolerance, the worst error seen. */
  checks?: Check[];
  /** Anything measured with a clock (seconds, images/s, slopes of measured cost): excluded from determinism. */
  timings?: { values?: Record<string, number>; curves?: Record<string, Row[]> };
  /** Source files the run read beyond the experiment's import graph (e.g. a data loader chosen at run time). */
  extraSources?: string[];
}

export interface Check {
  /** Stable kebab-case id, for the write-up to refer to. */
  id: string;
  name: string;
  passed: boolean;
  tolerance: number;
  /** The largest error observed. */
  worstError: number;
}

export interface Threshold {
  /** A key of `metrics` or of `timings.values`. */
  metric: string;
  op: '>=' | '<=';
  value: number;
  /** Where the number comes from: the measured run and the margin. */
  why: string;
}

export interface Tolerance {
  /** `higher`: only a drop beyond the tolerance fails; `lower`: only a rise; `equal`: any change beyond it. */
  direction: 'higher' | 'lower' | 'equal';
  /** Absolute tolerance. */
  tolerance: number;
}

export interface ExperimentDefinition<Schema extends z.ZodTypeAny = z.ZodTypeAny, Data = unknown> {
  id: string;
  title: string;
  /** `import.meta.url` of the definition: the start of the import graph hashed into provenance. */
  module: string;
  /** Zod object with defaults for every field; `.strict()` so unknown keys are rejected. */
  config: Schema;
  /** Named overrides of the defaults, e.g. `smoke`, `full`. */
  profiles: Record<string, Partial<z.input<Schema>>>;
  /** Per profile: absolute gates asserted in the suite. */
  thresholds: Record<string, Threshold[]>;
  /** Per metric: how far it may move against the committed baseline snapshot. */
  baseline: Record<string, Tolerance>;
  /**
   * Loads (or generates) the data and says what it is. Runs before `run`, so the input hash (config, sources,
   * data hash) is known before any training: the update command skips experiments whose hash is unchanged.
   */
  data(config: z.output<Schema>, effects: RunEffects): Promise<LoadedData<Data>>;
  run(config: z.output<Schema>, data: Data, effects: RunEffects): Promise<RunResult>;
}

export function defineExperiment<Schema extends z.ZodTypeAny, Data>(
  definition: ExperimentDefinition<Schema, Data>,
): ExperimentDefinition<Schema, Data> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(definition.id)) throw new Error(`experiment id '${definition.id}' must be kebab-case`);
  for (const profile of Object.keys(definition.thresholds)) {
    if (!(profile in definition.profiles)) throw new Error(`${definition.id}: thresholds for unknown profile '${profile}'`);
  }
  return definition;
}

/** Resolves a profile's config: defaults, then the profile, validated (unknown keys and wrong types rejected). */
export function resolveConfig<Schema extends z.ZodTypeAny>(definition: ExperimentDefinition<Schema, unknown>, profile: string): z.output<Schema> {
  const overrides = definition.profiles[profile];
  if (!overrides) {
    throw new Error(`${definition.id}: no profile '${profile}' (profiles: ${Object.keys(definition.profiles).join(', ')})`);
  }
  const parsed = definition.config.safeParse(overrides);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`${definition.id}, profile '${profile}': invalid config: ${problems.join('; ')}`);
  }
  if (!Number.isInteger(parsed.data?.seed)) throw new Error(`${definition.id}: every config needs an integer 'seed'`);
  return parsed.data;
}
