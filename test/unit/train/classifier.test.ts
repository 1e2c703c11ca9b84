import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { loadFashionMnistFixture } from '../../../src/lib/data/fashion-mnist.ts';
import { headOfSplits, type ImageDataset } from '../../../src/lib/data/images.ts';
import type { Progress } from '../../../src/lib/effects.ts';
import type { RunEffects } from '../../../src/lib/harness/experiment.ts';
import { createCnn } from '../../../src/lib/models/cnn.ts';
import { evaluateClassifier, trainClassifier, type TrainClassifierOptions } from '../../../src/lib/train/classifier.ts';

// The stock cpu kernels train this net at roughly 10 images/s on a busy 2-core machine, so these tests use
// 16 images per split: two batches of 8 per epoch are enough to exercise shuffling, dropout seeds and resume.
let tiny: ImageDataset;
let scratch: string;
let counter = 0;
beforeAll(async () => {
  await initBackend();
  tiny = headOfSplits(await loadFashionMnistFixture(), { train: 16, val: 16, test: 16 });
  scratch = await mkdtemp(join(tmpdir(), 'classifier-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});
const freshDir = () => join(scratch, `run-${counter++}`);

interface Recorded {
  effects: Pick<RunEffects, 'log' | 'progress' | 'now'>;
  logs: string[];
  bars: { label: string; total: number; ticks: number; statuses: string[]; done?: string }[];
}
function recorder(): Recorded {
  const logs: string[] = [];
  const bars: Recorded['bars'] = [];
  let clock = 0;
  return {
    logs,
    bars,
    effects: {
      log: (line) => logs.push(line),
      // A fake clock: 10 ms per reading, so timings are defined and the test never depends on real time.
      now: () => (clock += 10),
      progress(label, total): Progress {
        const bar: Recorded['bars'][number] = { label, total, ticks: 0, statuses: [] };
        bars.push(bar);
        return {
          tick(steps = 1, status) {
            bar.ticks += steps;
            if (status) bar.statuses.push(status);
          },
          done(status) {
            bar.done = status;
          },
        };
      },
    },
  };
}

const base = (overrides: Partial<TrainClassifierOptions> = {}): TrainClassifierOptions => ({
  data: tiny,
  variant: 'pooled',
  learningRate: 0.05,
  epochs: 2,
  seed: 7,
  ...overrides,
});

async function weightsBytes(dir: string): Promise<Buffer> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.safetensors'));
  expect(names).toHaveLength(1);
  return readFile(join(dir, names[0]));
}

describe('trainClassifier', () => {
  it('interrupted after epoch 1 and resumed, it ends bit for bit where an uninterrupted run ends', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const straightDir = freshDir();
    const straight = await trainClassifier(base({ checkpointDir: straightDir }), recorder().effects);
    expect(straight.status).toBe('finished');
    expect(straight.epochs.map((row) => row.epoch)).toEqual([1, 2]);

    const resumedDir = freshDir();
    const first = recorder();
    const stopped = await trainClassifier(base({ checkpointDir: resumedDir, stopAfterEpoch: 1 }), first.effects);
    expect(stopped.status).toBe('stopped');
    expect(stopped.test).toBeNull();
    expect(stopped.epochs).toEqual(straight.epochs.slice(0, 1));

    const second = recorder();
    const resumed = await trainClassifier(base({ checkpointDir: resumedDir }), second.effects);
    expect(resumed.status).toBe('finished');
    expect(resumed.resumedFromEpoch).toBe(1);
    // Only epoch 2 was trained in the second call.
    expect(second.bars.map((bar) => bar.label)).toEqual(['pooled lr 0.05', 'pooled lr 0.05 epoch 2/2']);
    expect(second.logs.some((line) => line.includes('resuming after epoch 1'))).toBe(true);

    expect(resumed.epochs).toEqual(straight.epochs);
    expect(resumed.test).toEqual(straight.test);
    expect(Buffer.compare(await weightsBytes(resumedDir), await weightsBytes(straightDir))).toBe(0);
    // Timings add up across the resume: two epochs of 16 images.
    expect(resumed.timing.trainImages).toBe(32);
    expect(resumed.timing.imagesPerSecond).toBeGreaterThan(0);

    // The comparison can fail: another seed ends elsewhere.
    const otherDir = freshDir();
    const other = await trainClassifier(base({ checkpointDir: otherDir, seed: 8 }), recorder().effects);
    expect(Buffer.compare(await weightsBytes(otherDir), await weightsBytes(straightDir))).not.toBe(0);
    expect(other.epochs[0].trainLoss).not.toBe(straight.epochs[0].trainLoss);

    // A finished checkpoint is not trained again.
    const third = recorder();
    const again = await trainClassifier(base({ checkpointDir: resumedDir }), third.effects);
    expect(again.resumedFromEpoch).toBe(2);
    expect(third.bars).toHaveLength(1);
    expect(again.test).toEqual(straight.test);

    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('reports per-epoch loss and validation accuracy, test accuracy consistent with the confusion matrix, and progress', async () => {
    const recorded = recorder();
    const result = await trainClassifier(base({ epochs: 1, label: 'run' }), recorded.effects);
    const [row] = result.epochs;
    expect(row.epoch).toBe(1);
    expect(Number.isFinite(row.trainLoss) && row.trainLoss > 0).toBe(true);
    expect(row.valAccuracy * 16).toBeCloseTo(Math.round(row.valAccuracy * 16), 10);
    const confusion = result.test!.confusion;
    expect(confusion).toHaveLength(10);
    expect(confusion.flat().reduce((a, b) => a + b, 0)).toBe(16);
    expect(confusion.map((r) => r.reduce((a, b) => a + b, 0))).toEqual(
      Array.from({ length: 10 }, (_, c) => tiny.test.labels.filter((label) => label === c).length),
    );
    expect(result.test!.accuracy).toBe(confusion.reduce((sum, r, i) => sum + r[i], 0) / 16);
    expect(result.params).toBe(225_618);
    const [overall, epoch] = recorded.bars;
    expect(overall).toMatchObject({ label: 'run', total: 1, ticks: 1 });
    expect(epoch).toMatchObject({ label: 'run epoch 1/1', total: 2, ticks: 2 });
    expect(epoch.statuses[0]).toMatch(/^loss \d+\.\d{3}$/);
    // Fake clock: 10 ms between the two readings around the epoch's training.
    expect(result.timing).toEqual({ trainSeconds: 0.01, trainImages: 16, imagesPerSecond: 1600 });
  });

  it('a NaN loss marks the run diverged with its epoch and step, stops it cleanly and is remembered on resume', async () => {
    const poisoned: ImageDataset = { ...tiny, train: { ...tiny.train, images: tiny.train.images.slice() } };
    poisoned.train.images.fill(Number.NaN);
    const dir = freshDir();
    const tensorsBefore = tf.memory().numTensors;
    const recorded = recorder();
    const result = await trainClassifier(base({ data: poisoned, checkpointDir: dir }), recorded.effects);
    expect(result.status).toBe('diverged');
    expect(result.diverged).toEqual({ epoch: 1, step: 1, loss: Number.NaN });
    expect(result.test).toBeNull();
    expect(result.epochs).toEqual([]);
    expect(recorded.logs.join('\n')).toMatch(/loss NaN at epoch 1, step 1: diverged/);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const again = await trainClassifier(base({ data: poisoned, checkpointDir: dir }), recorder().effects);
    expect(again.status).toBe('diverged');
    expect(again.diverged).toEqual(result.diverged);
  });

  it('a too-large learning rate diverges (Inf or NaN loss) instead of throwing', async () => {
    const result = await trainClassifier(base({ learningRate: 1e8, epochs: 2 }), recorder().effects);
    expect(result.status).toBe('diverged');
    expect(Number.isFinite(result.diverged!.loss)).toBe(false);
  });

  it('a checkpoint of another setup is cleared, and the run starts over', async () => {
    const dir = freshDir();
    await trainClassifier(base({ checkpointDir: dir, epochs: 1, learningRate: 0.01 }), recorder().effects);
    const recorded = recorder();
    const result = await trainClassifier(base({ checkpointDir: dir, epochs: 1 }), recorded.effects);
    const fresh = await trainClassifier(base({ epochs: 1 }), recorder().effects);
    expect(recorded.logs.join('\n')).toMatch(/not resuming the checkpoint .*another setup.*clearing it and starting over/);
    expect(result.resumedFromEpoch).toBe(0);
    expect(result.epochs).toEqual(fresh.epochs);
    // The same setup with another checkpoint key (e.g. a code hash) starts over too.
    const keyed = recorder();
    const rerun = await trainClassifier(base({ checkpointDir: dir, epochs: 1, checkpointKey: 'code-v2' }), keyed.effects);
    expect(keyed.logs.join('\n')).toMatch(/not resuming the checkpoint/);
    expect(rerun.resumedFromEpoch).toBe(0);
  });

  it('an aborted run throws the abort reason, keeps its last checkpoint and leaks nothing', async () => {
    const dir = freshDir();
    await trainClassifier(base({ checkpointDir: dir, stopAfterEpoch: 1 }), recorder().effects);
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    controller.abort(new Error('stop now'));
    await expect(trainClassifier(base({ checkpointDir: dir, signal: controller.signal }), recorder().effects)).rejects.toThrow('stop now');
    expect(tf.memory().numTensors).toBe(before);
    const resumed = await trainClassifier(base({ checkpointDir: dir }), recorder().effects);
    expect(resumed.resumedFromEpoch).toBe(1);
  });
});

describe('evaluateClassifier', () => {
  it('does not depend on the evaluation batch size and leaks no tensors', () => {
    const model = createCnn({ variant: 'strided', classes: 10, dropout: 0.7, seed: 3 });
    const before = tf.memory().numTensors;
    const whole = evaluateClassifier(model, tiny.val, 10, 500);
    const pieces = evaluateClassifier(model, tiny.val, 10, 3);
    expect(tf.memory().numTensors).toBe(before);
    expect(pieces.confusion).toEqual(whole.confusion);
    expect(pieces.accuracy).toBe(whole.accuracy);
    expect(pieces.loss).toBeCloseTo(whole.loss, 5);
    // An untrained 10-class net is near uniform: loss near ln 10.
    expect(Math.abs(whole.loss - Math.log(10))).toBeLessThan(0.5);
    model.dispose();
  });
});
