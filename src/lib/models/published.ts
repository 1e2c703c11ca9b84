/**
 * Published models: the trained weights the harness publishes beside a snapshot, and what it takes to run them.
 *
 * When an experiment's snapshot is written in update mode, the runner copies each part's final weights to
 * `models/<experiment>/<profile>/<name>.safetensors` (a plain safetensors state dict with PyTorch's names and
 * layouts: `encoder.*` / `decoder.*` for Question 3, `conv1.*` ... `fc3.*` for Question 2) and lists the file in
 * the snapshot's `artifacts` with its sha256, seed, part and a description of the model. The snapshot is the
 * file's manifest: the model config is built from it here (artifact description + the run's resolved config),
 * so weights and the numbers they produced are named by the same snapshot.
 *
 * This module does no file work (the report's page runs it too); ./published-files.ts finds, hashes and reads.
 */
import { z } from 'zod';
import { defaultLogMelConfig } from '../audio/log-mel.ts';
import type { LogMelConfig } from '../audio/log-mel.ts';
import type { Artifact, Snapshot } from '../snapshot-schema.ts';
import type { AsrModelConfig } from './asr.ts';
import { asrModelConfig } from './asr.ts';
import type { CnnModelConfig } from './cnn.ts';
import { cnnModelConfig } from './cnn.ts';

/**
 * What `npm run transcribe` runs without --model: the multi-engine run's attention decoder (espeak-ng and Flite
 * voices with augmentation: issue 18 point 5). The espeak-only listening models stay published beside it.
 */
export const DEFAULT_ASR_MODEL = 'q3-asr/multi-engine/attention';
/** What `npm run classify` runs without --model: the full tier's max-pooling network at its chosen rate. */
export const DEFAULT_CNN_MODEL = 'q2-cnn/full/pooled-lr0.01';

/** The sample rate every Question 3 experiment trains at (speech-corpus.ts refuses other rates). */
const ASR_SAMPLE_RATE = 22050;

export class PublishedModelError extends Error {
  constructor(source: string, problem: string, options?: { cause?: unknown }) {
    super(`${source}: ${problem}`, options);
    this.name = 'PublishedModelError';
  }
}

/** Where a published model came from. */
export interface PublishedSource {
  experiment: string;
  profile: string;
  /** The artifact's name, e.g. `attention` or `pooled-lr0.01`; `<experiment>/<profile>/<name>` is the model name. */
  name: string;
  part: string;
  /** Project-relative path of the weights. */
  file: string;
  sha256: string;
  bytes: number;
}

/** How a Question 3 model's input is made from audio. */
export interface AsrFeatures {
  sampleRate: number; // Hz the audio had in training; other rates are resampled to it
  frames: number; // log-mel frames per example (padded or cropped; longer audio is windowed)
  logMel: Omit<LogMelConfig, 'frames'>;
}

export interface PublishedAsrInfo {
  kind: 'asr';
  config: AsrModelConfig;
  features: AsrFeatures;
  seed: number;
  source: PublishedSource;
}

export interface PublishedCnnInfo {
  kind: 'cnn';
  config: CnnModelConfig;
  /** index -> name, as the data set's labels (the snapshot's tables.classes). */
  classNames: string[];
  learningRate: number;
  dataset: string;
  seed: number;
  source: PublishedSource;
}

export type PublishedInfo = PublishedAsrInfo | PublishedCnnInfo;

// Descriptions as experiments/q3/training.ts (trainDecoderPart) and experiments/q2/cnn.ts write them. Extra keys
// are allowed: a description may grow without breaking the loading of older files.
// A Question 3 description is the model config whole (./asr.ts), under its own names, and the seed; every size must
// be there (the config's defaults are the homework's, never a published file's). Files published before the config
// was written whole lack `maxTimescale`, which the run's resolved config (provenance.config) holds under that name.
const { shape: asrShape } = asrModelConfig;
const asrDescription = z.object({
  decoder: asrShape.decoder,
  nMels: asrShape.nMels.removeDefault(),
  frames: asrShape.frames.removeDefault(),
  textLength: asrShape.textLength.removeDefault(),
  hidden: asrShape.hidden.removeDefault(),
  heads: asrShape.heads.removeDefault(),
  mlpHidden: asrShape.mlpHidden.removeDefault(),
  encoderBlocks: asrShape.encoderBlocks.removeDefault(),
  maxTimescale: asrShape.maxTimescale.removeDefault().optional(),
  attention: asrShape.attention,
  recompute: asrShape.recompute,
  seed: z.number().int(),
});
// A Question 2 description is the model config whole (./cnn.ts; its dropout without the homework's default), and the run.
const cnnDescription = cnnModelConfig.extend({
  dropout: cnnModelConfig.shape.dropout.removeDefault(),
  learningRate: z.number().positive(),
  seed: z.number().int(),
  dataset: z.string(),
});
const classRows = z.array(z.object({ index: z.number().int().min(0), name: z.string().min(1) }).passthrough());

function parsed<T>(schema: z.ZodType<T>, value: unknown, what: string, source: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${[what, ...issue.path].join('.')}: ${issue.message}`);
  throw new PublishedModelError(source, `cannot build the model config: ${issues.join('; ')}`);
}

/** `q3-asr/listening/attention` -> its parts; anything else is an error naming the name. */
export function parseModelName(name: string): { experiment: string; profile: string; name: string } {
  const parts = name.split('/');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(part))) {
    throw new PublishedModelError(name, 'is not a model name: expected <experiment>/<profile>/<name>, e.g. q3-asr/listening/attention');
  }
  return { experiment: parts[0], profile: parts[1], name: parts[2] };
}

/** Project-relative path of a model's weights. */
export function modelFile(name: string): string {
  const { experiment, profile, name: artifact } = parseModelName(name);
  return `models/${experiment}/${profile}/${artifact}.safetensors`;
}

/** Project-relative path of the snapshot that publishes a model. */
export function modelSnapshotFile(name: string): string {
  const { experiment, profile } = parseModelName(name);
  return `snapshots/${experiment}/${profile}.json`;
}

/** The command that writes a model's weights and its snapshot. */
export function publishCommand(name: string): string {
  const { experiment, profile } = parseModelName(name);
  return `npx tsx scripts/experiment.ts ${experiment} ${profile} --update`;
}

/** The artifact a snapshot lists for `file` (project-relative), or an error saying what it lists instead. */
export function findArtifact(snapshot: Snapshot, file: string, snapshotSource: string): Artifact {
  const artifacts = snapshot.artifacts ?? [];
  const artifact = artifacts.find((candidate) => candidate.file === file);
  if (artifact) return artifact;
  const listed = artifacts.length
    ? `it lists ${artifacts.map((candidate) => candidate.file).join(', ')}`
    : 'it lists no published weights (written before publishing, or by a run in check mode)';
  throw new PublishedModelError(snapshotSource, `does not list ${file}; ${listed}`);
}

/**
 * The model a published file holds, from the snapshot that lists it: Question 3 when the description names a
 * decoder, Question 2 when it names a variant. `source` names the weights in errors.
 */
export function publishedInfo(snapshot: Snapshot, artifact: Artifact, source = artifact.file): PublishedInfo {
  const from: PublishedSource = {
    experiment: snapshot.experiment,
    profile: snapshot.profile,
    name: artifact.name,
    part: artifact.part,
    file: artifact.file,
    sha256: artifact.sha256,
    bytes: artifact.bytes,
  };
  const { description } = artifact;
  if ('decoder' in description) {
    const { seed, ...d } = parsed(asrDescription, description, 'description', source);
    const maxTimescale =
      d.maxTimescale ?? parsed(asrShape.maxTimescale.removeDefault(), snapshot.provenance.config.maxTimescale, 'provenance.config.maxTimescale', source);
    const config: AsrModelConfig = { ...d, maxTimescale };
    if (config.hidden % config.heads !== 0)
      throw new PublishedModelError(source, `description.hidden (${config.hidden}) is not a multiple of description.heads (${config.heads})`);
    const { frames: _frames, ...logMel } = { ...defaultLogMelConfig, nMels: d.nMels };
    return { kind: 'asr', config, features: { sampleRate: ASR_SAMPLE_RATE, frames: d.frames, logMel }, seed, source: from };
  }
  if ('variant' in description) {
    const d = parsed(cnnDescription, description, 'description', source);
    const rows = parsed(classRows, snapshot.tables.classes, 'tables.classes', source);
    const sorted = [...rows].sort((a, b) => a.index - b.index);
    if (sorted.length !== d.classes || sorted.some((row, i) => row.index !== i)) {
      throw new PublishedModelError(source, `the snapshot's tables.classes (${rows.length} rows) does not name classes 0..${d.classes - 1} once each`);
    }
    const classNames = sorted.map((row) => row.name);
    return {
      kind: 'cnn',
      config: cnnModelConfig.parse(d), // the model config picked out whole
      classNames,
      learningRate: d.learningRate,
      dataset: d.dataset,
      seed: d.seed,
      source: from,
    };
  }
  throw new PublishedModelError(
    source,
    `the snapshot's description of the file names neither a decoder (Question 3) nor a variant (Question 2): ${JSON.stringify(description)}`,
  );
}
