import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import {
  cnnLayerTable,
  cnnParameterShapes,
  cnnStateDict,
  countTrainableParams,
  createCnn,
  initialCnnStateDict,
  loadCnnStateDict,
  setDropoutSeed,
  type CnnVariant,
} from '../../../src/lib/models/cnn.ts';
import { Random } from '../../../src/lib/random.ts';
import { readSafetensors, type TensorMap } from '../../../src/lib/weights/safetensors.ts';

const referenceDir = new URL('../../fixtures/reference/', import.meta.url);
interface Reference {
  about: string;
  // log_probs is flat, row-major in `shape` ([batch, classes]).
  outputs: Record<'maxpool' | 'no_maxpool', { trainable_params: number; log_probs: number[]; shape: number[] }>;
}
const prefixes: Record<CnnVariant, 'maxpool' | 'no_maxpool'> = { pooled: 'maxpool', strided: 'no_maxpool' };

let reference: Reference;
let weights: TensorMap;
beforeAll(async () => {
  await initBackend();
  reference = JSON.parse(readFileSync(new URL('cnn.json', referenceDir), 'utf8')) as Reference;
  weights = await readSafetensors(new URL('cnn.safetensors', referenceDir).pathname);
});

describe('parity with the PyTorch reference (cnn.safetensors / cnn.json)', () => {
  for (const variant of ['pooled', 'strided'] as const) {
    it(`${variant}: eval-mode log-probabilities match to 1e-4`, () => {
      const expected = reference.outputs[prefixes[variant]];
      const model = createCnn({ variant, classes: 4, dropout: 0.7, seed: 5 });
      loadCnnStateDict(model, weights, `${prefixes[variant]}.`);
      const input = weights.get('input')!;
      expect(input.shape).toEqual([3, 1, 28, 28]);
      // NCHW with one channel has the same memory layout as NHWC.
      const x = tf.tensor4d(input.data, [3, 28, 28, 1]); // [batch, 28, 28, 1]
      const out = model.predict(x) as tf.Tensor; // [batch, 4]
      expect(out.dtype).toBe('float32');
      expect(out.shape).toEqual(expected.shape);
      const got = out.dataSync();
      expect(got.length).toBe(expected.log_probs.length);
      let worst = 0;
      got.forEach((value, i) => (worst = Math.max(worst, Math.abs(value - expected.log_probs[i]))));
      expect(worst).toBeLessThan(1e-4);
      // The reference is far from uniform, so a wrong padding or flatten order could not pass by accident.
      expect(Math.max(...expected.log_probs) - Math.min(...expected.log_probs)).toBeGreaterThan(1);
      expect(countTrainableParams(model)).toBe(expected.trainable_params);
      tf.dispose([x, out]);
      model.dispose();
    });
  }

  it('a flatten in tfjs order (H, W, C) would not match: the permute is what makes the reference weights load', () => {
    const model = createCnn({ variant: 'pooled', classes: 4, dropout: 0.7, seed: 5 });
    const shuffled: TensorMap = new Map(weights);
    const fc1 = weights.get('maxpool.fc1.weight')!;
    // Reorder fc1's inputs from (C, H, W) to (H, W, C), as loading without the permute would need.
    const data = new Float32Array(fc1.data.length);
    for (let o = 0; o < 320; o++) {
      for (let c = 0; c < 16; c++) for (let p = 0; p < 36; p++) data[o * 576 + p * 16 + c] = fc1.data[o * 576 + c * 36 + p];
    }
    shuffled.set('maxpool.fc1.weight', { shape: fc1.shape, data });
    loadCnnStateDict(model, shuffled, 'maxpool.');
    const out = tf.tidy(() => model.predict(tf.tensor4d(weights.get('input')!.data, [3, 28, 28, 1])) as tf.Tensor);
    const got = (out.arraySync() as number[][]).flat();
    const expected = reference.outputs.maxpool.log_probs;
    expect(Math.max(...got.map((v, i) => Math.abs(v - expected[i])))).toBeGreaterThan(1e-2);
    out.dispose();
    model.dispose();
  });
});

describe('createCnn', () => {
  it('has 224,892 trainable parameters with 4 classes and 225,618 with 10, in both variants', () => {
    for (const variant of ['pooled', 'strided'] as const) {
      for (const [classes, count] of [
        [4, 224_892],
        [10, 225_618],
      ]) {
        const model = createCnn({ variant, classes, dropout: 0.7, seed: 3 });
        expect(countTrainableParams(model), `${variant}, ${classes} classes`).toBe(count);
        expect(cnnLayerTable(model).reduce((sum, row) => sum + row.params, 0)).toBe(count);
        model.dispose();
      }
    }
  });

  it('layer table: output shapes and parameters per layer', () => {
    const pooled = createCnn({ variant: 'pooled', classes: 10, dropout: 0.7, seed: 3 });
    const strided = createCnn({ variant: 'strided', classes: 10, dropout: 0.7, seed: 3 });
    const brief = (model: tf.LayersModel) => cnnLayerTable(model).map((row) => `${row.name} [${row.outputShape}] ${row.params}`);
    expect(brief(pooled)).toEqual([
      'input [28,28,1] 0',
      'conv1 [28,28,8] 80',
      'pool1 [14,14,8] 0',
      'conv2 [12,12,16] 1168',
      'pool2 [6,6,16] 0',
      'to_chw [16,6,6] 0',
      'flatten [576] 0',
      'fc1 [320] 184640',
      'dropout [320] 0',
      'fc2 [120] 38520',
      'fc3 [10] 1210',
      'log_softmax [10] 0',
    ]);
    expect(brief(strided)).toEqual([
      'input [28,28,1] 0',
      'pad1 [30,30,1] 0',
      'conv1 [14,14,8] 80',
      'conv2 [6,6,16] 1168',
      'to_chw [16,6,6] 0',
      'flatten [576] 0',
      'fc1 [320] 184640',
      'dropout [320] 0',
      'fc2 [120] 38520',
      'fc3 [10] 1210',
      'log_softmax [10] 0',
    ]);
    expect(cnnLayerTable(strided)[2].description).toContain('stride 2');
    expect(cnnLayerTable(pooled)[1].description).toContain('stride 1');
    pooled.dispose();
    strided.dispose();
  });

  it('seeded PyTorch-style init: same seed same weights, bounds 1/sqrt(fan_in)', () => {
    const a = initialWeights(11);
    const b = initialWeights(11);
    const c = initialWeights(12);
    expect(sameTensors(a, b)).toBe(true);
    expect(sameTensors(a, c)).toBe(false);
    expect(sameTensors(a, initialCnnStateDict(4, new Random(11)))).toBe(true);
    for (const [name, shape] of cnnParameterShapes(4)) {
      const fanIn = name.startsWith('conv1') ? 9 : name.startsWith('conv2') ? 72 : name.startsWith('fc1') ? 576 : name.startsWith('fc2') ? 320 : 120;
      const values = a.get(name)!.data;
      expect(a.get(name)!.shape).toEqual(shape);
      const bound = 1 / Math.sqrt(fanIn);
      const max = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(max, name).toBeLessThanOrEqual(bound);
      if (values.length > 100) expect(max, name).toBeGreaterThan(0.95 * bound);
    }
    expect(() => createCnn({ variant: 'pooled', classes: 4, dropout: 0.7, seed: 0 })).toThrow(/non-zero/);
  });

  it('cnnStateDict inverts loadCnnStateDict exactly', () => {
    const model = createCnn({ variant: 'strided', classes: 4, dropout: 0.7, seed: 2 });
    const prefix = 'no_maxpool.';
    loadCnnStateDict(model, weights, prefix);
    const back = cnnStateDict(model);
    const original: TensorMap = new Map(cnnParameterShapes(4).map(([name]) => [name, weights.get(prefix + name)!]));
    expect(sameTensors(back, original)).toBe(true);
    model.dispose();
    const bad = new Map(weights);
    bad.set('maxpool.fc3.weight', { shape: [10, 120], data: new Float32Array(1200) });
    const other = createCnn({ variant: 'pooled', classes: 4, dropout: 0.7, seed: 2 });
    expect(() => loadCnnStateDict(other, bad, 'maxpool.')).toThrow(/'maxpool.fc3.weight' has shape \[10,120\], the model needs \[4,120\]/);
    expect(() => loadCnnStateDict(other, weights, 'nothing.')).toThrow(/'nothing.conv1.weight' is missing/);
    other.dispose();
  });

  it('dropout is active in training only; the mask follows the seed', () => {
    const model = createCnn({ variant: 'pooled', classes: 4, dropout: 0.7, seed: 2 });
    const x = tf.tensor4d(weights.get('input')!.data, [3, 28, 28, 1]);
    const run = (training: boolean, seed?: number) => {
      if (seed !== undefined) setDropoutSeed(model, seed);
      return tf.tidy(() => (model.apply(x, { training }) as tf.Tensor).dataSync().slice());
    };
    expect(run(false, 7)).toEqual(run(false, 8));
    expect(run(true, 7)).toEqual(run(true, 7));
    expect(run(true, 7)).not.toEqual(run(true, 8));
    expect(run(true, 7)).not.toEqual(run(false));
    expect(() => setDropoutSeed(model, 0)).toThrow(/non-zero/);
    x.dispose();
    model.dispose();
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const model = createCnn({ variant: 'strided', classes: 10, dropout: 0.7, seed: 4 });
    tf.tidy(() => {
      model.predict(tf.zeros([2, 28, 28, 1]));
    });
    cnnStateDict(model);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

function initialWeights(seed: number): TensorMap {
  const model = createCnn({ variant: 'pooled', classes: 4, dropout: 0.7, seed });
  const state = cnnStateDict(model);
  model.dispose();
  return state;
}

/** Same names, shapes and bytes (a deep toEqual over 200k floats is slow). */
function sameTensors(a: TensorMap, b: TensorMap): boolean {
  if (a.size !== b.size) return false;
  for (const [name, tensor] of a) {
    const other = b.get(name);
    if (!other || other.shape.join() !== tensor.shape.join()) return false;
    const bytes = (t: { data: Float32Array }) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (!bytes(tensor).equals(bytes(other))) return false;
  }
  return true;
}
