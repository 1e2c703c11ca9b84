/**
 * `npm run classify` as a user runs it (a child process) on the committed images in test/fixtures/cli/ with a
 * freshly initialised network published into a temporary checkout (weights listed by its snapshot, as the harness
 * publishes them): the command must give the library's log-probabilities for the same pixels, warn when it converts
 * or resizes, and report bad files by name; without --model it runs the default model, or names its missing file.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { FASHION_MNIST_CLASSES, loadFashionMnistFixture } from '../../../src/lib/data/fashion-mnist.ts';
import type { ImageDataset } from '../../../src/lib/data/images.ts';
import { classifyImages, readImageFile } from '../../../src/lib/inference/classify.ts';
import { createAsrModel } from '../../../src/lib/models/asr.ts';
import { createCnn } from '../../../src/lib/models/cnn.ts';
import { DEFAULT_CNN_MODEL, modelFile } from '../../../src/lib/models/published.ts';
import { loadPublishedCnn, PROJECT_ROOT } from '../../../src/lib/models/published-files.ts';
import { tempRoot } from '../../support/harness.ts';
import { publishAsr, publishCnn } from '../../support/published.ts';
import { runCli } from './run-cli.ts';

const inputs = 'test/fixtures/cli';

let dir: string;
let modelPath: string;
let model: tf.Sequential;
let fashion: ImageDataset;

interface Result {
  file: string;
  prediction: { index: number; name: string; probability: number };
  probabilities: number[];
  logProbabilities: number[];
  warnings: string[];
}

beforeAll(async () => {
  await initBackend({ requested: 'cpu', log: () => {} });
  fashion = await loadFashionMnistFixture();
  dir = await tempRoot('classify-cli');
  const fresh = createCnn({ variant: 'pooled', classes: 10, dropout: 0.7, seed: 23 });
  modelPath = (await publishCnn(dir, fresh, { variant: 'pooled', classNames: FASHION_MNIST_CLASSES, seed: 23, profile: 'cli' })).path;
  fresh.dispose();
  ({ model } = await loadPublishedCnn(modelPath));
});

afterAll(async () => {
  model?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('npm run classify', () => {
  it("gives the library's log-probabilities for the data set's own pixels (PNG, uint8 and float .npy)", async () => {
    const labels = JSON.parse(await readFile(`${inputs}/labels.json`, 'utf8')) as Record<string, number>;
    const names = ['fashion-0.png', 'fashion-1.npy', 'fashion-2-float.npy'];
    const run = await runCli('classify', ['--json', '--model', modelPath, ...names.map((name) => `${inputs}/${name}`)]);
    expect(run.stderr).not.toMatch(/classify:/);
    expect(run.code).toBe(0);
    const { model: described, results } = JSON.parse(run.stdout) as { model: { classNames: string[] }; results: Result[] };
    expect(described.classNames).toEqual(FASHION_MNIST_CLASSES);
    // Each file holds test image `index` of the committed fixture, labelled as labels.json says.
    const images = names.map((_, index) => fashion.test.images.slice(index * 784, (index + 1) * 784));
    names.forEach((name, index) => expect(fashion.test.labels[index], name).toBe(labels[name]));
    const expected = classifyImages(model, images);
    for (const [index, result] of results.entries()) {
      expect(result.logProbabilities, result.file).toEqual(Array.from(expected[index]));
      expect(result.probabilities).toEqual(result.logProbabilities.map(Math.exp));
      const best = result.logProbabilities.indexOf(Math.max(...result.logProbabilities));
      expect(result.prediction).toEqual({ index: best, name: FASHION_MNIST_CLASSES[best], probability: result.probabilities[best] });
      expect(result.warnings).toEqual([]);
    }
  });

  it('prints the class and every probability, and warns on stderr when it converts colour and resizes', async () => {
    const file = `${inputs}/fashion-0-rgb-56.png`;
    const run = await runCli('classify', ['--model', modelPath, file]);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`classify: ${file}: warning: colour converted to grey`);
    expect(run.stderr).toContain(`classify: ${file}: warning: resized from 56x56 to 28x28`);
    const [logProbabilities] = classifyImages(model, [(await readImageFile(file)).pixels]);
    const probabilities = Array.from(logProbabilities, Math.exp);
    const best = probabilities.indexOf(Math.max(...probabilities));
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`${file}: ${FASHION_MNIST_CLASSES[best]} (${probabilities[best].toFixed(3)})`);
    expect(lines.slice(1)).toEqual(FASHION_MNIST_CLASSES.map((name, i) => `  ${name.padEnd(11)}  ${probabilities[i].toFixed(3)}`));
  });

  it('reports each bad file with its name and problem, still classifies the good one, and exits 1', async () => {
    const bad: [string, RegExp][] = [
      ['not-an-image.png', /named \.png but not a PNG/],
      ['batch.npy', /array of shape \(3, 28, 28\) is not one image/],
      ['range.npy', /float32 values range over \[0, 255\]; float images must be in \[0, 1\]/],
      ['missing.png', /cannot read \(no such file\)/],
      ['empty.wav', /the file is empty/],
    ];
    const run = await runCli('classify', ['--model', modelPath, ...bad.map(([name]) => `${inputs}/${name}`), `${inputs}/fashion-1.npy`]);
    expect(run.code).toBe(1);
    const errors = run.stderr.split('\n').filter((line) => line.startsWith('classify: '));
    expect(errors).toHaveLength(bad.length);
    bad.forEach(([name, problem], i) => {
      expect(errors[i].startsWith(`classify: ${inputs}/${name}: `)).toBe(true);
      expect(errors[i]).toMatch(problem);
    });
    expect(run.stdout.startsWith(`${inputs}/fashion-1.npy: `)).toBe(true);
  });

  it('exits 2 for a speech model or no images', async () => {
    const asr = createAsrModel(
      { decoder: 'recurrent', nMels: 80, frames: 16, hidden: 8, heads: 2, mlpHidden: 16, encoderBlocks: 1, textLength: 6, maxTimescale: 3000 },
      1,
    );
    const { path: asrPath } = await publishAsr(dir, asr, { frames: 16, profile: 'cli' });
    asr.dispose();
    const wrong = await runCli('classify', ['--model', asrPath, `${inputs}/fashion-0.png`]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('models/q3-asr/cli/recurrent.safetensors: is a Question 3 speech recogniser (asr), not a Question 2 image classifier (cnn)');
    const none = await runCli('classify', ['--json']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/classify: no images given\nusage: npm run classify/);
  });

  it(`runs ${DEFAULT_CNN_MODEL} without --model, or says which file is missing and which command makes it`, async () => {
    const run = await runCli('classify', [`${inputs}/fashion-0.png`]);
    const path = join(PROJECT_ROOT, modelFile(DEFAULT_CNN_MODEL));
    if (existsSync(path)) {
      expect(run.stderr).not.toMatch(/classify:/);
      expect(run.code).toBe(0);
    } else {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${path}: no such file.`);
      expect(run.stderr).toContain('npx tsx scripts/experiment.ts q2-cnn full --update');
    }
  });
});
