/**
 * What an experiment is: an id, a typed config with named profiles, gates, and a `run` that returns plain
 * data. Definitions live in `experiments/` and import nothing from Vitest; the suites in `test/experiments/`
 * run them through the harness (`runExperiment`).
 */
import type { z } from 'zod';
import type { BackendInfo } from '../backend/backend.ts';
import type { DatasetInfo } from '../data/dataset-info.ts';
import type { Effects } from '../effects.ts';
import type { Row } from '../snapshot-schema.ts';

/** The library's effects, plus where this run keeps its checkpoints and which backend computes. */
export interface RunEffects extends Effects {
  /**
   * A folder for this experiment, profile, seed and part: checkpoints written here are resumed by a run with the
   * same inputs only, so changed code or config never continues from a stale checkpoint.
   */
  checkpointDir: string;
  backend: BackendInfo;
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
  /** The parts whose artifacts are published (default: every part's). */
  publish?: string[];
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

/** A paired comparison the write-up makes: metric `a` minus metric `b`, seed by seed. */
export interface Comparison {
  id: string;
  description: string;
  a: string;
  b: string;
}

/** A file a run produced that is published beside its snapshot (e.g. trained weights). */
export interface ArtifactFile {
  /** Stable name, e.g. `pooled-lr0.01`; the published file is `<name><extension of path>`. */
  name: string;
  /** Where the run wrote it (inside its checkpoint folder). */
  path: string;
  /** What it holds, for the snapshot's list (model config and the like). */
  description: Record<string, string | number | boolean | null>;
}

/**
 * What one part of a run returns: plain JSON, stored in the part's folder so a finished part is never run
 * twice for the same inputs, and so parts can run in other processes (and, merged, on other machines).
 */
export type PartResult = { artifacts?: ArtifactFile[] } & Record<string, unknown>;

interface DefinitionBase<Schema extends z.ZodTypeAny, Data> {
  id: string;
  title: string;
  /** `import.meta.url` of the definition: the start of the import graph hashed into provenance. */
  module: string;
  /** Zod object with defaults for every field; `.strict()` so unknown keys are rejected. */
  config: Schema;
  /**
   * Named overrides of the defaults, e.g. `smoke`, `full`. `seeds` lists the seeds the profile runs (default: the
   * config's `seed` alone); the first is the one the pages show.
   */
  profiles: Record<string, Partial<z.input<Schema>> & { seeds?: number[] }>;
  /** Per profile: absolute gates asserted in the suite. */
  thresholds: Record<string, Threshold[]>;
  /** Per metric: how far it may move against the committed baseline snapshot. */
  baseline: Record<string, Tolerance>;
  /**
   * The profile CI runs (default `smoke`): its gates are calibrated from measured seed spread, and a rerun of it
   * that reproduces its committed snapshot vouches for the other profiles after a refactor. `null`: none (the
   * experiment measures time, so no rerun reproduces it).
   */
  ciProfile?: string | null;
  /** Differences the write-up states, computed per seed and summarised with their interval. */
  comparisons?(config: z.output<Schema>): Comparison[];
  /**
   * Loads (or generates) the data and says what it is. Runs before `run`, so the input hash (config, sources,
   * data hash) is known before any training: the update command skips experiments whose hash is unchanged.
   */
  data(config: z.output<Schema>, effects: RunEffects): Promise<LoadedData<Data>>;
}

/** An experiment that runs as one piece per seed. */
export interface WholeExperiment<Schema extends z.ZodTypeAny = z.ZodTypeAny, Data = unknown> extends DefinitionBase<Schema, Data> {
  run(config: z.output<Schema>, data: Data, effects: RunEffects): Promise<RunResult>;
}

/**
 * An experiment made of independent parts (a network at a learning rate, a decoder, a fold of a decoder): each part
 * of each seed can run in its own worker process; `assemble` turns one seed's part results into its result.
 *
 * A part is data (`Part`), and its result is typed (`Result`) from `runPart` to `assemble`: the harness names each
 * part once (`partName`) for its folder and its log, and never hands a name back to the definition to parse.
 */
export interface PartedExperiment<Schema extends z.ZodTypeAny = z.ZodTypeAny, Data = unknown, Part = unknown, Result extends PartResult = PartResult>
  extends DefinitionBase<Schema, Data> {
  parts(config: z.output<Schema>): readonly Part[];
  /**
   * The part's folder and job name: lower-case letters, digits, '.' and '-', one per part. Default: the part itself,
   * for parts that are strings.
   */
  partName?(part: Part): string;
  /**
   * The parts of the same seed that `part` starts from (e.g. one pre-training that every fold's fine-tuning
   * continues): the runner starts `part` only after they finished, and `part` reads their results with
   * `dependencyResult` (parts.ts). Default: none, every part independent.
   */
  dependsOn?(config: z.output<Schema>, part: Part): readonly Part[];
  runPart(config: z.output<Schema>, data: Data, part: Part, effects: RunEffects): Promise<Result>;
  assemble(config: z.output<Schema>, data: Data, results: PartResults<Part, Result>): RunResult | Promise<RunResult>;
}

/** One seed's finished parts, as `assemble` reads them: each part's result, as its `runPart` returned it. */
export interface PartResults<Part, Result> {
  /** `part`'s result; an error names the part when it has none. */
  of(part: Part): Result;
}

export type ExperimentDefinition<Schema extends z.ZodTypeAny = z.ZodTypeAny, Data = unknown> = WholeExperiment<Schema, Data> | PartedExperiment<Schema, Data>;

export function isParted<Schema extends z.ZodTypeAny, Data>(definition: ExperimentDefinition<Schema, Data>): definition is PartedExperiment<Schema, Data> {
  return 'runPart' in definition;
}

export function defineExperiment<Schema extends z.ZodTypeAny, Data>(definition: WholeExperiment<Schema, Data>): WholeExperiment<Schema, Data>;
export function defineExperiment<Schema extends z.ZodTypeAny, Data, Part, Result extends PartResult>(
  definition: PartedExperiment<Schema, Data, Part, Result>,
): PartedExperiment<Schema, Data, Part, Result>;
export function defineExperiment<Schema extends z.ZodTypeAny, Data>(definition: ExperimentDefinition<Schema, Data>): ExperimentDefinition<Schema, Data> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(definition.id)) throw new Error(`experiment id '${definition.id}' must be kebab-case`);
  for (const profile of Object.keys(definition.thresholds)) {
    if (!(profile in definition.profiles)) throw new Error(`${definition.id}: thresholds for unknown profile '${profile}'`);
  }
  return definition;
}

/** The profile CI runs: `smoke` unless the definition names another, null for none. */
export function ciProfileOf(definition: ExperimentDefinition): string | null {
  return definition.ciProfile === undefined ? 'smoke' : definition.ciProfile;
}

/** A profile's config (defaults, then the profile, validated; `seed` is the first seed) and its seeds. */
export function resolveProfile<Schema extends z.ZodTypeAny>(
  definition: ExperimentDefinition<Schema, unknown>,
  profile: string,
): { config: z.output<Schema>; seeds: number[] } {
  const overrides = definition.profiles[profile];
  if (!overrides) {
    throw new Error(`${definition.id}: no profile '${profile}' (profiles: ${Object.keys(definition.profiles).join(', ')})`);
  }
  const { seeds, ...rest } = overrides;
  if (seeds !== undefined && (seeds.length === 0 || !seeds.every(Number.isInteger) || new Set(seeds).size !== seeds.length)) {
    throw new Error(`${definition.id}, profile '${profile}': seeds must be distinct integers, got [${seeds.join(', ')}]`);
  }
  const parsed = definition.config.safeParse(seeds ? { ...rest, seed: seeds[0] } : rest);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(`${definition.id}, profile '${profile}': invalid config: ${problems.join('; ')}`);
  }
  if (!Number.isInteger(parsed.data?.seed)) throw new Error(`${definition.id}: every config needs an integer 'seed'`);
  return { config: parsed.data, seeds: seeds ?? [parsed.data.seed] };
}

/** A profile's config for its first seed. */
export function resolveConfig<Schema extends z.ZodTypeAny>(definition: ExperimentDefinition<Schema, unknown>, profile: string): z.output<Schema> {
  return resolveProfile(definition, profile).config;
}
