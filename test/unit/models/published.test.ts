/**
 * Loading published models: the config comes from the snapshot that lists the file (Q3: artifact description +
 * the run's config; Q2: description + the class names), the weights are checked against the listed sha256, and
 * every problem (absent, unlisted, altered, the wrong kind, stray tensors, a bad name) is an error naming the file
 * and, where there is one, what to do.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { FASHION_MNIST_CLASSES } from '../../../src/lib/data/fashion-mnist.ts';
import { asrModelConfig, createAsrModel } from '../../../src/lib/models/asr.ts';
import type { AsrModelConfig } from '../../../src/lib/models/asr.ts';
import { cnnStateDict, createCnn } from '../../../src/lib/models/cnn.ts';
import { stateDict } from '../../../src/lib/models/layers.ts';
import { DEFAULT_ASR_MODEL, DEFAULT_CNN_MODEL, modelFile, parseModelName, publishedInfo } from '../../../src/lib/models/published.ts';
import {
  listedArtifacts,
  listPublishedModels,
  loadPublishedAsr,
  loadPublishedCnn,
  locateModel,
  PROJECT_ROOT,
  readPublishedModel,
} from '../../../src/lib/models/published-files.ts';
import { serializeSafetensors } from '../../../src/lib/weights/safetensors.ts';
import { tempRoot } from '../../support/harness.ts';
import { publishAsr, publishCnn, publishWeights } from '../../support/published.ts';

const config: AsrModelConfig = {
  decoder: 'attention',
  nMels: 80,
  frames: 40,
  hidden: 16,
  heads: 2,
  mlpHidden: 32,
  encoderBlocks: 1,
  textLength: 12,
  maxTimescale: 2500,
};
let root: string;

beforeAll(async () => {
  await initBackend({ requested: 'cpu', log: () => {} });
  root = await tempRoot('published');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('Question 3 models', () => {
  it('builds the config from the snapshot and loads the weights: same outputs, nothing leaked', async () => {
    const model = createAsrModel(config, 21);
    const published = await publishAsr(root, model, { frames: 40, seed: 21 });
    const before = tf.memory().numTensors;
    const loaded = await loadPublishedAsr(published.name, { root });
    expect(loaded.info).toEqual({
      kind: 'asr',
      config,
      features: { sampleRate: 22050, frames: 40, logMel: { nFft: 400, hopLength: 160, nMels: 80, melSampleRate: 16000, fMin: 0, fMax: null } },
      seed: 21,
      source: expect.objectContaining({
        experiment: 'q3-asr',
        profile: 'unit',
        name: 'attention',
        file: 'models/q3-asr/unit/attention.safetensors',
        sha256: loaded.sha256,
      }),
    });
    expect(loaded.location).toMatchObject({ name: 'q3-asr/unit/attention', path: published.path, snapshotFile: 'snapshots/q3-asr/unit.json' });
    const audio = tf.randomUniform([2, 80, 40], -1, 1, 'float32', 3) as tf.Tensor3D;
    const tokens = tf.tensor2d(
      [
        [0, 9, 10, 4],
        [0, 20, 21, 1],
      ],
      [2, 4],
      'int32',
    );
    const [expected, actual] = [model.forward(audio, tokens), loaded.model.forward(audio, tokens)];
    expect(actual.dtype).toBe('float32');
    expect(actual.shape).toEqual([2, 4, 35]);
    expect(actual.dataSync()).toEqual(expected.dataSync());
    tf.dispose([audio, tokens, expected, actual]);
    loaded.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it("takes a path in another checkout's models/ folder, checked against that checkout's snapshot", async () => {
    const model = createAsrModel({ ...config, decoder: 'recurrent' }, 4);
    const published = await publishAsr(root, model, { frames: 32, profile: 'elsewhere' });
    model.dispose();
    const loaded = await loadPublishedAsr(published.path, { root: PROJECT_ROOT });
    expect(loaded.location).toMatchObject({ root, name: 'q3-asr/elsewhere/recurrent' });
    expect(loaded.info.config.decoder).toBe('recurrent');
    loaded.model.dispose();
  });
});

describe('Question 2 models', () => {
  it("builds the network with the snapshot's class names and gives the same log-probabilities", async () => {
    const model = createCnn({ variant: 'strided', classes: 10, dropout: 0.7, seed: 8 });
    const published = await publishCnn(root, model, { variant: 'strided', classNames: FASHION_MNIST_CLASSES, learningRate: 0.1, seed: 8 });
    const loaded = await loadPublishedCnn(published.name, { root });
    expect(loaded.info).toMatchObject({
      kind: 'cnn',
      config: { variant: 'strided', classes: 10, dropout: 0.7 },
      classNames: FASHION_MNIST_CLASSES,
      learningRate: 0.1,
      seed: 8,
    });
    for (const [name, tensor] of cnnStateDict(model)) expect(cnnStateDict(loaded.model).get(name)!.data, name).toEqual(tensor.data);
    const images = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 5);
    const [expected, actual] = [model.predict(images) as tf.Tensor, loaded.model.predict(images) as tf.Tensor];
    expect(actual.dataSync()).toEqual(expected.dataSync());
    tf.dispose([images, expected, actual]);
    loaded.model.dispose();
    model.dispose();
  });
});

describe('problems', () => {
  it('names the missing file and the command that makes it', async () => {
    await expect(readPublishedModel('q3-asr/listening/attention', { root })).rejects.toThrow(
      `${join(root, 'models/q3-asr/listening/attention.safetensors')}: no such file. The model q3-asr/listening/attention is published by its experiment's run in update mode, which writes models/q3-asr/listening/attention.safetensors and lists it in snapshots/q3-asr/listening.json: npx tsx scripts/experiment.ts q3-asr listening --update`,
    );
  });

  it('refuses weights whose bytes are not the ones the snapshot lists, naming the file', async () => {
    const model = createAsrModel(config, 2);
    const published = await publishAsr(root, model, { frames: 40, name: 'altered' });
    const bytes = new Uint8Array(await readFile(published.path));
    bytes[bytes.length - 1] ^= 1;
    await writeFile(published.path, bytes);
    await expect(loadPublishedAsr(published.name, { root })).rejects.toThrow(
      /^models\/q3-asr\/unit\/altered\.safetensors: sha256 [0-9a-f]{64} \(\d+ bytes\) is not the [0-9a-f]{64} \(\d+ bytes\) that snapshots\/q3-asr\/unit\.json lists: these are not the weights of that run/,
    );
    model.dispose();
  });

  it('refuses a file its snapshot does not list, a snapshot that is missing, and the wrong kind of model', async () => {
    const stray = join(root, 'models/q3-asr/unit/unlisted.safetensors');
    await writeFile(stray, serializeSafetensors(new Map([['x', { shape: [1], data: new Float32Array(1) }]])));
    await expect(readPublishedModel('q3-asr/unit/unlisted', { root })).rejects.toThrow(
      /^snapshots\/q3-asr\/unit\.json: does not list models\/q3-asr\/unit\/unlisted\.safetensors; it lists models\/q3-asr\/unit\/attention\.safetensors, /,
    );
    await writeFile(join(root, 'models/q3-asr/unit/../orphan.safetensors'), new Uint8Array(8));
    await expect(readPublishedModel(join(root, 'models/q3-asr/orphan.safetensors'))).rejects.toThrow(
      /is not a published model: published weights live in models\/<experiment>\/<profile>\/<name>\.safetensors/,
    );
    const cnn = createCnn({ variant: 'pooled', classes: 4, dropout: 0.7, seed: 2 });
    const published = await publishCnn(root, cnn, { variant: 'pooled', classNames: ['a', 'b', 'c', 'd'], profile: 'kinds' });
    cnn.dispose();
    await expect(loadPublishedAsr(published.name, { root })).rejects.toThrow(
      'models/q2-cnn/kinds/pooled-lr0.01.safetensors: is a Question 2 image classifier (cnn), not a Question 3 speech recogniser (asr)',
    );
    await rm(published.snapshotPath);
    await expect(loadPublishedCnn(published.name, { root })).rejects.toThrow(`${published.snapshotPath}: cannot read the snapshot (no such file)`);
  });

  it('reads the model config whole, under the profile names, from the description; older files take maxTimescale from the run', async () => {
    const model = createAsrModel(config, 4);
    // Written before the description held the model config whole: no maxTimescale, which the run's config holds.
    const older = { decoder: 'attention', hidden: 16, heads: 2, mlpHidden: 32, encoderBlocks: 1, frames: 40, textLength: 12, nMels: 80, seed: 4 };
    const old = await publishWeights(root, stateDict(model), {
      experiment: 'q3-asr',
      profile: 'older',
      name: 'older',
      description: older,
      config: { maxTimescale: 2500 },
    });
    expect((await readPublishedModel(old.name, { root })).info.config).toEqual(config);
    // Written whole: the description's own maxTimescale and attention win over the run's config.
    const whole = { ...older, maxTimescale: 1000, attention: 'fused' };
    const current = await publishWeights(root, stateDict(model), {
      experiment: 'q3-asr',
      profile: 'whole',
      name: 'whole',
      description: whole,
      config: { maxTimescale: 2500 },
    });
    expect((await readPublishedModel(current.name, { root })).info.config).toEqual({ ...config, maxTimescale: 1000, attention: 'fused' });
    model.dispose();
  });

  it('builds a model config from every Question 3 file the committed snapshots publish', async () => {
    const asr = (await listedArtifacts()).filter(({ artifact }) => 'decoder' in artifact.description);
    expect(asr.length).toBeGreaterThan(0);
    for (const { snapshot, artifact } of asr) {
      const info = publishedInfo(snapshot, artifact);
      if (info.kind !== 'asr') throw new Error(`${artifact.file}: not read as a Question 3 model`);
      expect(asrModelConfig.parse(info.config), artifact.file).toEqual(info.config);
      expect(info.config.nMels, artifact.file).toBe(snapshot.provenance.config.nMels);
      expect(info.config.hidden, artifact.file).toBe(snapshot.provenance.config.hidden);
    }
  });

  it('refuses stray or missing tensors and descriptions it cannot build a model from', async () => {
    const model = createAsrModel(config, 2);
    const weights = stateDict(model);
    const description = { decoder: 'attention', hidden: 16, heads: 2, mlpHidden: 32, encoderBlocks: 1, frames: 40, textLength: 12, nMels: 80, seed: 1 };
    const options = { experiment: 'q3-asr', profile: 'bad', config: { maxTimescale: 3000 } };
    const extra = await publishWeights(root, new Map([...weights, ['optimizer.step', { shape: [1], data: new Float32Array(1) }]]), {
      ...options,
      name: 'extra',
      description,
    });
    await expect(loadPublishedAsr(extra.name, { root })).rejects.toThrow(
      'models/q3-asr/bad/extra.safetensors: tensors outside encoder.* and decoder.*: optimizer.step',
    );
    const partial = new Map(weights);
    partial.delete('decoder.classifier.bias');
    const missing = await publishWeights(root, partial, { ...options, name: 'missing', description });
    await expect(loadPublishedAsr(missing.name, { root })).rejects.toThrow(
      /models\/q3-asr\/bad\/missing\.safetensors: cannot load the ASR model: missing 'decoder\.classifier\.bias'/,
    );
    const wide = await publishWeights(root, weights, { ...options, name: 'wide', description: { ...description, hidden: 'wide' } });
    await expect(loadPublishedAsr(wide.name, { root })).rejects.toThrow(
      'models/q3-asr/bad/wide.safetensors: cannot build the model config: description.hidden: Expected number, received string',
    );
    const unknown = await publishWeights(root, weights, { ...options, name: 'unknown', description: { seed: 1 } });
    await expect(readPublishedModel(unknown.name, { root })).rejects.toThrow(
      /unknown\.safetensors: the snapshot's description of the file names neither a decoder \(Question 3\) nor a variant \(Question 2\)/,
    );
    model.dispose();
  });
});

describe('model names', () => {
  it('maps names to files under the project and refuses anything else', () => {
    expect(modelFile(DEFAULT_ASR_MODEL)).toBe('models/q3-asr/multi-engine/attention.safetensors');
    expect(modelFile(DEFAULT_CNN_MODEL)).toBe('models/q2-cnn/full/pooled-lr0.01.safetensors');
    expect(locateModel('q3-asr/smoke/recurrent')).toMatchObject({
      path: join(PROJECT_ROOT, 'models/q3-asr/smoke/recurrent.safetensors'),
      snapshotPath: join(PROJECT_ROOT, 'snapshots/q3-asr/smoke.json'),
    });
    for (const bad of ['../secrets', 'q3-asr/attention', 'a/b/../c', 'a/b/c/d'])
      expect(() => parseModelName(bad), bad).toThrow(/is not a model name: expected <experiment>\/<profile>\/<name>/);
  });

  it('lists the published models whose files exist', async () => {
    const names = await listPublishedModels(root);
    expect(names).toContain('q3-asr/unit/attention');
    expect(names).toContain('q2-cnn/unit/strided-lr0.1');
    expect(names).not.toContain('q2-cnn/kinds/pooled-lr0.01'); // its snapshot was removed above
  });
});
