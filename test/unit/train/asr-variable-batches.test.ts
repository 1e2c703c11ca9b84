/**
 * The ASR loop on length-bucketed data (issue 18.4): batches whose frames and token columns are their own, epoch
 * batches from a plan drawn off the run's shuffling generator, greedy decoding that stops once every row stopped,
 * and listening scores of clips pooled from several splits.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import type { Progress } from '../../../src/lib/effects.ts';
import { createAsrModel } from '../../../src/lib/models/asr.ts';
import { Random } from '../../../src/lib/random.ts';
import { encodeText, START, STOP, VOCAB_SIZE } from '../../../src/lib/text/tokens.ts';
import type { AsrSplit } from '../../../src/lib/data/asr-data.ts';
import type { AsrRunEffects } from '../../../src/lib/train/asr.ts';
import { trainAsr } from '../../../src/lib/train/asr.ts';
import type { AsrTrainingConfig } from '../../../src/lib/train/asr-config.ts';
import { evaluateListening, listeningScores } from '../../../src/lib/train/asr-evaluation.ts';
import { finished } from '../../support/asr-training.ts';

const textLength = 10;
const freq = 6;
const frames = 16;

const config: AsrTrainingConfig = {
  model: { decoder: 'attention', nMels: freq, frames, hidden: 8, heads: 2, mlpHidden: 16, encoderBlocks: 1, textLength, maxTimescale: 3000 },
  epochs: 2,
  trainBatch: 4,
  evalBatch: 3,
  learningRate: 1e-2,
  weightDecay: 0.01,
  labelSmoothing: 0.1,
  warmupFraction: 0.15,
  startToken: START,
  seed: 5,
  samples: 1,
};

const effects: AsrRunEffects = { log: () => {}, progress: (): Progress => ({ tick() {}, done() {} }), now: () => 0 };

/**
 * Clips of 6-16 frames and 2-7 letters. With `own`, each batch comes padded to its longest clip and cut after its
 * longest transcript; without, at the config's frames and text length.
 */
function clips(count: number, seed: number, own: boolean): AsrSplit & { loads: Array<{ frames: number; textLength: number }> } {
  const random = new Random(seed);
  const items = Array.from({ length: count }, () => {
    const letters = 2 + random.int(6);
    const length = 6 + random.int(11);
    const audio = Float32Array.from({ length: freq * length }, () => random.normal());
    return { length, audio, tokens: encodeText('abcdefg'.slice(0, letters), textLength), letters };
  });
  const loads: Array<{ frames: number; textLength: number }> = [];
  return {
    size: count,
    loads,
    load(indices) {
      const chosen = indices.map((index) => items[index]);
      const batchFrames = own ? Math.max(...chosen.map((item) => item.length)) : frames;
      const batchText = own ? Math.max(...chosen.map((item) => item.letters + 2)) : textLength;
      const audio = new Float32Array(indices.length * freq * batchFrames); // [batch, freq, batchFrames]
      const text = new Int32Array(indices.length * batchText); // [batch, batchText]
      chosen.forEach((item, row) => {
        for (let band = 0; band < freq; band++) {
          audio.set(item.audio.subarray(band * item.length, (band + 1) * item.length), row * freq * batchFrames + band * batchFrames);
        }
        text.set(item.tokens.subarray(0, batchText), row * batchText);
      });
      loads.push({ frames: batchFrames, textLength: batchText });
      return own ? { audio, text, frames: batchFrames, textLength: batchText } : { audio, text };
    },
  };
}

beforeAll(async () => {
  await initBackend({ log: () => {} });
});

describe('trainAsr on batches of their own length', () => {
  it('trains and scores batches padded to their own longest clip and cut after their longest transcript', async () => {
    const train = clips(12, 1, true);
    const result = finished(await trainAsr(config, { train, validation: clips(4, 2, true), test: clips(5, 3, true) }, effects));
    expect(result.epochs).toHaveLength(2);
    expect(result.epochs.every((row) => Number.isFinite(row.trainLoss) && Number.isFinite(row.validationLoss))).toBe(true);
    expect(result.test.clips).toHaveLength(5);
    // The batches really were shorter than the config's.
    expect(Math.min(...train.loads.map((load) => load.frames))).toBeLessThan(frames);
    expect(Math.min(...train.loads.map((load) => load.textLength))).toBeLessThan(textLength);
  });

  it('rejects a batch longer than the config allows, naming the split', async () => {
    const long: AsrSplit = { size: 2, load: (indices) => ({ ...clips(2, 1, false).load(indices), frames: frames + 2 }) };
    await expect(trainAsr(config, { train: long, validation: long, test: long }, effects)).rejects.toThrow(
      /training split: a batch of 18 frames and 10 tokens exceeds the config's 16 and 10/,
    );
  });
});

describe('trainAsr with an epoch batch plan', () => {
  const data = () => ({ train: clips(12, 1, false), validation: clips(4, 2, false), test: clips(5, 3, false) });

  it('draws the plan from the run generator: the default plan spelled out gives the default result', async () => {
    const plain = finished(await trainAsr(config, data(), effects));
    const plans: number[][][] = [];
    const planned = finished(
      await trainAsr(config, data(), effects, {
        epochBatches: (shuffle) => {
          const order = Array.from(shuffle.permutation(12));
          plans.push([order.slice(0, 4), order.slice(4, 8), order.slice(8)]);
          return plans.at(-1)!;
        },
      }),
    );
    expect(plans).toHaveLength(2);
    expect(plans[0]).not.toEqual(plans[1]);
    expect(planned.epochs).toEqual(plain.epochs);
    // Another plan (one batch of all 12) trains differently.
    const whole = finished(await trainAsr(config, data(), effects, { epochBatches: (shuffle) => [Array.from(shuffle.permutation(12))] }));
    expect(whole.epochs[1].trainLoss).not.toBe(plain.epochs[1].trainLoss);
  });

  it('rejects a plan that does not hold every training example once', async () => {
    await expect(trainAsr(config, data(), effects, { epochBatches: () => [[0, 1, 2]] })).rejects.toThrow(
      /epoch 1's batches hold 3 examples, the training split 12/,
    );
  });
});

describe('greedy decoding with a stop token', () => {
  it('stops once every row has stopped, with the same tokens up to each stop', () => {
    const model = createAsrModel(config.model, 3);
    const classifier = model.decoder.namedParameters().get('classifier.bias')!;
    // A bias that makes the stop token win at every step: every row stops at the first step.
    classifier.assign(tf.tensor1d(Array.from({ length: VOCAB_SIZE }, (_, id) => (id === STOP ? 50 : 0))));
    const memory = model.encoder.forward(tf.randomNormal([2, freq, frames], 0, 1, 'float32', 1) as tf.Tensor3D);
    const counted = (stopToken?: number) => {
      let steps = 0;
      const start = model.decoder.startDecoding.bind(model.decoder);
      model.decoder.startDecoding = (m) => {
        const session = start(m);
        return {
          step: (tokens) => {
            steps++;
            return session.step(tokens);
          },
          dispose: () => session.dispose(),
        };
      };
      const tokens = model.decoder.greedy(memory, textLength - 1, START, stopToken);
      model.decoder.startDecoding = start;
      const values = tokens.arraySync();
      tokens.dispose();
      return { steps, values };
    };
    const whole = counted();
    const early = counted(STOP);
    expect(whole.steps).toBe(textLength - 1);
    expect(early.steps).toBe(1);
    expect(early.values).toEqual(whole.values);
    expect(early.values[0]).toHaveLength(textLength);
    memory.dispose();
    model.dispose();
  });
});

describe('listeningScores', () => {
  it("reproduces a split's listening evaluation from its clips, so pooled folds score as one split", async () => {
    const model = createAsrModel(config.model, 4);
    const split = clips(6, 9, true);
    const evaluation = await evaluateListening(model, split, config, { alignmentClips: 0 });
    const { alignments: _alignments, ...scores } = evaluation;
    const rescored = listeningScores({ ...evaluation, clips: evaluation.clips }, { ...evaluation.shuffled, clips: evaluation.shuffledClips });
    expect(rescored).toEqual(scores);
    expect(evaluation.shuffledClips).toHaveLength(6);
    model.dispose();
  });
});
