/**
 * Gradients of the homework's loss against PyTorch: test/fixtures/reference/asr.gradients.safetensors holds
 * d loss / d parameter for the golden weights (made by asr.gradients.py beside it, which first checks that its
 * PyTorch modules reproduce asr.json). This pins down the backward pass of every module the way asr.json pins
 * down the forward pass.
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { createAsrModel, loadPyTorchAsrWeights } from '../../../src/lib/models/asr.ts';
import { lossAndGradients } from '../../../src/lib/train/asr.ts';
import { readSafetensors } from '../../../src/lib/weights/safetensors.ts';
import type { TensorMap } from '../../../src/lib/weights/safetensors.ts';

const fixtures = new URL('../../fixtures/reference/', import.meta.url);
let weights: TensorMap;
let gradients: TensorMap;
let metadata: Record<string, string>;

/** The safetensors header's __metadata__ (the losses), which readSafetensors leaves out. */
async function readMetadata(path: string): Promise<Record<string, string>> {
  const bytes = await readFile(path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  return (JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as { __metadata__: Record<string, string> }).__metadata__;
}

beforeAll(async () => {
  await initBackend({ log: () => {} });
  weights = await readSafetensors(new URL('asr.safetensors', fixtures).pathname);
  gradients = await readSafetensors(new URL('asr.gradients.safetensors', fixtures).pathname);
  metadata = await readMetadata(new URL('asr.gradients.safetensors', fixtures).pathname);
});

describe('ASR loss gradients against PyTorch', () => {
  for (const [kind, prefix] of [
    ['attention', 'transformer.'],
    ['recurrent', 'recurrent.'],
  ] as const) {
    it(`${kind} decoder: every parameter's gradient agrees`, () => {
      const model = createAsrModel(
        { decoder: kind, nMels: 10, frames: 20, hidden: 8, heads: 2, mlpHidden: 16, encoderBlocks: 2, textLength: 12, maxTimescale: 3000 },
        3,
      );
      loadPyTorchAsrWeights(model, weights, { encoder: 'encoder.', decoder: prefix }, 'asr.safetensors');
      const audio = tf.tensor3d(weights.get('audio')!.data, [2, 10, 16]);
      const text = tf.tensor2d(Int32Array.from(weights.get('text')!.data), [2, 12], 'int32');
      const before = tf.memory().numTensors;
      const { loss, gradients: ours } = lossAndGradients(model, audio, text, 0.1);
      expect(tf.memory().numTensors - before).toBe(ours.size); // only the gradients survive
      expect(ours.size).toBe(model.namedParameters().size);
      let worstRelative = 0;
      for (const [name, gradient] of ours) {
        const torchName = `${kind}.${name.startsWith('decoder.') ? prefix + name.slice('decoder.'.length) : name}`;
        const expected = gradients.get(torchName);
        expect(expected, torchName).toBeDefined();
        expect(gradient.shape).toEqual(expected!.shape);
        const actual = gradient.dataSync();
        // Relative to the parameter's largest gradient, so tiny entries are not judged by float32 noise alone.
        let scale = 0;
        for (const value of expected!.data) scale = Math.max(scale, Math.abs(value));
        let worst = 0;
        for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected!.data[i]));
        worstRelative = Math.max(worstRelative, worst / Math.max(scale, 1e-6));
      }
      // Measured: 1.6e-5 (attention) and 1.0e-5 (recurrent), float32 noise plus tfjs's approximate erf;
      // 2e-4 leaves a 10x margin, while a wrong or missing term shows up at O(1).
      expect(worstRelative).toBeLessThan(2e-4);
      expect(Math.abs(loss - Number(metadata[`${kind}.loss`]))).toBeLessThan(1e-5);
      tf.dispose([audio, text, ...ours.values()]);
      model.dispose();
    });
  }
});
