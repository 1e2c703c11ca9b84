/**
 * The snapshot: one JSON file per experiment and profile, `snapshots/<id>/<profile>.json`. This zod schema is
 * the single contract between the harness (which writes) and the site (which reads through the content
 * collection). Everything measured with a clock lives under `timings`, so two runs with the same seed and
 * backend compare equal once `timings` is set aside.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { z } from 'zod';

export const snapshotSchemaVersion = 1;

const cell = z.union([z.number(), z.string(), z.boolean(), z.null()]);
const row = z.record(z.string(), cell);
const rows = z.array(row);

export const provenanceSchema = z.object({
  git: z.object({ commit: z.string(), dirty: z.boolean() }),
  node: z.string(),
  tfjs: z.object({
    version: z.string(),
    backend: z.string(),
    tfjsBackend: z.string(),
    fastKernels: z.boolean(),
  }),
  cpu: z.string(),
  seed: z.number().int(),
  config: z.record(z.string(), z.unknown()),
  dataset: z.object({ id: z.string(), description: z.string(), hash: z.string() }),
  /** Project-relative path -> sha256 of every source file in the experiment's import graph. */
  sources: z.record(z.string(), z.string()),
  /** sha256 of config + sources + data hash: equal hashes mean the run would repeat itself. */
  inputHash: z.string(),
});

export const checkSchema = z.object({
  /** Stable kebab-case id the write-up refers to; `name` may carry run parameters. */
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  name: z.string(),
  passed: z.boolean(),
  tolerance: z.number(),
  worstError: z.number(),
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
  timings: z.object({
    startedAt: z.string(),
    /** Seconds per phase: `data`, `run`, `total`. */
    seconds: z.record(z.string(), z.number()),
    values: z.record(z.string(), z.number()),
    curves: z.record(z.string(), rows),
  }),
});

export type Snapshot = z.infer<typeof snapshotSchema>;
export type Provenance = z.infer<typeof provenanceSchema>;

export class SnapshotError extends Error {
  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = 'SnapshotError';
  }
}

/** Where an experiment's snapshot lives below a snapshots folder. */
export function snapshotPath(folder: string, experiment: string, profile: string): string {
  return join(folder, experiment, `${profile}.json`);
}

export function parseSnapshot(text: string, path: string): Snapshot {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SnapshotError(path, `not valid JSON (${(error as Error).message})`);
  }
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new SnapshotError(path, `does not match the snapshot schema: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** The committed snapshot, or undefined when there is none yet. */
export async function readSnapshot(path: string): Promise<Snapshot | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseSnapshot(text, path);
}

/** Significant digits kept for every non-integer number: enough for any metric, stable across platforms' last bits. */
export const significantDigits = 10;

/**
 * Canonical text: the schema's top-level order, every record's keys sorted, every table row's columns in
 * the order the experiment wrote them, non-integers rounded to `significantDigits`.
 */
export function formatSnapshot(snapshot: Snapshot): string {
  // Round first (NaN becomes null), then let the schema validate and put the top level in its order.
  const ordered = snapshotSchema.parse(canonical(snapshot, 'top'));
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

type Where = 'top' | 'record' | 'row';

function canonical(value: unknown, where: Where): unknown {
  if (typeof value === 'number') return round(value);
  if (Array.isArray(value)) return value.map((item) => canonical(item, isPlainObject(item) ? 'row' : 'record'));
  if (!isPlainObject(value)) return value;
  const keys = where === 'record' ? Object.keys(value).sort() : Object.keys(value);
  // Below the top level, every object is a record (sorted) unless it is a row of a curve or table.
  return Object.fromEntries(keys.map((key) => [key, canonical(value[key], 'record')]));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function round(value: number): number | null {
  if (!Number.isFinite(value)) return null; // JSON has no NaN/Infinity; a diverged value is recorded as null
  if (Number.isInteger(value)) return value;
  return Number(value.toPrecision(significantDigits));
}

/** Writes atomically: a temp file in the same folder, then rename, so a crash never leaves half a snapshot. */
export async function writeSnapshot(path: string, snapshot: Snapshot): Promise<void> {
  await writeFileAtomic(path, formatSnapshot(snapshot));
}

export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const temp = join(folder, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(temp, content);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
