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
import { summarize } from './stats/summary.ts';

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

const partTimesSchema = z.array(z.object({ seed: z.number().int(), part: z.string(), seconds: z.number().nullable(), sessions: z.number().int() }));

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
    /**
     * Each part's wall time summed over every process that worked on it (a resumed part has several sessions),
     * seed by seed; null for a part finished before parts' times were kept. Absent from older snapshots.
     */
    parts: partTimesSchema.optional(),
  }),
});

export type Snapshot = z.infer<typeof snapshotSchema>;
export type SeedsSummary = z.infer<typeof seedsSchema>;
export type Summary = z.infer<typeof summarySchema>;
export type PartTimes = z.infer<typeof partTimesSchema>;
export type Artifact = z.infer<typeof artifactSchema>;
export type Attestation = z.infer<typeof attestationSchema>;

/** The layout of calibration files; version 1 kept only the summaries, not the values they were computed from. */
export const calibrationSchemaVersion = 2;

/** How many measured sds a calibrated band spans: a policy of the harness, so a file cannot widen it. */
export const calibrationSdMultiple = 3;

/** A calibrated metric: each seed's value, in the order of the calibration's `seeds`, and their summary. */
const calibratedMetricSchema = summarySchema.extend({ values: z.array(z.number()) }).strict();

/**
 * The measured seed-to-seed spread of a CI profile's gated metrics (`npm run experiments:calibrate`), kept at
 * `snapshots/<id>/calibration/<profile>.json`. The baseline gate's tolerance for a metric becomes
 * max(`sdMultiple` x sd, the declared tolerance): wide enough that a reseed passes, narrow enough that a real
 * drop fails. Since a wider band hides regressions, the file is not taken on trust: every summary must be what its
 * per-seed values give (an edited sd is refused, naming the metric), and the band applies only to runs under the
 * inputs it was measured under (`partsHash`; src/lib/harness/gates.ts).
 */
export const calibrationSchema = z
  .object({
    schemaVersion: z.literal(calibrationSchemaVersion),
    experiment: z.string(),
    profile: z.string(),
    seeds: z.array(z.number().int()).min(2),
    date: z.string(),
    commit: z.string(),
    backend: z.string(),
    /**
     * The input hash of the measured runs with their seed list set aside (the runner's parts hash over config,
     * sources, data set and engine), which a CI run of the same inputs shares whatever seeds it runs.
     */
    partsHash: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in hex'),
    sdMultiple: z.literal(calibrationSdMultiple),
    metrics: z.record(z.string(), calibratedMetricSchema),
  })
  .strict()
  .superRefine((calibration, context) => {
    for (const [metric, recorded] of Object.entries(calibration.metrics)) {
      const path = ['metrics', metric];
      if (recorded.values.length !== calibration.seeds.length) {
        context.addIssue({ code: 'custom', path: [...path, 'values'], message: `${recorded.values.length} values for ${calibration.seeds.length} seeds` });
        continue;
      }
      const recomputed = summarize(recorded.values);
      const scale = Math.max(1, ...recorded.values.map(Math.abs));
      for (const field of ['n', 'mean', 'sd', 'min', 'max', 'low', 'high'] as const) {
        if (!sameRounded(recorded[field], recomputed[field], scale))
          context.addIssue({ code: 'custom', path: [...path, field], message: `${recorded[field]} is not the ${field} of its values (${recomputed[field]})` });
      }
    }
  });

/**
 * Equal up to the 10 significant digits files keep (relative 5e-10, with room for the last bit), plus a floor
 * relative to the values' size for quantities near zero (an sd of values that are equal but for their last digit).
 */
function sameRounded(recorded: number | null, recomputed: number | null, scale: number): boolean {
  if (recorded === null || recomputed === null) return recorded === recomputed;
  return Math.abs(recorded - recomputed) <= 1e-9 * Math.max(Math.abs(recorded), Math.abs(recomputed)) + 1e-12 * scale;
}

export type Calibration = z.infer<typeof calibrationSchema>;
