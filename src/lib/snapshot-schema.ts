/**
 * The snapshot contract: one JSON file per experiment and profile, `snapshots/<id>/<profile>.json`, written by
 * the harness (src/lib/harness/snapshot.ts does the file work) and read by the site. This zod schema is the
 * single definition of that file; nothing here touches the file system.
 *
 * Everything measured with a clock lives under `timings`, so two runs with the same seeds and backend compare
 * equal once `timings` is set aside. `metrics`, `curves`, `tables` and `checks` are those of the profile's first
 * seed (the one the pages show); `seeds` holds every seed's metrics and curves with their spread.
 */
import { z } from 'zod';

export const snapshotSchemaVersion = 1;

const cell = z.union([z.number(), z.string(), z.boolean(), z.null()]);
const row = z.record(z.string(), cell);
const rows = z.array(row);

/** A row of a curve or table: plain values only, so snapshots stay JSON. */
export type Row = z.infer<typeof row>;

const provenanceSchema = z.object({
  /** The checkout when the run started; `allowDirty`: written from uncommitted sources on request (HW2_ALLOW_DIRTY). */
  git: z.object({ commit: z.string(), dirty: z.boolean(), allowDirty: z.boolean().optional() }),
  node: z.string(),
  tfjs: z.object({
    version: z.string(),
    backend: z.string(),
    tfjsBackend: z.string(),
    fastKernels: z.boolean(),
  }),
  cpu: z.string(),
  /** The seed the pages show (the profile's first). */
  seed: z.number().int(),
  /** Every seed the profile ran. */
  seeds: z.array(z.number().int()).optional(),
  config: z.record(z.string(), z.unknown()),
  dataset: z.object({ id: z.string(), description: z.string(), hash: z.string() }),
  /**
   * Everything the numbers are made of: project-relative path -> sha256 of every file the run's modules import or
   * read by path, and `npm:<package>` -> sha256 of `<package>@<version>` for every package they import and every
   * package those depend on at run time (src/lib/harness/packages.ts).
   */
  sources: z.record(z.string(), z.string()),
  /** sha256 of config + seeds + sources + data hash + engine: equal hashes mean the run would repeat itself. */
  inputHash: z.string(),
});

const checkSchema = z.object({
  /** Stable kebab-case id the write-up refers to; `name` may carry run parameters. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  name: z.string(),
  passed: z.boolean(),
  tolerance: z.number(),
  worstError: z.number(),
});

/** n, mean, sample sd, range and the 95% Student-t interval of the mean (sd and interval null for one value). */
export const summarySchema = z.object({
  n: z.number().int(),
  mean: z.number(),
  sd: z.number().nullable(),
  min: z.number(),
  max: z.number(),
  low: z.number().nullable(),
  high: z.number().nullable(),
});

export const seedsSchema = z.object({
  list: z.array(z.number().int()),
  shown: z.number().int(),
  perSeed: z.array(z.object({ seed: z.number().int(), metrics: z.record(z.string(), z.number()), curves: z.record(z.string(), rows) })),
  /** Per metric, over seeds. */
  aggregates: z.record(z.string(), summarySchema),
  /** Paired differences a - b by seed, as the write-up compares them. */
  comparisons: z.array(summarySchema.extend({ id: z.string(), description: z.string(), a: z.string(), b: z.string(), perSeed: z.array(z.number()) })),
});

/** A published file (trained weights) of the shown seed, committed under `models/`. */
export const artifactSchema = z.object({
  name: z.string(),
  /** Project-relative path of the published file. */
  file: z.string(),
  sha256: z.string(),
  bytes: z.number().int(),
  seed: z.number().int(),
  part: z.string(),
  description: z.record(z.string(), cell),
});

/**
 * A vouching that this snapshot still stands for changed sources: the code at `toInputHash` reran the
 * experiment's smoke profile and reproduced its committed smoke snapshot exactly (`vouchedBy`).
 */
export const attestationSchema = z.object({
  fromInputHash: z.string(),
  toInputHash: z.string(),
  /** Project-relative path -> sha256 at `toInputHash`, so the site can check the attested sources too. */
  sources: z.record(z.string(), z.string()),
  commit: z.string(),
  date: z.string(),
  vouchedBy: z.object({ experiment: z.string(), profile: z.string(), snapshotHash: z.string() }),
});

export const snapshotSchema = z.object({
  schemaVersion: z.literal(snapshotSchemaVersion),
  experiment: z.string(),
  title: z.string(),
  profile: z.string(),
  provenance: provenanceSchema,
  metrics: z.record(z.string(), z.number()),
  curves: z.record(z.string(), rows),
  tables: z.record(z.string(), rows),
  checks: z.array(checkSchema),
  seeds: seedsSchema.optional(),
  artifacts: z.array(artifactSchema).optional(),
  attestations: z.array(attestationSchema).optional(),
  timings: z.object({
    startedAt: z.string(),
    /** Seconds per phase: `data`, `run`, `total`. */
    seconds: z.record(z.string(), z.number()),
    values: z.record(z.string(), z.number()),
    curves: z.record(z.string(), rows),
  }),
});

export type Snapshot = z.infer<typeof snapshotSchema>;
export type SeedsSummary = z.infer<typeof seedsSchema>;
export type Summary = z.infer<typeof summarySchema>;
export type Artifact = z.infer<typeof artifactSchema>;
export type Attestation = z.infer<typeof attestationSchema>;

/**
 * The measured seed-to-seed spread of a CI profile's gated metrics (`npm run experiments:calibrate`), kept at
 * `snapshots/<id>/calibration/<profile>.json`. The baseline gate's tolerance for a metric becomes
 * max(`sdMultiple` x sd, the declared tolerance): wide enough that a reseed passes, narrow enough that a real
 * drop fails.
 */
export const calibrationSchema = z.object({
  experiment: z.string(),
  profile: z.string(),
  seeds: z.array(z.number().int()).min(2),
  date: z.string(),
  commit: z.string(),
  backend: z.string(),
  sdMultiple: z.number().positive(),
  metrics: z.record(z.string(), summarySchema),
});

export type Calibration = z.infer<typeof calibrationSchema>;
