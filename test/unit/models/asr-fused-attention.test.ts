/**
 * The ASR model with `attention: 'fused'` (encoder self-attention, decoder self- and cross-attention through
 * ./fused-attention.ts) against the same model with the stock ops and against PyTorch: on the golden weights
 * (test/fixtures/reference/asr.*) logits and every parameter's gradient agree with the stock model to 1e-5 and
 * with PyTorch within the tolerances the stock model is held to; on random weights at 300 frames (150 encoder
 * positions: two key tiles) the same to 1e-5; greedy tokens are identical; nothing leaks.
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { createAsrModel, loadPyTorchAsrWeights } from '../../../src/lib/models/asr.ts';
import type { AsrModel, AsrModelConfig } from '../../../src/lib/models/asr.ts';
import type { AttentionKind } from '../../../src/lib/models/fused-attention.ts';
import { defaultKeyTile } from '../../../src/lib/models/fused-attention.ts';
import { lossAndGradients, teacherForcedLoss } from '../../../src/lib/train/asr.ts';
import { readSafetensors } from '../../../src/lib/weights/safetensors.ts';
import type { TensorMap } from '../../../src/lib/weights/safetensors.ts';

const fixtures = new URL('../../fixtures/reference/', import.meta.url);
let weights: TensorMap;
let torchGradients: TensorMap;
let reference: { transformer: { logits: number[]; greedy_tokens: number[][] }; recurrent: { logits: number[]; greedy_tokens: number[][] } };

beforeAll(async () => {
  await initBackend({ log: () => {} });
  weights = await readSafetensors(new URL('asr.safetensors', fixtures).pathname);
  torchGradients = await readSafetensors(new URL('asr.gradients.safetensors', fixtures).pathname);
  reference = JSON.parse(await readFile(new URL('asr.json', fixtures), 'utf8')).outputs;
});

const golden = { nMels: 10, frames: 20, hidden: 8, heads: 2, mlpHidden: 16, encoderBlocks: 2, textLength: 12, maxTimescale: 3000 };
const prefixOf = { attention: 'transformer.', recurrent: 'recurrent.' } as const;

function goldenModel(decoder: 'attention' | 'recurrent', attention: AttentionKind): AsrModel {
  const model = createAsrModel({ ...golden, decoder, attention }, 3);
  loadPyTorchAsrWeights(model, weights, { encoder: 'encoder.', decoder: prefixOf[decoder] }, 'asr.safetensors');
  return model;
}

/** Logits and every gradient of one model on (audio, text), as plain arrays by name. */
function outputs(model: AsrModel, audio: tf.Tensor3D, text: tf.Tensor2D): { loss: number; logits: Float32Array; gradients: Map<string, Float32Array> } {
  const [batch, length] = text.shape;
  const logits = tf.tidy(() => model.forward(audio, tf.slice(text, [0, 0], [batch, length - 1])).dataSync() as Float32Array);
  const { loss, gradients } = lossAndGradients(model, audio, text, 0.1);
  const arrays = new Map([...gradients].map(([name, gradient]) => [name, gradient.dataSync() as Float32Array]));
  tf.dispose([...gradients.values()]);
  return { loss, logits, gradients: arrays };
}

/** max |a - b| / max |b|. */
function relative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return worst / Math.max(scale, 1e-12);
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

describe("attention: 'fused' in the ASR model", () => {
  for (const decoder of ['attention', 'recurrent'] as const) {
    it(`${decoder} decoder on the golden weights: logits and gradients equal the stock model's to 1e-5 and PyTorch's`, () => {
      const audio = tf.tensor3d(weights.get('audio')!.data, [2, 10, 16]);
      const text = tf.tensor2d(Int32Array.from(weights.get('text')!.data), [2, 12], 'int32');
      const stock = goldenModel(decoder, 'stock');
      const fused = goldenModel(decoder, 'fused');
      const before = tf.memory().numTensors;
      const ours = outputs(fused, audio, text);
      expect(tf.memory().numTensors).toBe(before);
      const theirs = outputs(stock, audio, text);
      expect(relative(ours.logits, theirs.logits)).toBeLessThan(1e-5);
      expect(Math.abs(ours.loss - theirs.loss)).toBeLessThan(1e-5);
      expect(ours.gradients.size).toBe(fused.namedParameters().size);
      for (const [name, gradient] of ours.gradients) {
        expect(relative(gradient, theirs.gradients.get(name)!), name).toBeLessThan(1e-5);
        const torchName = `${decoder}.${name.startsWith('decoder.') ? prefixOf[decoder] + name.slice('decoder.'.length) : name}`;
        // The stock model's tolerance against PyTorch (asr-gradients.test.ts): 2e-4 of the largest entry.
        expect(relative(gradient, torchGradients.get(torchName)!.data), torchName).toBeLessThan(2e-4);
      }
      // PyTorch's [batch, vocab, length] layout in asr.json; ours is [batch, length, vocab].
      const torchLogits = reference[decoder === 'attention' ? 'transformer' : 'recurrent'].logits;
      const [batch, length, vocab] = [2, 11, 35];
      let worst = 0;
      for (let b = 0; b < batch; b++)
        for (let t = 0; t < length; t++)
          for (let c = 0; c < vocab; c++)
            worst = Math.max(worst, Math.abs(ours.logits[(b * length + t) * vocab + c] - torchLogits[(b * vocab + c) * length + t]));
      expect(worst).toBeLessThan(1e-4);
      const tokens = fused.transcribe(audio, 0);
      expect(tokens.arraySync()).toEqual(reference[decoder === 'attention' ? 'transformer' : 'recurrent'].greedy_tokens);
      tf.dispose([audio, text, tokens]);
      stock.dispose();
      fused.dispose();
    });
  }

  it('on random weights over two key tiles (300 frames): loss, logits, gradients and greedy tokens equal the stock model', () => {
    const frames = 300;
    const config: Omit<AsrModelConfig, 'attention'> = {
      decoder: 'attention',
      nMels: 12,
      frames,
      hidden: 16,
      heads: 2,
      mlpHidden: 32,
      encoderBlocks: 2,
      textLength: 20,
      maxTimescale: 3000,
    };
    const stock = createAsrModel({ ...config, attention: 'stock' }, 5);
    const fused = createAsrModel({ ...config, attention: 'fused' }, 5);
    expect(fused.encoder.outputLength(frames)).toBeGreaterThan(defaultKeyTile);
    const audio = tf.randomNormal([2, 12, frames], 0, 1, 'float32', 9) as tf.Tensor3D;
    const text = tf.tensor2d(
      Int32Array.from({ length: 40 }, (_, i) => (i * 7 + 3) % 35),
      [2, 20],
      'int32',
    );
    const ours = outputs(fused, audio, text);
    const theirs = outputs(stock, audio, text);
    expect(relative(ours.logits, theirs.logits)).toBeLessThan(1e-5);
    expect(Math.abs(ours.loss - theirs.loss)).toBeLessThan(1e-5);
    for (const [name, gradient] of ours.gradients) expect(relative(gradient, theirs.gradients.get(name)!), name).toBeLessThan(1e-5);
    const fusedTokens = fused.transcribe(audio);
    const stockTokens = stock.transcribe(audio);
    expect(fusedTokens.arraySync()).toEqual(stockTokens.arraySync());
    const before = tf.memory().numTensors;
    teacherForcedLoss(fused, audio, text, 0.1).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(maxAbs(ours.logits, theirs.logits)).toBeGreaterThan(0); // a different computation, not the same ops twice
    tf.dispose([audio, text, fusedTokens, stockTokens]);
    stock.dispose();
    fused.dispose();
  });
});
