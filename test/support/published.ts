/**
 * Publishing a model the way the harness does, into a temporary root: the weights as a plain safetensors state
 * dict under `models/<experiment>/<profile>/<name>.safetensors`, listed with their sha256 in
 * `snapshots/<experiment>/<profile>.json` (a toy snapshot carrying the run's config and, for Q2, the class names).
 * Several calls on one root and snapshot add to its artifacts.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { AsrModel } from '../../src/lib/models/asr.ts';
import { cnnStateDict } from '../../src/lib/models/cnn.ts';
import { stateDict } from '../../src/lib/models/layers.ts';
import type { Artifact, Row, Snapshot } from '../../src/lib/snapshot-schema.ts';
import { serializeSafetensors } from '../../src/lib/weights/safetensors.ts';
import type { TensorMap } from '../../src/lib/weights/safetensors.ts';
import { toySnapshot } from './snapshots.ts';

export interface PublishOptions {
  experiment: string;
  profile: string;
  name: string;
  description: Artifact['description'];
  /** Merged into the snapshot's provenance.config. */
  config?: Record<string, unknown>;
  /** Merged into the snapshot's tables. */
  tables?: Record<string, Row[]>;
}

/** Writes the weights and lists them; returns the model's name `<experiment>/<profile>/<name>` and the file's path. */
export async function publishWeights(root: string, weights: TensorMap, options: PublishOptions): Promise<{ name: string; path: string; snapshotPath: string }> {
  const { experiment, profile, name } = options;
  const file = `models/${experiment}/${profile}/${name}.safetensors`;
  const bytes = serializeSafetensors(weights);
  await mkdir(join(root, 'models', experiment, profile), { recursive: true });
  await writeFile(join(root, file), bytes);
  const snapshotPath = join(root, 'snapshots', experiment, `${profile}.json`);
  await mkdir(join(root, 'snapshots', experiment), { recursive: true });
  const snapshot: Snapshot = await readFile(snapshotPath, 'utf8').then(
    (text) => JSON.parse(text) as Snapshot,
    () => toySnapshot({ experiment, profile }),
  );
  snapshot.provenance.config = { ...snapshot.provenance.config, ...options.config };
  snapshot.tables = { ...snapshot.tables, ...options.tables };
  const seed = typeof options.description.seed === 'number' ? options.description.seed : 1;
  const artifact: Artifact = {
    name,
    file,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.byteLength,
    seed,
    part: name,
    description: options.description,
  };
  snapshot.artifacts = [...(snapshot.artifacts ?? []).filter((listed) => listed.file !== file), artifact];
  await writeFile(snapshotPath, `${JSON.stringify(snapshot, null, 1)}\n`);
  return { name: `${experiment}/${profile}/${name}`, path: join(root, file), snapshotPath };
}

/** A Question 3 model, described as experiments/q3/training.ts describes its decoders. */
export function publishAsr(root: string, model: AsrModel, options: { experiment?: string; profile?: string; name?: string; frames: number; seed?: number }) {
  const { config } = model;
  return publishWeights(root, stateDict(model), {
    experiment: options.experiment ?? 'q3-asr',
    profile: options.profile ?? 'unit',
    name: options.name ?? config.decoder,
    // The model config whole, as trainDecoderPart writes it, at the frames the test publishes it with.
    description: { ...config, frames: options.frames, seed: options.seed ?? 1 },
    config: { maxTimescale: config.maxTimescale },
  });
}

/** A Question 2 network, described as experiments/q2/cnn.ts describes its runs. */
export function publishCnn(
  root: string,
  model: tf.LayersModel,
  options: { variant: 'pooled' | 'strided'; classNames: string[]; experiment?: string; profile?: string; name?: string; learningRate?: number; seed?: number },
) {
  const learningRate = options.learningRate ?? 0.01;
  return publishWeights(root, cnnStateDict(model), {
    experiment: options.experiment ?? 'q2-cnn',
    profile: options.profile ?? 'unit',
    name: options.name ?? `${options.variant}-lr${learningRate}`,
    description: {
      variant: options.variant,
      learningRate,
      classes: options.classNames.length,
      dropout: 0.7,
      epochs: 1,
      seed: options.seed ?? 1,
      dataset: 'test',
    },
    tables: { classes: options.classNames.map((name, index) => ({ index, name })) },
  });
}
