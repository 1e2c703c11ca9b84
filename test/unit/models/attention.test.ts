/**
 * Properties of the building blocks that the small golden file (even lengths, one size) does not pin down:
 * the convolution against PyTorch's definition at odd and even lengths, masking, causality, and that
 * gradients reach every parameter.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { causalMask, MultiHeadAttention, ResidualSelfAttention } from '../../../src/lib/models/attention.ts';
import { AsrEncoder } from '../../../src/lib/models/asr-encoder.ts';
import { Conv1d } from '../../../src/lib/models/layers.ts';
import { Random } from '../../../src/lib/random.ts';

function maxAbsDifference(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

beforeAll(async () => {
  await initBackend({ log: () => {} });
});

/** PyTorch's Conv1d written out: y[b, t, o] = bias[o] + sum over k, i of w[o, i, k] x[b, t*stride + k - pad, i]. */
function referenceConv1d(x: number[][][], weight: number[][][], bias: number[], stride: number, padding: number): number[][][] {
  const length = x[0].length;
  const kernel = weight[0][0].length;
  const outLength = Math.floor((length + 2 * padding - kernel) / stride) + 1;
  return x.map((sequence) =>
    Array.from({ length: outLength }, (_, t) =>
      bias.map((b, o) => {
        let sum = b;
        for (let k = 0; k < kernel; k++) {
          const source = t * stride + k - padding;
          if (source < 0 || source >= length) continue;
          for (let i = 0; i < weight[o].length; i++) sum += weight[o][i][k] * sequence[source][i];
        }
        return sum;
      }),
    ),
  );
}

describe('Conv1d', () => {
  for (const stride of [1, 2]) {
    for (const length of [7, 8, 9, 16]) {
      it(`equals PyTorch's definition with stride ${stride}, padding 1, length ${length}`, () => {
        const random = new Random(length * 10 + stride);
        const conv = new Conv1d(5, 4, 3, random, { stride, padding: 1 });
        const x = tf.randomNormal([2, length, 5], 0, 1, 'float32', 3) as tf.Tensor3D;
        const ours = conv.forward(x);
        const expected = tf.tensor3d(referenceConv1d(x.arraySync(), conv.weight.arraySync() as number[][][], conv.bias.arraySync() as number[], stride, 1));
        expect(ours.dtype).toBe('float32');
        expect(ours.shape).toEqual([2, Math.floor((length - 1) / stride) + 1, 4]);
        expect(ours.shape[1]).toBe(conv.outputLength(length));
        expect(maxAbsDifference(ours, expected)).toBeLessThan(1e-5);
        tf.dispose([x, ours, expected]);
        conv.dispose();
      });
    }
  }
});

describe('MultiHeadAttention', () => {
  it('with -Infinity on some keys equals attention over the other keys alone', () => {
    const attention = new MultiHeadAttention({ hidden: 8, heads: 2 }, new Random(1));
    const x = tf.randomNormal([2, 3, 8], 0, 1, 'float32', 1) as tf.Tensor3D;
    const z = tf.randomNormal([2, 5, 8], 0, 1, 'float32', 2) as tf.Tensor3D;
    const mask = tf.tensor1d([0, -Infinity, 0, -Infinity, 0]); // broadcast over [time, memory]
    const masked = attention.forward(x, z, mask);
    const kept = tf.gather(z, [0, 2, 4], 1) as tf.Tensor3D; // [batch, 3, hidden]
    const reduced = attention.forward(x, kept);
    expect(maxAbsDifference(masked, reduced)).toBeLessThan(1e-5);
    tf.dispose([x, z, mask, masked, kept, reduced]);
    attention.dispose();
  });

  it('causal self-attention: earlier outputs ignore later inputs', () => {
    const layer = new ResidualSelfAttention({ hidden: 8, heads: 2 }, new Random(2));
    const x = tf.randomNormal([1, 6, 8], 0, 1, 'float32', 4) as tf.Tensor3D;
    const changed = tf.concat([x.slice([0, 0, 0], [1, 4, 8]), tf.randomNormal([1, 2, 8], 0, 1, 'float32', 5)], 1) as tf.Tensor3D;
    const mask = causalMask(6);
    const a = layer.forward(x, mask);
    const b = layer.forward(changed, mask);
    expect(maxAbsDifference(a.slice([0, 0, 0], [1, 4, 8]), b.slice([0, 0, 0], [1, 4, 8]))).toBe(0);
    expect(maxAbsDifference(a.slice([0, 4, 0], [1, 2, 8]), b.slice([0, 4, 0], [1, 2, 8]))).toBeGreaterThan(1e-3);
    tf.dispose([x, changed, mask, a, b]);
    layer.dispose();
  });
});

describe('AsrEncoder', () => {
  it('halves odd frame counts rounding up (2754 -> 1377 at the homework sizes; 17 -> 9) and every parameter gets a gradient', () => {
    const encoder = new AsrEncoder({ nMels: 4, hidden: 8, heads: 2, mlpHidden: 16, encoderBlocks: 1, maxTimescale: 3000 }, new Random(3));
    expect(encoder.outputLength(2754)).toBe(1377);
    expect(encoder.outputLength(17)).toBe(9);
    const audio = tf.randomNormal([2, 4, 17], 0, 1, 'float32', 6) as tf.Tensor3D; // [batch, nMels, frames]
    const parameters = [...encoder.namedParameters().values()];
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(encoder.forward(audio))) as tf.Scalar, parameters);
    expect(Object.keys(grads)).toHaveLength(parameters.length);
    for (const gradient of Object.values(grads)) expect(tf.tidy(() => tf.max(tf.abs(gradient)).dataSync()[0])).toBeGreaterThan(0);
    const output = encoder.forward(audio);
    expect(output.dtype).toBe('float32');
    expect(output.shape).toEqual([2, 9, 8]);
    tf.dispose([audio, value, output, ...Object.values(grads)]);
    encoder.dispose();
  });
});
