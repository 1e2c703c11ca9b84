/**
 * Micro-batching in Question 3's training: a batch computed k clips at a time equals the whole batch (loss and
 * every gradient to 1e-6 relative in norm, the training curve over a few steps), the micro-batch comes from the config or
 * from a memory budget through the estimate in train/asr-memory.ts, and that estimate bounds the measured peak.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decoderTables } from '../../../experiments/q3/results.ts';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import type { Progress } from '../../../src/lib/effects.ts';
import { createAsrModel } from '../../../src/lib/models/asr.ts';
import type { AsrModelConfig } from '../../../src/lib/models/asr.ts';
import { Random } from '../../../src/lib/random.ts';
import { encodeText, START, VOCAB_SIZE } from '../../../src/lib/text/tokens.ts';
import type { AsrData } from '../../../src/lib/data/asr-data.ts';
import { inMemorySplit } from '../../../src/lib/data/asr-data.ts';
import { batchLossAndGradients, lossAndGradients, trainAsr } from '../../../src/lib/train/asr.ts';
import type { AsrRunEffects } from '../../../src/lib/train/asr.ts';
import type { AsrTrainingConfig } from '../../../src/lib/train/asr-config.ts';
import { resolveMicroBatch, stepBytesPerClip, stepFixedBytes } from '../../../src/lib/train/asr-memory.ts';
import { finished } from '../../support/asr-training.ts';

beforeAll(async () => {
  await initBackend({ log: () => {} });
});

const textLength = 8;
const freq = 6;
const frames = 16;

const model: AsrModelConfig = {
  decoder: 'attention',
  nMels: freq,
  frames,
  hidden: 8,
  heads: 2,
  mlpHidden: 16,
  encoderBlocks: 1,
  textLength,
  maxTimescale: 3000,
};

const config: AsrTrainingConfig = {
  model,
  epochs: 2,
  trainBatch: 8,
  evalBatch: 5,
  learningRate: 1e-2,
  weightDecay: 0.01,
  labelSmoothing: 0.1,
  warmupFraction: 0.15,
  startToken: START,
  seed: 4,
  samples: 2,
};

function makeSplit(count: number, seed: number) {
  const random = new Random(seed);
  const audio = Float32Array.from({ length: count * freq * frames }, () => random.normal());
  const text = new Int32Array(count * textLength);
  for (let n = 0; n < count; n++) {
    const sentence = Array.from({ length: 2 + random.int(textLength - 3) }, () => 'abcde '[random.int(6)]).join('');
    text.set(encodeText(sentence, textLength), n * textLength);
  }
  return inMemorySplit({ audio, text }, { count, freq, frames, textLength });
}

function makeData(): AsrData {
  return { train: makeSplit(20, 1), validation: makeSplit(6, 2), test: makeSplit(5, 3) };
}

function silentEffects(lines: string[] = []): AsrRunEffects {
  const progress: Progress = { tick() {}, done() {} };
  return { log: (line) => lines.push(line), progress: () => progress, now: () => 0 };
}

/** ||a - b|| / ||b|| (Euclidean norms over one tensor's values): the relative error of a gradient as a vector. */
function relative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let difference = 0;
  let norm = 0;
  for (let i = 0; i < b.length; i++) {
    difference += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(difference / Math.max(norm, 1e-60));
}

describe('batchLossAndGradients', () => {
  for (const decoder of ['attention', 'recurrent'] as const) {
    for (const attention of ['stock', 'fused'] as const) {
      it(`${decoder} decoder, ${attention} attention: micro-batches of 1 and 3 (3 + 3 + 2) equal the whole batch to 1e-6`, () => {
        const asr = createAsrModel({ ...model, decoder, attention }, 2);
        const batch = makeSplit(8, 7).load([0, 1, 2, 3, 4, 5, 6, 7]) as { audio: Float32Array; text: Int32Array };
        const audio = tf.tensor3d(batch.audio, [8, freq, frames]);
        const text = tf.tensor2d(batch.text, [8, textLength], 'int32');
        const whole = lossAndGradients(asr, audio, text, 0.1);
        for (const microBatch of [1, 3]) {
          const before = tf.memory().numTensors;
          const parts = batchLossAndGradients(asr, audio, text, 0.1, microBatch);
          expect(tf.memory().numTensors - before).toBe(parts.gradients.size); // only the summed gradients survive
          expect(Math.abs(parts.loss - whole.loss) / whole.loss).toBeLessThan(1e-6);
          expect([...parts.gradients.keys()]).toEqual([...whole.gradients.keys()]);
          for (const [name, gradient] of parts.gradients) {
            expect(gradient.shape).toEqual(whole.gradients.get(name)!.shape);
            expect(relative(gradient.dataSync(), whole.gradients.get(name)!.dataSync()), `${name}, micro-batch ${microBatch}`).toBeLessThan(1e-6);
          }
          tf.dispose([...parts.gradients.values()]);
        }
        const same = batchLossAndGradients(asr, audio, text, 0.1, 8); // the whole batch at once is lossAndGradients itself
        expect(same.loss).toBe(whole.loss);
        for (const [name, gradient] of same.gradients) expect(gradient.dataSync()).toEqual(whole.gradients.get(name)!.dataSync());
        tf.dispose([audio, text, ...whole.gradients.values(), ...same.gradients.values()]);
        asr.dispose();
      });
    }
  }
});

describe('trainAsr with micro-batches', () => {
  it('gives the same training curve, test scores and weights as whole batches (3 steps per epoch, 2 epochs)', async () => {
    const data = makeData();
    const whole = finished(await trainAsr(config, data, silentEffects(), { memoryBudget: 2 ** 50 }));
    const lines: string[] = [];
    const parts = finished(await trainAsr({ ...config, microBatch: 3 }, data, silentEffects(lines)));
    expect(whole.microBatch).toBe(8);
    expect(parts.microBatch).toBe(3);
    expect(lines.some((line) => line.includes('batches of 8 computed 3 clips at a time (micro-batch from the config)'))).toBe(true);
    expect(parts.epochs.length).toBe(2);
    for (const [i, row] of parts.epochs.entries()) {
      for (const key of Object.keys(row))
        expect(Math.abs(row[key] - whole.epochs[i][key]), `epoch ${i + 1} ${key}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(whole.epochs[i][key])));
    }
    expect(parts.samples).toEqual(whole.samples);
    expect(Math.abs(parts.test.loss - whole.test.loss)).toBeLessThan(1e-6 * whole.test.loss);
    expect(parts.test.jaccard).toBe(whole.test.jaccard);
    // The snapshot records the resolved micro-batch beside the run's seconds, never in its config or input hash.
    expect(decoderTables([{ decoder: 'attention', result: parts }]).timings?.values?.['attention-micro-batch']).toBe(3);
  });

  it('takes the micro-batch from the memory budget, and warns when even one clip does not fit', async () => {
    const parameters = createAsrModel(model, 1);
    const count = parameters.parameterCount();
    parameters.dispose();
    const threeClips = stepFixedBytes(config, count) + 3 * stepBytesPerClip(config);
    expect(resolveMicroBatch(config, count, threeClips)).toEqual({ size: 3, source: 'budget' });
    expect(resolveMicroBatch(config, count, threeClips - 1)).toEqual({ size: 2, source: 'budget' });
    expect(resolveMicroBatch(config, count, 2 ** 50)).toEqual({ size: 8, source: 'budget' });
    expect(resolveMicroBatch({ ...config, microBatch: 20 }, count, 1)).toEqual({ size: 8, source: 'config' });
    expect(() => resolveMicroBatch({ ...config, microBatch: 0 }, count, 1)).toThrow(/microBatch must be a positive integer, got 0/);
    const tiny = resolveMicroBatch(config, count, 1024);
    expect(tiny.size).toBe(1);
    expect(tiny.warning).toMatch(/a memory budget of 0 MiB is below one clip's estimated step/);

    const lines: string[] = [];
    const result = finished(await trainAsr({ ...config, epochs: 1 }, makeData(), silentEffects(lines), { memoryBudget: threeClips }));
    expect(result.microBatch).toBe(3);
    expect(lines.some((line) => line.includes('computed 3 clips at a time (micro-batch from the budget)'))).toBe(true);
  });
});

describe('stepBytesPerClip', () => {
  /** Peak tensor bytes of one lossAndGradients call per clip: batch 2 minus batch 1. */
  async function measuredPerClip(asrConfig: AsrModelConfig, clipFrames: number): Promise<number> {
    const asr = createAsrModel(asrConfig, 1);
    const peaks: number[] = [];
    for (const batch of [1, 2]) {
      const audio = tf.randomNormal([batch, asrConfig.nMels, clipFrames], 0, 1, 'float32', 1) as tf.Tensor3D;
      const text = tf.tensor2d(
        Int32Array.from({ length: batch * asrConfig.textLength }, (_, i) => i % VOCAB_SIZE),
        [batch, asrConfig.textLength],
        'int32',
      );
      const start = tf.memory().numBytes;
      const profile = await tf.profile(() => tf.dispose([...lossAndGradients(asr, audio, text, 0.1).gradients.values()]));
      peaks.push(profile.peakBytes - start);
      tf.dispose([audio, text]);
    }
    asr.dispose();
    return peaks[1] - peaks[0];
  }

  // The smoke profile's model (width 32, 384 frames, text 34, one block): the estimate bounds the measured peak
  // from above, by less than 1.6x (measured 1.35x stock, 1.46x fused).
  for (const attention of ['stock', 'fused'] as const) {
    it(`bounds the measured peak per clip from above, within 1.6x (${attention} attention, the smoke shape)`, async () => {
      const smoke: AsrModelConfig = {
        decoder: 'attention',
        nMels: 80,
        frames: 384,
        hidden: 32,
        heads: 2,
        mlpHidden: 64,
        encoderBlocks: 1,
        textLength: 34,
        maxTimescale: 3000,
        attention,
      };
      const measured = await measuredPerClip(smoke, 384);
      const estimate = stepBytesPerClip({ model: smoke });
      expect(estimate).toBeGreaterThanOrEqual(measured);
      expect(estimate).toBeLessThan(1.6 * measured);
    });
  }

  it('counts the attention matrices only for the stock ops, and grows with the square of the positions', () => {
    const full: AsrModelConfig = {
      decoder: 'attention',
      nMels: 80,
      frames: 2754,
      hidden: 200,
      heads: 2,
      mlpHidden: 400,
      encoderBlocks: 2,
      textLength: 99,
      maxTimescale: 3000,
    };
    const stock = stepBytesPerClip({ model: full });
    const fused = stepBytesPerClip({ model: { ...full, attention: 'fused' } });
    expect(stock - fused).toBe(4 * 5 * 2 * 1377 * 1377 * 2);
    expect(stock / 1024 ** 2).toBeCloseTo(633.3, 0); // measured on this machine: 609 MiB per clip (issue 21)
  });
});
