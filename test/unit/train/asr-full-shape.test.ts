/**
 * The homework's exact Question 3 configuration, which no committed run exercises (it needs the full LJ Speech and
 * ~40 GB at batch 64): the `full` profile's model (width 200, 2,754 frames, text 99, its attention setting) on two
 * committed real LJ Speech recordings (content/audio/ljspeech/), one training step in micro-batches of one clip
 * and one greedy decoding per decoder, so the homework's setting cannot break unseen. And the parameter counts at
 * that shape equal those of the homework's PyTorch modules (test/fixtures/reference/asr-full-parameters.json, made
 * by asr-full-parameters.py beside it). About 10 s and 1.2 GB of tensors per decoder on the cpu backend.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { q3Asr } from '../../../experiments/q3/asr.ts';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { clipFeatures } from '../../../src/lib/data/sample-clips.ts';
import { resolveConfig } from '../../../src/lib/harness/experiment.ts';
import { createAsrModel } from '../../../src/lib/models/asr.ts';
import { Random } from '../../../src/lib/random.ts';
import { encodeText, START, STOP, VOCAB_SIZE } from '../../../src/lib/text/tokens.ts';
import { AdamW } from '../../../src/lib/train/adamw.ts';
import { batchLossAndGradients } from '../../../src/lib/train/asr.ts';
import { asrTrainingConfig } from '../../../experiments/q3/config.ts';

const audioDir = new URL('../../../content/audio/ljspeech/', import.meta.url);
const parameterCounts = new URL('../../fixtures/reference/asr-full-parameters.json', import.meta.url);

// LJ Speech 1.1's normalized transcripts of the two committed recordings (metadata.csv rows 356 and 357).
const clips = [
  { id: 'LJ002-0172', text: 'For this he was summoned before a magistrate, and sentenced as already stated.' },
  { id: 'LJ002-0173', text: 'The lad was proved to be of good character and the son of respectable parents.' },
];

const full = resolveConfig(q3Asr, 'full');
let audio: Float32Array;
let text: Int32Array;

beforeAll(async () => {
  await initBackend({ log: () => {} });
  const manifest = JSON.parse(await readFile(new URL('manifest.json', audioDir), 'utf8')) as { clips: { id: string; sha256: string }[] };
  const features: Float32Array[] = [];
  for (const clip of clips) {
    const wav = new Uint8Array(await readFile(new URL(`${clip.id}.wav`, audioDir)));
    expect(createHash('sha256').update(wav).digest('hex')).toBe(manifest.clips.find((entry) => entry.id === clip.id)?.sha256);
    features.push(clipFeatures(wav, { nMels: full.nMels, frames: full.frames, source: clip.id })); // [nMels, frames]
  }
  audio = new Float32Array(features.length * full.nMels * full.frames);
  features.forEach((clip, i) => audio.set(clip, i * clip.length));
  text = new Int32Array(clips.length * full.textLength);
  clips.forEach((clip, i) => text.set(encodeText(clip.text, full.textLength), i * full.textLength));
});

describe("the full profile's model at the homework's shape", () => {
  it('is the homework configuration', () => {
    expect({ nMels: full.nMels, frames: full.frames, textLength: full.textLength, hidden: full.hidden, heads: full.heads }).toEqual({
      nMels: 80,
      frames: 2754,
      textLength: 99,
      hidden: 200,
      heads: 2,
    });
    expect({ mlpHidden: full.mlpHidden, encoderBlocks: full.encoderBlocks, trainBatch: full.trainBatch }).toEqual({
      mlpHidden: 400,
      encoderBlocks: 2,
      trainBatch: 64,
    });
  });

  for (const decoder of ['recurrent', 'attention'] as const) {
    it(`${decoder} decoder: the homework's parameter count, one training step on two real clips in micro-batches of 1, one greedy decoding`, async () => {
      const reference = JSON.parse(await readFile(parameterCounts, 'utf8')) as Record<string, number>;
      const before = tf.memory().numTensors;
      const config = asrTrainingConfig({ ...full, seed: 1 }, decoder, { microBatch: 1 });
      const model = createAsrModel(config.model, new Random(1));
      expect(model.encoder.parameterCount()).toBe(reference.encoder);
      expect(model.decoder.parameterCount()).toBe(reference[decoder]);
      const optimizer = new AdamW(model.namedParameters(), { learningRate: config.learningRate, weightDecay: config.weightDecay });
      const audioTensor = tf.tensor3d(audio, [clips.length, full.nMels, full.frames]);
      const textTensor = tf.tensor2d(text, [clips.length, full.textLength], 'int32');
      const classifierBefore = model.decoder.namedParameters().get('classifier.weight')!.dataSync().slice();

      const { loss, gradients } = batchLossAndGradients(model, audioTensor, textTensor, config.labelSmoothing, config.microBatch!);
      // An untrained model's label-smoothed loss is near ln(35) = 3.56 (measured 3.6-4.3 at this shape).
      expect(loss).toBeGreaterThan(2.5);
      expect(loss).toBeLessThan(6);
      expect(gradients.size).toBe(model.namedParameters().size);
      for (const [name, gradient] of gradients) {
        const values = gradient.dataSync();
        expect(values.every(Number.isFinite), name).toBe(true);
        expect(
          values.some((value) => value !== 0),
          name,
        ).toBe(true);
      }
      optimizer.step(gradients);
      tf.dispose([...gradients.values()]);
      const classifierAfter = model.decoder.namedParameters().get('classifier.weight')!.dataSync();
      expect(classifierAfter).not.toEqual(classifierBefore);

      const tokens = model.transcribe(audioTensor, START);
      expect(tokens.dtype).toBe('int32');
      expect(tokens.shape).toEqual([clips.length, full.textLength]);
      const rows = tokens.arraySync();
      for (const row of rows) {
        expect(row[0]).toBe(START);
        expect(row.every((token) => Number.isInteger(token) && token >= 0 && token < VOCAB_SIZE)).toBe(true);
      }
      expect(STOP).toBeLessThan(VOCAB_SIZE);
      tf.dispose([tokens, audioTensor, textTensor]);
      optimizer.dispose();
      model.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }, 300_000); // ~10 s on an idle core; minutes when the machine is shared
  }
});
