/**
 * Golden comparison with the homework's PyTorch modules (test/fixtures/reference/asr.json and asr.safetensors,
 * made with PyTorch 1.13 at small sizes): encoder output and both decoders' logits to 1e-4, the label-smoothed
 * loss to 1e-5, greedy tokens exactly.
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { createAsrModel, loadPyTorchAsrWeights, readPyTorchAsrWeights } from '../../../src/lib/models/asr.ts';
import type { AsrModel } from '../../../src/lib/models/asr.ts';
import type { DecoderKind } from '../../../src/lib/models/asr-decoders.ts';
import { crossEntropyWithLabelSmoothing } from '../../../src/lib/train/losses.ts';
import { readSafetensors } from '../../../src/lib/weights/safetensors.ts';
import type { TensorMap } from '../../../src/lib/weights/safetensors.ts';

const fixtures = new URL('../../fixtures/reference/', import.meta.url);

interface DecoderReference {
  logits_shape: number[];
  logits: number[];
  loss: number;
  greedy_tokens: number[][];
  trainable_params: number;
}

interface Reference {
  outputs: {
    config: { vocab: number; text_len: number; freq: number; audio_time: number; h: number; n_heads: number; ff: number; enc_layers: number; batch: number };
    encoder_output: { shape: number[]; values: number[] };
    transformer: DecoderReference;
    recurrent: DecoderReference;
    encoder_trainable_params: number;
  };
}

let reference: Reference['outputs'];
let tensors: TensorMap;

const prefixOf: Record<DecoderKind, 'transformer.' | 'recurrent.'> = { attention: 'transformer.', recurrent: 'recurrent.' };
const referenceOf = (kind: DecoderKind): DecoderReference => (kind === 'attention' ? reference.transformer : reference.recurrent);

function buildModel(kind: DecoderKind): AsrModel {
  const { text_len, freq, audio_time, h, n_heads, ff, enc_layers } = reference.config;
  const model = createAsrModel(
    {
      decoder: kind,
      nMels: freq,
      frames: audio_time,
      hidden: h,
      heads: n_heads,
      mlpHidden: ff,
      encoderBlocks: enc_layers,
      textLength: text_len,
      maxTimescale: 3000,
    },
    7,
  );
  loadPyTorchAsrWeights(model, tensors, { encoder: 'encoder.', decoder: prefixOf[kind] }, 'asr.safetensors');
  return model;
}

function inputs(): { audio: tf.Tensor3D; text: tf.Tensor2D } {
  const audio = tensors.get('audio')!;
  const text = tensors.get('text')!;
  return {
    audio: tf.tensor3d(audio.data, audio.shape as [number, number, number]),
    text: tf.tensor2d(Int32Array.from(text.data), text.shape as [number, number], 'int32'),
  };
}

function maxAbsDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  return worst;
}

beforeAll(async () => {
  await initBackend({ log: () => {} });
  reference = (JSON.parse(await readFile(new URL('asr.json', fixtures), 'utf8')) as Reference).outputs;
  tensors = await readSafetensors(new URL('asr.safetensors', fixtures).pathname);
});

describe('ASR modules against the PyTorch reference', () => {
  it('encoder output [batch, frames/2, hidden] matches to 1e-4', () => {
    const model = buildModel('attention');
    const { audio, text } = inputs();
    const output = model.encoder.forward(audio);
    expect(output.dtype).toBe('float32');
    expect(output.shape).toEqual(reference.encoder_output.shape);
    expect(maxAbsDifference(output.dataSync(), reference.encoder_output.values)).toBeLessThan(1e-4);
    expect(model.encoder.parameterCount()).toBe(reference.encoder_trainable_params);
    tf.dispose([output, audio, text]);
    model.dispose();
  });

  for (const kind of ['attention', 'recurrent'] as const) {
    describe(`${kind} decoder`, () => {
      it('has the reference parameter count', () => {
        const model = buildModel(kind);
        expect(model.decoder.parameterCount()).toBe(referenceOf(kind).trainable_params);
        model.dispose();
      });

      it('logits match to 1e-4 and the label-smoothed loss to 1e-5', () => {
        const model = buildModel(kind);
        const { audio, text } = inputs();
        const [batch, length] = text.shape;
        const inputTokens = text.slice([0, 0], [batch, length - 1]); // [batch, length-1]
        const targetTokens = text.slice([0, 1], [batch, length - 1]); // [batch, length-1]
        const logits = model.forward(audio, inputTokens); // [batch, length-1, vocab]
        expect(logits.dtype).toBe('float32');
        // The reference stores PyTorch's [batch, vocab, length] layout.
        const torchLayout = logits.transpose([0, 2, 1]); // [batch, vocab, length-1]
        expect(torchLayout.shape).toEqual(referenceOf(kind).logits_shape);
        expect(maxAbsDifference(torchLayout.dataSync(), referenceOf(kind).logits)).toBeLessThan(1e-4);
        const loss = crossEntropyWithLabelSmoothing(logits, targetTokens, 0.1);
        expect(Math.abs(loss.dataSync()[0] - referenceOf(kind).loss)).toBeLessThan(1e-5);
        tf.dispose([audio, text, inputTokens, targetTokens, logits, torchLayout, loss]);
        model.dispose();
      });

      it('greedy tokens match exactly', () => {
        const model = buildModel(kind);
        const { audio, text } = inputs();
        const tokens = model.transcribe(audio, 0);
        expect(tokens.dtype).toBe('int32');
        expect(tokens.shape).toEqual([reference.config.batch, reference.config.text_len]);
        expect(tokens.arraySync()).toEqual(referenceOf(kind).greedy_tokens);
        tf.dispose([audio, text, tokens]);
        model.dispose();
      });

      it('step-by-step decoding gives the teacher-forced logits', () => {
        // The cached step path must equal the full causal forward on the same prefix (not only the same argmax).
        const model = buildModel(kind);
        const { audio, text } = inputs();
        const [batch, length] = text.shape;
        const memory = model.encoder.forward(audio);
        const full = model.decoder.forward(text.slice([0, 0], [batch, length - 1]), memory); // [batch, length-1, vocab]
        const session = model.decoder.startDecoding(memory);
        const columns = tf.unstack(text, 1) as tf.Tensor1D[];
        const stepped = tf.stack(
          columns.slice(0, length - 1).map((tokens) => session.step(tokens)),
          1,
        ); // [batch, length-1, vocab]
        session.dispose();
        expect(maxAbsDifference(stepped.dataSync(), full.dataSync())).toBeLessThan(1e-5);
        tf.dispose([audio, text, memory, full, stepped, ...columns]);
        model.dispose();
      });

      it('forward, loss and greedy decoding leak no tensors', () => {
        const model = buildModel(kind);
        const { audio, text } = inputs();
        const [batch, length] = text.shape;
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          const logits = model.forward(audio, text.slice([0, 0], [batch, length - 1]));
          crossEntropyWithLabelSmoothing(logits, text.slice([0, 1], [batch, length - 1]));
        });
        model.transcribe(audio).dispose();
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([audio, text]);
        model.dispose();
      });
    });
  }

  it('reads the weights straight from a safetensors file', async () => {
    const model = createAsrModel(
      { decoder: 'recurrent', nMels: 10, frames: 20, hidden: 8, heads: 2, mlpHidden: 16, encoderBlocks: 2, textLength: 12, maxTimescale: 3000 },
      1,
    );
    await readPyTorchAsrWeights(model, new URL('asr.safetensors', fixtures).pathname, { encoder: 'encoder.', decoder: 'recurrent.' });
    const { audio, text } = inputs();
    const tokens = model.transcribe(audio);
    expect(tokens.arraySync()).toEqual(reference.recurrent.greedy_tokens);
    tf.dispose([audio, text, tokens]);
    model.dispose();
  });

  it('rejects a state dict with a wrongly shaped or missing tensor, naming it', () => {
    const broken: TensorMap = new Map(tensors);
    broken.set('encoder.conv1.weight', { shape: [8, 10, 5], data: new Float32Array(400) });
    broken.delete('recurrent.rnn.bias_hh_l0');
    const model = createAsrModel(
      { decoder: 'recurrent', nMels: 10, frames: 20, hidden: 8, heads: 2, mlpHidden: 16, encoderBlocks: 2, textLength: 12, maxTimescale: 3000 },
      1,
    );
    expect(() => loadPyTorchAsrWeights(model, broken, { encoder: 'encoder.', decoder: 'recurrent.' }, 'broken.safetensors')).toThrow(
      /broken\.safetensors.*'encoder\.conv1\.weight' has shape \[8,10,5\]/,
    );
    expect(() => loadPyTorchAsrWeights(model, broken, { encoder: 'encoder.', decoder: 'recurrent.' }, 'broken.safetensors')).toThrow(
      /missing 'recurrent\.rnn\.bias_hh_l0'/,
    );
    model.dispose();
  });
});
