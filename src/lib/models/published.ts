/**
 * Published models: a trained model as one safetensors file that runs without the experiment that made it.
 *
 * - Tensors: the PyTorch state dict, names and layouts as the checkpoints and the reference fixtures store them:
 *   `encoder.*` and `decoder.*` for Question 3 (AsrModel's parameter tree), `conv1.*` ... `fc3.*` for Question 2
 *   (the homework's CNN). `model.load_state_dict(...)` in the homework's PyTorch modules takes them as they are.
 * - Header `__metadata__` (strings, as the format requires): `format` = PUBLISHED_FORMAT and `model` = the JSON of a
 *   PublishedInfo: the model config, how features are made (Q3: sample rate, frames, log-mel settings), the seed,
 *   and the experiment, profile and run it came from.
 *
 * One file carries weights and config together, so one sha256 names both. Reading validates the metadata with zod
 * and the tensors against the config; every problem is an error naming the file.
 */
import { readdir, readFile, mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { defaultLogMelConfig } from '../audio/log-mel.ts';
import type { LogMelConfig } from '../audio/log-mel.ts';
import { sha256Hex } from '../data/images.ts';
import { writeFileAtomic } from '../fs/atomic.ts';
import { parseSafetensors, parseSafetensorsMetadata, serializeSafetensors } from '../weights/safetensors.ts';
import type { TensorMap } from '../weights/safetensors.ts';
import { createAsrModel, loadPyTorchAsrWeights } from './asr.ts';
import type { AsrModel } from './asr.ts';
import { cnnParameterShapes, cnnStateDict, createCnn, loadCnnStateDict } from './cnn.ts';
import { stateDict } from './layers.ts';

export const PUBLISHED_FORMAT = 'hw2-report published model v1';

/** Where published models live (`<repository>/models/`); `--model NAME` means `<MODELS_DIR>/NAME.safetensors`. */
export const MODELS_DIR = fileURLToPath(new URL('../../../models/', import.meta.url));
/** What `npm run transcribe` runs without --model. */
export const DEFAULT_ASR_MODEL = 'q3-asr/cpu-attention';
/** What `npm run classify` runs without --model. */
export const DEFAULT_CNN_MODEL = 'q2-cnn/full-pooled';

export class PublishedModelError extends Error {
  constructor(source: string, problem: string, options?: { cause?: unknown }) {
    super(`${source}: ${problem}`, options);
    this.name = 'PublishedModelError';
  }
}

// ---------------------------------------------------------------------------------------------------------
// The metadata

const positiveInt = z.number().int().positive();

const sourceSchema = z
  .object({
    experiment: z.string().min(1), // experiment id, e.g. `q3-asr`
    profile: z.string().min(1), // e.g. `cpu`
    run: z.string().min(1).optional(), // which run of the experiment, e.g. `attention` or `pooled-lr0.01`
    snapshot: z.string().min(1).optional(), // the snapshot that quotes the run, e.g. `snapshots/q3-asr/cpu.json`
  })
  .strict();

const asrInfoSchema = z
  .object({
    format: z.literal(PUBLISHED_FORMAT),
    kind: z.literal('asr'),
    config: z
      .object({
        decoder: z.enum(['recurrent', 'attention']),
        vocab: positiveInt, // token classes
        freq: positiveInt, // log-mel bands the encoder takes
        hidden: positiveInt, // model width
        heads: positiveInt, // attention heads
        mlpHidden: positiveInt, // MLP width in every block
        encoderBlocks: positiveInt, // encoder self-attention blocks
        textLength: z.number().int().min(3), // padded token length; greedy decoding makes textLength - 1 steps
        maxTimescale: z.number().positive(), // of the encoder's sinusoids
      })
      .strict(),
    features: z
      .object({
        sampleRate: positiveInt, // Hz the audio had in training; other rates are resampled to it
        frames: z.number().int().min(2), // log-mel frames per example (padded or cropped; longer audio is windowed)
        logMel: z
          .object({
            nFft: positiveInt,
            hopLength: positiveInt,
            nMels: positiveInt,
            melSampleRate: positiveInt,
            fMin: z.number().min(0),
            fMax: z.number().positive().nullable(),
          })
          .strict(),
      })
      .strict(),
    seed: z.number().int(), // the run's seed (initialisation and shuffling)
    source: sourceSchema,
  })
  .strict();

const cnnInfoSchema = z
  .object({
    format: z.literal(PUBLISHED_FORMAT),
    kind: z.literal('cnn'),
    config: z
      .object({
        variant: z.enum(['pooled', 'strided']),
        classes: z.number().int().min(2),
        dropout: z.number().min(0).lt(1), // training only; kept so the config is complete
      })
      .strict(),
    classNames: z.array(z.string().min(1)), // index -> name, as the data set's labels
    seed: z.number().int(),
    source: sourceSchema,
  })
  .strict();

export const publishedInfoSchema = z.discriminatedUnion('kind', [asrInfoSchema, cnnInfoSchema]);

export type PublishedAsrInfo = z.infer<typeof asrInfoSchema>;
export type PublishedCnnInfo = z.infer<typeof cnnInfoSchema>;
export type PublishedInfo = PublishedAsrInfo | PublishedCnnInfo;
export type PublishedSource = z.infer<typeof sourceSchema>;

/** Checks that zod's shapes cannot express: agreements between fields. */
function consistencyProblems(info: PublishedInfo): string[] {
  const problems: string[] = [];
  if (info.kind === 'asr') {
    const { config, features } = info;
    if (features.logMel.nMels !== config.freq) problems.push(`features.logMel.nMels (${features.logMel.nMels}) differs from config.freq (${config.freq})`);
    if (config.hidden % config.heads !== 0) problems.push(`config.hidden (${config.hidden}) is not a multiple of config.heads (${config.heads})`);
  } else if (info.classNames.length !== info.config.classes) {
    problems.push(`classNames has ${info.classNames.length} names for ${info.config.classes} classes`);
  }
  return problems;
}

function validateInfo(value: unknown, source: string): PublishedInfo {
  const parsed = publishedInfoSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    throw new PublishedModelError(source, `model metadata does not match the published-model schema: ${issues.join('; ')}`);
  }
  const problems = consistencyProblems(parsed.data);
  if (problems.length) throw new PublishedModelError(source, `model metadata is inconsistent: ${problems.join('; ')}`);
  return parsed.data;
}

// ---------------------------------------------------------------------------------------------------------
// Writing

/** The file's bytes. Tensors are written in name order, so equal inputs give equal bytes (and equal hashes). */
export function serializePublishedModel(info: PublishedInfo, weights: TensorMap): Uint8Array {
  const checked = validateInfo(info, 'serializePublishedModel');
  if (weights.size === 0) throw new PublishedModelError('serializePublishedModel', 'no tensors to write');
  return serializeSafetensors(weights, { format: PUBLISHED_FORMAT, model: JSON.stringify(checked) });
}

/** Writes atomically (temp file, then rename), creating the folder; returns the file's sha256 and size. */
export async function savePublishedModel(path: string, info: PublishedInfo, weights: TensorMap): Promise<{ sha256: string; bytes: number }> {
  const bytes = serializePublishedModel(info, weights);
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, bytes);
  return { sha256: sha256Hex([bytes]), bytes: bytes.byteLength };
}

export interface AsrPublishOptions {
  frames: number; // log-mel frames per example the model was trained on
  logMel?: Partial<Omit<LogMelConfig, 'frames'>>; // defaults: the homework's (nMels from the model's freq)
  sampleRate?: number; // default 22,050 Hz
  seed: number;
  source: PublishedSource;
}

/** The metadata of a Question 3 model: its config, and the feature settings given (defaults: the homework's). */
export function asrPublishedInfo(model: AsrModel, options: AsrPublishOptions): PublishedAsrInfo {
  const { nFft, hopLength, melSampleRate, fMin, fMax } = { ...defaultLogMelConfig, ...options.logMel };
  const nMels = options.logMel?.nMels ?? model.config.freq;
  return {
    format: PUBLISHED_FORMAT,
    kind: 'asr',
    config: { ...model.config },
    features: { sampleRate: options.sampleRate ?? 22050, frames: options.frames, logMel: { nFft, hopLength, nMels, melSampleRate, fMin, fMax } },
    seed: options.seed,
    source: options.source,
  };
}

export function savePublishedAsr(path: string, model: AsrModel, options: AsrPublishOptions): Promise<{ sha256: string; bytes: number }> {
  return savePublishedModel(path, asrPublishedInfo(model, options), stateDict(model));
}

export interface CnnPublishOptions {
  variant: 'pooled' | 'strided';
  dropout: number;
  classNames: string[];
  seed: number;
  source: PublishedSource;
}

export function savePublishedCnn(path: string, model: tf.LayersModel, options: CnnPublishOptions): Promise<{ sha256: string; bytes: number }> {
  const info: PublishedCnnInfo = {
    format: PUBLISHED_FORMAT,
    kind: 'cnn',
    config: { variant: options.variant, classes: options.classNames.length, dropout: options.dropout },
    classNames: [...options.classNames],
    seed: options.seed,
    source: options.source,
  };
  return savePublishedModel(path, info, cnnStateDict(model));
}

// ---------------------------------------------------------------------------------------------------------
// Reading

export interface PublishedFile {
  info: PublishedInfo;
  weights: TensorMap;
  sha256: string;
}

export function parsePublishedModel(bytes: Uint8Array, source = 'published model'): PublishedFile {
  let metadata: Record<string, string> | null;
  let weights: TensorMap;
  try {
    metadata = parseSafetensorsMetadata(bytes, source);
    weights = parseSafetensors(bytes, source);
  } catch (error) {
    throw new PublishedModelError(source, `not a readable safetensors file (${(error as Error).message.replace(`${source}: `, '')})`, { cause: error });
  }
  if (metadata?.format !== PUBLISHED_FORMAT) {
    const found = metadata?.format === undefined ? 'no format in its metadata' : `format '${metadata.format}'`;
    throw new PublishedModelError(source, `not a published model (${found}; expected '${PUBLISHED_FORMAT}')`);
  }
  let json: unknown;
  try {
    json = JSON.parse(metadata.model ?? '');
  } catch (error) {
    throw new PublishedModelError(source, `the metadata's 'model' entry is not JSON (${(error as Error).message})`);
  }
  return { info: validateInfo(json, source), weights, sha256: sha256Hex([bytes]) };
}

export async function readPublishedModel(path: string): Promise<PublishedFile> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PublishedModelError(path, `cannot read the model (${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)})`, { cause: error });
  }
  return parsePublishedModel(bytes, path);
}

/** sha256 (hex) of a published file's bytes: what snapshots list beside each file. */
export async function publishedModelSha256(path: string): Promise<string> {
  return (await readPublishedModel(path)).sha256;
}

function expectKind<K extends PublishedInfo['kind']>(file: PublishedFile, kind: K, source: string): Extract<PublishedInfo, { kind: K }> {
  if (file.info.kind !== kind) {
    const what = { asr: 'a Question 3 speech recogniser (asr)', cnn: 'a Question 2 image classifier (cnn)' };
    throw new PublishedModelError(source, `is ${what[file.info.kind]}, not ${what[kind]}`);
  }
  return file.info as Extract<PublishedInfo, { kind: K }>;
}

/** Tensors outside `prefixes` (e.g. optimizer moments left in by mistake): a published file holds the model only. */
function strayTensors(weights: TensorMap, accepts: (name: string) => boolean): string[] {
  return [...weights.keys()].filter((name) => !accepts(name));
}

/** The model of a published Question 3 file, its weights loaded (the caller disposes it). */
export function instantiateAsr(file: PublishedFile, source = 'published model'): { info: PublishedAsrInfo; model: AsrModel } {
  const info = expectKind(file, 'asr', source);
  const stray = strayTensors(file.weights, (name) => name.startsWith('encoder.') || name.startsWith('decoder.'));
  if (stray.length) throw new PublishedModelError(source, `tensors outside encoder.* and decoder.*: ${stray.slice(0, 5).join(', ')}${stray.length > 5 ? ', ...' : ''}`);
  const model = createAsrModel(info.config, info.seed);
  try {
    loadPyTorchAsrWeights(model, file.weights, { encoder: 'encoder.', decoder: 'decoder.' }, source);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { info, model };
}

/** The network of a published Question 2 file, its weights loaded, in eval mode when called with predict(). */
export function instantiateCnn(file: PublishedFile, source = 'published model'): { info: PublishedCnnInfo; model: tf.Sequential } {
  const info = expectKind(file, 'cnn', source);
  const names = new Set(cnnParameterShapes(info.config.classes).map(([name]) => name));
  const stray = strayTensors(file.weights, (name) => names.has(name));
  if (stray.length) throw new PublishedModelError(source, `tensors that are not CNN parameters: ${stray.slice(0, 5).join(', ')}${stray.length > 5 ? ', ...' : ''}`);
  // The seed only draws initial weights, which the file's replace; createCnn needs a non-zero one.
  const model = createCnn({ ...info.config, seed: info.seed === 0 ? 1 : info.seed });
  try {
    loadCnnStateDict(model, file.weights);
  } catch (error) {
    model.dispose();
    throw new PublishedModelError(source, (error as Error).message, { cause: error });
  }
  return { info, model };
}

export async function loadPublishedAsr(path: string): Promise<{ info: PublishedAsrInfo; model: AsrModel; sha256: string }> {
  const file = await readPublishedModel(path);
  return { ...instantiateAsr(file, path), sha256: file.sha256 };
}

export async function loadPublishedCnn(path: string): Promise<{ info: PublishedCnnInfo; model: tf.Sequential; sha256: string }> {
  const file = await readPublishedModel(path);
  return { ...instantiateCnn(file, path), sha256: file.sha256 };
}

// ---------------------------------------------------------------------------------------------------------
// Names

/**
 * `--model` argument -> file: a path when it ends in `.safetensors` (relative to `cwd`), otherwise a name under
 * `modelsDir` (`q3-asr/cpu-attention` -> `<modelsDir>/q3-asr/cpu-attention.safetensors`).
 */
export function resolveModelPath(nameOrPath: string, options: { modelsDir?: string; cwd?: string } = {}): string {
  if (nameOrPath.endsWith('.safetensors')) return resolve(options.cwd ?? process.cwd(), nameOrPath);
  const modelsDir = options.modelsDir ?? MODELS_DIR;
  const path = resolve(modelsDir, `${nameOrPath}.safetensors`);
  const inside = relative(modelsDir, path);
  if (inside.startsWith('..') || isAbsolute(inside)) throw new PublishedModelError(nameOrPath, `is not a model name under ${modelsDir}`);
  return path;
}

/** Names of the published files under `modelsDir` (for error messages and `--list`), sorted. */
export async function listPublishedModels(modelsDir = MODELS_DIR): Promise<string[]> {
  const names: string[] = [];
  async function walk(dir: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name.endsWith('.safetensors')) names.push(relative(modelsDir, path).slice(0, -'.safetensors'.length).split(sep).join('/'));
    }
  }
  await walk(modelsDir);
  return names.sort();
}
