/**
 * The fused attention (online softmax over key tiles, custom gradient recomputing the scores) against the stock
 * composition of ops: values and the gradients of q, k and v to 1e-5 on random inputs, with no mask, a causal
 * mask, per-clip key padding (whole tiles masked), fully masked rows and finite masks; no leaked tensors; and
 * no [batch, heads, time, memory] matrix anywhere in a training step's forward and backward pass.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { causalMask } from '../../../src/lib/models/attention.ts';
import { fusedAttention, stockAttention } from '../../../src/lib/models/fused-attention.ts';

beforeAll(async () => {
  await initBackend({ log: () => {} });
});

interface Case {
  batch: number;
  heads: number;
  time: number;
  memory: number;
  dim: number;
  tile: number;
  mask?: () => tf.Tensor;
}

/** Output and d(sum(output * r))/d(q, k, v) of one form: 4 arrays. */
function run(form: (q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask?: tf.Tensor) => tf.Tensor4D, c: Case, seed: number): Float32Array[] {
  return tf.tidy(() => {
    const q = tf.randomNormal([c.batch, c.heads, c.time, c.dim], 0, 1, 'float32', seed) as tf.Tensor4D;
    const k = tf.randomNormal([c.batch, c.heads, c.memory, c.dim], 0, 1, 'float32', seed + 1) as tf.Tensor4D;
    const v = tf.randomNormal([c.batch, c.heads, c.memory, c.dim], 0, 1, 'float32', seed + 2) as tf.Tensor4D;
    const r = tf.randomNormal([c.batch, c.heads, c.time, c.dim], 0, 1, 'float32', seed + 3);
    const mask = c.mask?.();
    const output = form(q, k, v, mask);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(form(a as tf.Tensor4D, b as tf.Tensor4D, d as tf.Tensor4D, mask), r)))([
      q,
      k,
      v,
    ]);
    expect(output.dtype).toBe('float32');
    expect(output.shape).toEqual([c.batch, c.heads, c.time, c.dim]);
    return [output, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

/** Largest |a - b| relative to the largest |b|; NaN where exactly one of them is NaN. */
function relativeDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Number.NaN;
    if (Number.isNaN(a[i])) continue;
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return worst / Math.max(scale, 1e-12);
}

function expectSame(c: Case, seed: number): void {
  const fused = run((q, k, v, mask) => fusedAttention(q, k, v, mask, c.tile), c, seed);
  const stock = run(stockAttention, c, seed);
  ['output', 'dq', 'dk', 'dv'].forEach((name, i) => {
    expect(relativeDifference(fused[i], stock[i]), name).toBeLessThan(1e-5);
  });
}

describe('fusedAttention equals the stock ops', () => {
  it('without a mask, over several key tiles with a short last one', () => {
    expectSame({ batch: 2, heads: 2, time: 7, memory: 11, dim: 4, tile: 3 }, 1);
  });

  it('in one tile (tile larger than the memory)', () => {
    expectSame({ batch: 1, heads: 2, time: 5, memory: 6, dim: 3, tile: 256 }, 2);
  });

  it('with the causal mask: early rows see fully masked tiles after their first', () => {
    expectSame({ batch: 2, heads: 2, time: 9, memory: 9, dim: 4, tile: 2, mask: () => causalMask(9) }, 3);
  });

  it('with per-clip key padding that masks whole tiles ([batch, 1, 1, memory])', () => {
    const padding = (): tf.Tensor => {
      const values = new Float32Array(2 * 10);
      for (let j = 3; j < 10; j++) values[j] = -Infinity; // clip 0: keys 3.. are padding (tiles 1 and 2 fully masked)
      values[10 + 9] = -Infinity; // clip 1: the last key only
      return tf.tensor4d(values, [2, 1, 1, 10]);
    };
    expectSame({ batch: 2, heads: 3, time: 4, memory: 10, dim: 5, tile: 3, mask: padding }, 4);
  });

  it('with a key mask on the first tile only ([memory]): rows start from a fully masked tile', () => {
    expectSame(
      { batch: 1, heads: 2, time: 3, memory: 8, dim: 2, tile: 4, mask: () => tf.tensor1d([-Infinity, -Infinity, -Infinity, -Infinity, 0, 0, 0, 0]) },
      5,
    );
  });

  it('with a finite mask (-1e9) masking a whole row: uniform weights, as the stock softmax', () => {
    const mask = () => {
      const values = new Float32Array(4 * 6);
      values.fill(-1e9, 6, 12); // row 1 sees nothing
      values[3] = -1e9;
      return tf.tensor2d(values, [4, 6]);
    };
    expectSame({ batch: 1, heads: 2, time: 4, memory: 6, dim: 3, tile: 4, mask }, 6);
  });

  it('a row whose every key is -Infinity is NaN in both, the other rows agree', () => {
    const mask = () => {
      const values = new Float32Array(3 * 5);
      values.fill(-Infinity, 5, 10); // row 1
      return tf.tensor2d(values, [3, 5]);
    };
    const c: Case = { batch: 1, heads: 1, time: 3, memory: 5, dim: 2, tile: 2, mask };
    const fused = run((q, k, v, m) => fusedAttention(q, k, v, m, c.tile), c, 7)[0];
    const stock = run(stockAttention, c, 7)[0];
    expect(Array.from(fused.subarray(2, 4)).every(Number.isNaN)).toBe(true);
    expect(relativeDifference(fused, stock)).toBeLessThan(1e-5); // NaN exactly where the stock output is
  });
});

describe('fusedAttention', () => {
  it('leaks no tensors, with or without the tape', () => {
    const q = tf.randomNormal([1, 2, 6, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
    const k = tf.randomNormal([1, 2, 9, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
    const mask = tf.zeros([6, 9]);
    const before = tf.memory().numTensors;
    fusedAttention(q, k, k, mask, 4).dispose();
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(fusedAttention(a as tf.Tensor4D, b as tf.Tensor4D, b as tf.Tensor4D, mask, 4)))([q, k]);
    tf.dispose(grads);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([q, k, mask]);
  });

  it('holds less than one attention matrix in a forward and backward pass (the stock ops more than three)', async () => {
    const [batch, heads, time, dim, tile] = [2, 2, 384, 8, 64];
    const matrixBytes = batch * heads * time * time * 4;
    const q = tf.randomNormal([batch, heads, time, dim], 0, 1, 'float32', 1) as tf.Tensor4D;
    const k = tf.randomNormal([batch, heads, time, dim], 0, 1, 'float32', 2) as tf.Tensor4D;
    const padding = tf.zeros([batch, 1, 1, time]);
    // tf.memory().numBytes counts every tensor handle, so views (reshapes inside matMul, saved clones) count twice.
    const peak = async (form: (a: tf.Tensor4D, b: tf.Tensor4D) => tf.Tensor4D) => {
      const start = tf.memory().numBytes;
      const profile = await tf.profile(() => tf.dispose(tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(form(a as tf.Tensor4D, b as tf.Tensor4D)))([q, k])));
      return (profile.peakBytes - start) / matrixBytes;
    };
    const fused = await peak((a, b) => fusedAttention(a, b, b, padding, tile));
    const stock = await peak((a, b) => stockAttention(a, b, b, padding));
    // Measured: 7.2 matrices for the stock ops, 0.76 for the fused (a few tiles of 64 keys out of 384).
    expect(stock).toBeGreaterThan(3);
    expect(fused).toBeLessThan(1);
    tf.dispose([q, k, padding]);
  });

  it('rejects a mask that does not broadcast to [time, memory], naming both', () => {
    const q = tf.zeros([1, 1, 3, 2]) as tf.Tensor4D;
    const k = tf.zeros([1, 1, 4, 2]) as tf.Tensor4D;
    const mask = tf.zeros([3, 3]);
    expect(() => fusedAttention(q, k, k, mask)).toThrow(/mask of shape \[3,3\] does not broadcast to \[time 3, memory 4\]/);
    tf.dispose([q, k, mask]);
  });
});
