/**
 * The Question 3 training loop at a tiny size on a made-up, learnable task (each character leaves a fixed
 * pattern in two frames): it learns, it is deterministic for a seed, and a run stopped after an epoch and
 * resumed from its checkpoint ends exactly where an uninterrupted run ends.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import type { Progress } from '../../../src/lib/effects.ts';
import { Random } from '../../../src/lib/random.ts';
import { createAsrModel } from '../../../src/lib/models/asr.ts';
import { cutGenerated, cutTarget, meanSimilarities } from '../../../src/lib/text/similarity.ts';
import { decodeTokens, encodeText, START, VOCAB_SIZE } from '../../../src/lib/text/tokens.ts';
import type { AsrData, AsrSplit } from '../../../src/lib/data/asr-data.ts';
import { inMemorySplit } from '../../../src/lib/data/asr-data.ts';
import { teacherForcedLoss, trainAsr } from '../../../src/lib/train/asr.ts';
import type { AsrRunEffects, AsrTrainingResult } from '../../../src/lib/train/asr.ts';
import type { AsrTrainingConfig } from '../../../src/lib/train/asr-config.ts';
import { evaluateAsr } from '../../../src/lib/train/asr-evaluation.ts';
import { finished } from '../../support/asr-training.ts';

const textLength = 8;
const freq = 6;
const frames = 2 * textLength;

const config: AsrTrainingConfig = {
  model: { decoder: 'attention', nMels: freq, frames, hidden: 8, heads: 2, mlpHidden: 16, encoderBlocks: 1, textLength, maxTimescale: 3000 },
  epochs: 3,
  trainBatch: 8,
  evalBatch: 5,
  learningRate: 1e-2, // 10x the homework's: the task must move within 9 steps
  weightDecay: 0.01,
  labelSmoothing: 0.1,
  warmupFraction: 0.15,
  startToken: START,
  seed: 11,
  samples: 2,
};

/** Every token id gets a fixed random pattern over the bands; a clip is its tokens' patterns, two frames each. */
function makeSplit(count: number, seed: number) {
  const random = new Random(seed);
  const patterns = Array.from({ length: VOCAB_SIZE }, (_, id) => Float32Array.from({ length: freq }, (__, band) => Math.sin(id * 1.7 + band * 2.3)));
  const letters = 'abcde ';
  const audio = new Float32Array(count * freq * frames);
  const text = new Int32Array(count * textLength);
  for (let n = 0; n < count; n++) {
    const length = 2 + random.int(textLength - 3);
    const sentence = Array.from({ length }, () => letters[random.int(letters.length)]).join('');
    const tokens = encodeText(sentence, textLength);
    text.set(tokens, n * textLength);
    for (let t = 0; t < frames; t++) {
      const pattern = patterns[tokens[Math.floor(t / 2)]];
      for (let band = 0; band < freq; band++) audio[n * freq * frames + band * frames + t] = pattern[band] + 0.1 * random.normal();
    }
  }
  return inMemorySplit({ audio, text }, { count, freq, frames, textLength });
}

function makeData(): AsrData {
  return { train: makeSplit(24, 1), validation: makeSplit(7, 2), test: makeSplit(6, 3) };
}

function silentEffects(lines: string[] = []): AsrRunEffects {
  const progress: Progress = { tick() {}, done() {} };
  return { log: (line) => lines.push(line), progress: () => progress, now: () => 0 };
}

/** Everything deterministic in a result (timings are wall-clock and excluded). */
function deterministicPart(result: AsrTrainingResult) {
  const { timings: _timings, resumedEpochs: _resumed, ...rest } = result;
  return rest;
}

let scratch: string;

beforeAll(async () => {
  await initBackend({ log: () => {} });
  scratch = await mkdtemp(join(tmpdir(), 'asr-train-test-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('trainAsr', () => {
  for (const decoder of ['attention', 'recurrent'] as const) {
    it(`${decoder} decoder: learns, reports every epoch and the test split, and leaks nothing`, async () => {
      const before = tf.memory().numTensors;
      const result = finished(await trainAsr({ ...config, model: { ...config.model, decoder } }, makeData(), silentEffects()));
      expect(tf.memory().numTensors).toBe(before);
      expect(result.epochs.map((row) => row.epoch)).toEqual([1, 2, 3]);
      // 3 epochs: no warm-up (int(0.45) = 0), then linear decay from the base rate.
      expect(result.epochs.map((row) => row.learningRate)).toEqual([1e-2, 1e-2 * (1 - 0.99 / 3), 1e-2 * (1 - (2 * 0.99) / 3)]);
      for (const row of result.epochs) {
        for (const value of Object.values(row)) expect(Number.isFinite(value)).toBe(true);
        for (const key of ['validationJaccard', 'validationCosine', 'validationDamerauLevenshtein'] as const) {
          expect(row[key]).toBeGreaterThanOrEqual(0);
          expect(row[key]).toBeLessThanOrEqual(1);
        }
      }
      // Measured (seed 11): the train loss falls from 3.78 to 3.29 (attention) and from 3.69 to 3.10
      // (recurrent) in 9 steps; demanding a drop of 0.2 keeps more than a 2x margin.
      const first = result.epochs[0].trainLoss;
      const last = result.epochs[2].trainLoss;
      expect(first - last).toBeGreaterThan(0.2);
      expect(result.test.examples).toBe(6);
      expect(result.samples).toHaveLength(2);
      expect(result.parameters).toBeGreaterThan(0);
    });
  }

  it('evaluates as the whole split at once: mean loss, mean similarities of greedy transcripts, samples as text', async () => {
    // evaluateAsr works in batches of 5 over 7 examples and decodes step by step; the reference here
    // takes all 7 in one batch through model.transcribe and meanSimilarities.
    const split = makeSplit(7, 2);
    const model = createAsrModel(config.model, 5);
    const evaluation = await evaluateAsr(model, split, config, { samples: 3 });
    const all = await split.load([0, 1, 2, 3, 4, 5, 6]);
    const audio = tf.tensor3d(all.audio, [7, freq, frames]);
    const text = tf.tensor2d(all.text, [7, textLength], 'int32');
    const loss = teacherForcedLoss(model, audio, text, config.labelSmoothing);
    const transcripts = model.transcribe(audio, START);
    const generated = transcripts.dataSync() as Int32Array;
    const rows = (values: Int32Array, row: number) => values.subarray(row * textLength, (row + 1) * textLength);
    const expected = meanSimilarities(Array.from({ length: 7 }, (_, row) => ({ target: rows(all.text, row), generated: rows(generated, row) })));
    expect(evaluation.examples).toBe(7);
    expect(Math.abs(evaluation.loss - loss.dataSync()[0])).toBeLessThan(1e-6);
    expect(evaluation.jaccard).toBeCloseTo(expected.jaccard, 12);
    expect(evaluation.cosine).toBeCloseTo(expected.cosine, 12);
    expect(evaluation.damerauLevenshtein).toBeCloseTo(expected.damerauLevenshtein, 12);
    expect(evaluation.samples).toEqual(
      [0, 1, 2].map((row) => ({ target: decodeTokens(cutTarget(rows(all.text, row))), prediction: decodeTokens(cutGenerated(rows(generated, row))) })),
    );
    tf.dispose([audio, text, loss, transcripts]);
    model.dispose();
  });

  it('is deterministic for a seed and differs for another seed', async () => {
    const a = finished(await trainAsr({ ...config, epochs: 2 }, makeData(), silentEffects()));
    const b = finished(await trainAsr({ ...config, epochs: 2 }, makeData(), silentEffects()));
    const c = finished(await trainAsr({ ...config, epochs: 2, seed: 12 }, makeData(), silentEffects()));
    expect(deterministicPart(b)).toEqual(deterministicPart(a));
    expect(c.epochs[0].trainLoss).not.toBe(a.epochs[0].trainLoss);
  });

  it('resumes after an interruption with exactly the uninterrupted result', async () => {
    for (const decoder of ['attention', 'recurrent'] as const) {
      const runConfig = { ...config, model: { ...config.model, decoder } };
      const straight = finished(await trainAsr(runConfig, makeData(), silentEffects(), { checkpointDir: join(scratch, `${decoder}-straight`) }));
      const dir = join(scratch, `${decoder}-resumed`);
      const stopped = await trainAsr(runConfig, makeData(), silentEffects(), { checkpointDir: dir, stopAfterEpoch: 1 });
      expect(stopped).toEqual({ status: 'stopped', epochs: straight.epochs.slice(0, 1), diverged: null, resumedEpochs: 0 });
      expect((await readdir(dir)).sort()).toEqual(['checkpoint.json', 'weights-epoch-0001.safetensors']);
      const lines: string[] = [];
      const resumed = finished(await trainAsr(runConfig, makeData(), silentEffects(lines), { checkpointDir: dir }));
      expect(resumed.resumedEpochs).toBe(1);
      expect(lines.some((line) => line.includes('resuming'))).toBe(true);
      expect(deterministicPart(resumed)).toEqual(deterministicPart(straight));
    }
  });

  it('does not resume a checkpoint of another configuration or key: it is cleared and the run starts over', async () => {
    const dir = join(scratch, 'mismatch');
    await trainAsr({ ...config, epochs: 1 }, makeData(), silentEffects(), { checkpointDir: dir, checkpointKey: 'code-a', stopAfterEpoch: 1 });
    const lines: string[] = [];
    const other = await trainAsr({ ...config, epochs: 2 }, makeData(), silentEffects(lines), {
      checkpointDir: dir,
      checkpointKey: 'code-b',
      stopAfterEpoch: 1,
    });
    expect(other.resumedEpochs).toBe(0);
    expect(lines.join('\n')).toMatch(/not resuming the checkpoint in .*another setup or checkpoint key; clearing it and starting over/);
  });

  it('a non-finite loss ends the run as diverged, checkpointed, and a resumed run reports the same without training', async () => {
    const data = makeData();
    const poisoned: AsrData = {
      ...data,
      train: {
        size: data.train.size,
        load: async (indices) => ({ ...(await data.train.load(indices)), audio: new Float32Array(indices.length * freq * frames).fill(Number.NaN) }),
      },
    };
    const dir = join(scratch, 'diverged');
    const before = tf.memory().numTensors;
    const lines: string[] = [];
    const result = await trainAsr(config, poisoned, silentEffects(lines), { checkpointDir: dir });
    expect(tf.memory().numTensors).toBe(before);
    expect(result).toEqual({ status: 'diverged', epochs: [], diverged: { epoch: 1, step: 1, loss: Number.NaN }, resumedEpochs: 0 });
    expect(lines.join('\n')).toMatch(/loss NaN at epoch 1, step 1: diverged/);
    const again = await trainAsr(config, poisoned, silentEffects(), { checkpointDir: dir });
    expect(again).toEqual(result);
  });

  it('tells the training split which epoch each batch is for (augmentation draws per epoch), and no other split', async () => {
    const data = makeData();
    const seen: Array<number | undefined> = [];
    const recorded = (split: AsrSplit, record: boolean): AsrSplit => ({
      size: split.size,
      load(indices, context) {
        if (record || context) seen.push(record ? context?.epoch : -1);
        return split.load(indices);
      },
    });
    await trainAsr(
      { ...config, epochs: 2 },
      { train: recorded(data.train, true), validation: recorded(data.validation, false), test: recorded(data.test, false) },
      silentEffects(),
    );
    // 24 training clips in batches of 8: three loads per epoch, epochs 0 and 1.
    expect(seen).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('rejects batches of the wrong shape, naming the split', async () => {
    const data = makeData();
    const broken: AsrData = { ...data, train: { size: data.train.size, load: () => ({ audio: new Float32Array(3), text: new Int32Array(3) }) } };
    await expect(trainAsr(config, broken, silentEffects())).rejects.toThrow(/training split: audio has 3 values/);
  });
});
