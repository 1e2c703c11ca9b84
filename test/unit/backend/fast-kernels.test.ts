/**
 * Parity of the fast cpu kernels with tfjs's stock kernels over randomized shapes, a small conv net's
 * gradients with and without them, fall-through to the stock kernel for what they do not handle, and leaks.
 *
 * Every case runs the same kernel call twice, stock then fast, and also checks that the fast kernel really
 * answered (no fallback), so a case cannot pass by comparing the stock kernel with itself.
 */
import * as tf from '@tensorflow/tfjs';
import type { Conv2DAttrs, MathBackendCPU, NamedAttrMap, Tensor } from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import {
  fallbackCounts,
  fastKernelNames,
  fastKernelsRegistered,
  registerFastKernels,
  recyclingStats,
  resetFallbackCounts,
  unregisterFastKernels,
} from '../../../src/lib/backend/fast-kernels/index.ts';
import { Random } from '../../../src/lib/random.ts';

// The bar: relative 1e-5 against the stock kernels. Products and convolutions accumulate in float32
// (stock: float64 or float32 depending on the kernel); the largest deviation measured over these cases was
// 8.7e-7 of the output's scale (a bias gradient of the small net below), so 1e-5 leaves a >10x margin.
// Elementwise, reduction, softmax, pooling and layout kernels round the same values in the same order as
// the stock ones and are held to exact equality.
const rtol = 1e-5;

type Padding = Conv2DAttrs['pad'];

beforeAll(async () => {
  await initBackend({ requested: 'cpu', fastKernels: false, log: () => {} });
  unregisterFastKernels();
});

function randomTensor(rng: Random, shape: number[], ties = false, scale = 1): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  // Few distinct values make ties common, which is where max-pool argmax choices differ if they differ at all.
  const values = Float32Array.from({ length: size }, () => (ties ? rng.int(4) - 1 : scale * rng.normal()));
  return tf.tensor(values, shape, 'float32');
}

/** Runs `op` with the stock kernels and then the fast ones; returns both results and the fast run's fallbacks. */
function stockAndFast(op: () => Tensor): { expected: Tensor; actual: Tensor; fallbacks: Record<string, number> } {
  unregisterFastKernels();
  const expected = tf.tidy(op);
  registerFastKernels();
  resetFallbackCounts();
  try {
    const actual = tf.tidy(op);
    return { expected, actual, fallbacks: fallbackCounts() };
  } finally {
    unregisterFastKernels();
  }
}

function maxAbs(values: Float32Array | Int32Array | Uint8Array): number {
  let m = 0;
  for (const v of values) m = Math.max(m, Math.abs(v));
  return m;
}

/** dtype, shape, then values within rtol of the expected tensor's largest magnitude. */
function expectClose(actual: Tensor, expected: Tensor, tolerance: number, label: string): void {
  expect(actual.dtype, `${label}: dtype`).toBe(expected.dtype);
  expect(actual.shape, `${label}: shape`).toEqual(expected.shape);
  const a = actual.dataSync();
  const e = expected.dataSync();
  if (tolerance === 0) {
    expect(Array.from(a), `${label}: values`).toEqual(Array.from(e));
    return;
  }
  const scale = Math.max(maxAbs(e), Number.MIN_VALUE);
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < e.length; i++) {
    const error = Math.abs(a[i] - e[i]);
    const bad = Number.isNaN(a[i]) !== Number.isNaN(e[i]) || error > tolerance * scale;
    if (bad || error > worst) {
      worst = bad ? Infinity : error;
      worstAt = i;
      if (bad) break;
    }
  }
  expect(worst <= tolerance * scale, `${label}: element ${worstAt} is ${a[worstAt]}, stock ${e[worstAt]} (scale ${scale}, allowed ${tolerance * scale})`).toBe(
    true,
  );
}

function expectParity(label: string, op: () => Tensor, tolerance = rtol): void {
  const { expected, actual, fallbacks } = stockAndFast(op);
  expect(fallbacks, `${label}: fell back to the stock kernel`).toEqual({});
  expectClose(actual, expected, tolerance, label);
  tf.dispose([expected, actual]);
}

function run(kernelName: string, inputs: Record<string, Tensor>, attrs: object): Tensor {
  return tf.engine().runKernel(kernelName, inputs, attrs as NamedAttrMap) as Tensor;
}

interface ConvCase {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outC: number;
  fh: number;
  fw: number;
  strides: [number, number];
  pad: Padding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function randomPadding(rng: Random): { pad: Padding; dimRoundingMode?: 'floor' | 'round' | 'ceil' } {
  const roundings = [undefined, 'floor', 'round', 'ceil'] as const;
  switch (rng.int(4)) {
    case 0:
      return { pad: 'same' };
    case 1:
      return { pad: 'valid' };
    case 2:
      return { pad: rng.int(3), dimRoundingMode: roundings[rng.int(4)] };
    default:
      return {
        pad: [
          [0, 0],
          [rng.int(3), rng.int(3)],
          [rng.int(3), rng.int(3)],
          [0, 0],
        ],
        dimRoundingMode: roundings[1 + rng.int(3)],
      };
  }
}

/**
 * A random convolution: batch 1..16, channels 1..32, kernel 1..5, stride 1..3, odd sizes, every padding
 * kind. One dimension per case is forced to its maximum, and the rest are drawn until the stock
 * Conv2DBackpropFilter (~40 ns per multiply-add) stays near 10 ms.
 */
function randomConv(rng: Random, index: number): ConvCase {
  for (;;) {
    const c: ConvCase = {
      batch: index % 4 === 0 ? 16 : 1 + rng.int(16),
      inC: index % 4 === 1 ? 32 : 1 + rng.int(32),
      outC: index % 4 === 2 ? 32 : 1 + rng.int(32),
      fh: index % 4 === 3 ? 5 : 1 + rng.int(5),
      fw: index % 4 === 3 ? 5 : 1 + rng.int(5),
      inH: 1 + rng.int(13),
      inW: 1 + rng.int(13),
      strides: [1 + rng.int(3), 1 + rng.int(3)],
      ...randomPadding(rng),
    };
    const info = convInfo(c);
    if (!info || info.outHeight < 1 || info.outWidth < 1) continue;
    const macs = c.batch * info.outHeight * info.outWidth * c.fh * c.fw * c.inC * c.outC;
    if (macs <= 250_000) return c;
  }
}

function convInfo(c: ConvCase) {
  try {
    return tf.backend_util.computeConv2DInfo([c.batch, c.inH, c.inW, c.inC], [c.fh, c.fw, c.inC, c.outC], c.strides, 1, c.pad, c.dimRoundingMode);
  } catch {
    return undefined;
  }
}

function describeConv(c: ConvCase): string {
  return `x [${c.batch},${c.inH},${c.inW},${c.inC}] w [${c.fh},${c.fw},${c.inC},${c.outC}] stride ${c.strides} pad ${JSON.stringify(c.pad)} ${c.dimRoundingMode ?? ''}`;
}

describe('fast cpu kernels: registration', () => {
  it('swaps kernels in and restores the stock configs', () => {
    const stockConfigs = fastKernelNames.map((name) => tf.getKernel(name, 'cpu'));
    registerFastKernels();
    registerFastKernels(); // idempotent: the stock configs must not be overwritten by the fast ones
    expect(fastKernelsRegistered()).toBe(true);
    fastKernelNames.forEach((name, i) => expect(tf.getKernel(name, 'cpu'), name).not.toBe(stockConfigs[i]));
    unregisterFastKernels();
    expect(fastKernelsRegistered()).toBe(false);
    fastKernelNames.forEach((name, i) => expect(tf.getKernel(name, 'cpu'), name).toBe(stockConfigs[i]));
  });

  it('covers the kernels a conv net and a transformer training step spend their time in', () => {
    for (const name of ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPool', 'MaxPoolGrad', 'BatchMatMul']) {
      expect(fastKernelNames).toContain(name);
    }
  });
});

describe('fast cpu kernels: convolutions', () => {
  const rng = new Random(4);
  const cases = Array.from({ length: 28 }, (_, i) => randomConv(rng, i));

  it.each(cases.map((c) => [describeConv(c), c] as const))('Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput: %s', (_, c) => {
    const data = new Random(c.batch * 1000 + c.inC * 31 + c.outC);
    const info = convInfo(c)!;
    const x = randomTensor(data, [c.batch, c.inH, c.inW, c.inC]);
    const w = randomTensor(data, [c.fh, c.fw, c.inC, c.outC]);
    const dy = randomTensor(data, info.outShape);
    const common = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dimRoundingMode };
    const label = describeConv(c);
    expectParity(`Conv2D ${label}`, () => run(tf.Conv2D, { x, filter: w }, { ...common, dilations: 1 }));
    expectParity(`Conv2DBackpropFilter ${label}`, () => run(tf.Conv2DBackpropFilter, { x, dy }, { ...common, filterShape: [c.fh, c.fw, c.inC, c.outC] }));
    expectParity(`Conv2DBackpropInput ${label}`, () =>
      run(tf.Conv2DBackpropInput, { dy, filter: w }, { ...common, inputShape: [c.batch, c.inH, c.inW, c.inC] }),
    );
    tf.dispose([x, w, dy]);
  });

  it('conv1d (a height-1 conv2d) and its gradients', () => {
    const data = new Random(11);
    const x = randomTensor(data, [3, 37, 5]);
    const w = randomTensor(data, [3, 5, 7]);
    const grads = (): Tensor => {
      const [dx, dw] = tf.grads((xx: Tensor, ww: Tensor) => tf.sum(tf.square(tf.conv1d(xx as tf.Tensor3D, ww as tf.Tensor3D, 2, 'same'))))([x, w]);
      return tf.concat([dx.flatten(), dw.flatten()]);
    };
    expectParity('conv1d forward', () => tf.conv1d(x as tf.Tensor3D, w as tf.Tensor3D, 2, 'same'));
    expectParity('conv1d gradients', grads);
    tf.dispose([x, w]);
  });

  it('FusedConv2D with bias and relu, bias only, and plain', () => {
    const data = new Random(12);
    const x = randomTensor(data, [2, 9, 7, 3]);
    const w = randomTensor(data, [3, 3, 3, 6]);
    const bias = randomTensor(data, [6]);
    for (const [activation, b] of [
      ['relu', bias],
      ['linear', bias],
      ['linear', undefined],
    ] as const) {
      expectParity(`FusedConv2D ${activation} ${b ? 'bias' : 'no bias'}`, () =>
        tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: [2, 1], pad: 'same', bias: b, activation }),
      );
    }
    tf.dispose([x, w, bias]);
  });

  it('falls through to the stock kernel for NCHW, dilation and unsupported fused activations', () => {
    const data = new Random(13);
    const x = randomTensor(data, [2, 3, 8, 8]);
    const w = randomTensor(data, [3, 3, 3, 4]);
    const xNhwc = randomTensor(data, [2, 8, 8, 3]);
    const checks: [string, string, () => Tensor][] = [
      ['NCHW', tf.Conv2D, () => run(tf.Conv2D, { x, filter: w }, { strides: 1, pad: 'same', dataFormat: 'NCHW', dilations: 1 })],
      ['dilation 2', tf.Conv2D, () => tf.conv2d(xNhwc as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NHWC', 2)],
      ['elu', tf.FusedConv2D, () => tf.fused.conv2d({ x: xNhwc as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'valid', activation: 'elu' })],
    ];
    for (const [label, kernelName, op] of checks) {
      const { expected, actual, fallbacks } = stockAndFast(op);
      expect(fallbacks[kernelName], label).toBe(1);
      expectClose(actual, expected, 0, label);
      tf.dispose([expected, actual]);
    }
    tf.dispose([x, w, xNhwc]);
  });
});

describe('fast cpu kernels: max pooling', () => {
  const rng = new Random(5);
  const cases = Array.from({ length: 16 }, () => {
    const filter: [number, number] = [1 + rng.int(4), 1 + rng.int(4)];
    return {
      shape: [1 + rng.int(16), filter[0] + rng.int(12), filter[1] + rng.int(12), 1 + rng.int(32)],
      filter,
      strides: [1 + rng.int(3), 1 + rng.int(3)] as [number, number],
      ...randomPadding(rng),
      ties: rng.next() < 0.5,
    };
  });

  it.each(cases.map((c) => [`x [${c.shape}] filter ${c.filter} stride ${c.strides} pad ${JSON.stringify(c.pad)}${c.ties ? ' ties' : ''}`, c] as const))(
    'MaxPool and MaxPoolGrad: %s',
    (label, c) => {
      const data = new Random(c.shape[3] * 97 + c.filter[0]);
      const x = randomTensor(data, c.shape, c.ties);
      const attrs = { filterSize: c.filter, strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode };
      unregisterFastKernels();
      const y = run(tf.MaxPool, { x }, attrs);
      const dy = randomTensor(data, y.shape);
      expectParity(`MaxPool ${label}`, () => run(tf.MaxPool, { x }, attrs), 0);
      expectParity(`MaxPoolGrad ${label}`, () => run(tf.MaxPoolGrad, { dy, input: x, output: y }, attrs));
      tf.dispose([x, y, dy]);
    },
  );

  it('ignores NaN and routes the gradient of an all-NaN window nowhere, like the stock kernel', () => {
    const values = [NaN, 1, 2, NaN, NaN, NaN, NaN, NaN, -Infinity, 3, 3, -Infinity, 0, -0, 5, 5];
    const x = tf.tensor4d(values, [1, 4, 4, 1]);
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
    unregisterFastKernels();
    const y = run(tf.MaxPool, { x }, attrs);
    const dy = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    expectParity('MaxPool NaN', () => run(tf.MaxPool, { x }, attrs), 0);
    expectParity('MaxPoolGrad NaN', () => run(tf.MaxPoolGrad, { dy, input: x, output: y }, attrs), 0);
    tf.dispose([x, y, dy]);
  });
});

describe('fast cpu kernels: matrix products', () => {
  const rng = new Random(6);
  const cases = Array.from({ length: 24 }, (_, i) => {
    const batch = [[], [1 + rng.int(4)], [1 + rng.int(3), 1 + rng.int(3)]][rng.int(3)];
    // Broadcast one side's batch (rank 2 or all-ones) in a third of the cases.
    const mode = rng.int(3);
    const aBatch = mode === 1 ? batch.map(() => 1) : batch;
    const bBatch = mode === 2 ? [] : batch;
    const big = i === 0 ? { m: 70, k: 300, n: 17 } : i === 1 ? { m: 5, k: 9, n: 530 } : undefined;
    const m = big?.m ?? 1 + rng.int(40);
    const k = big?.k ?? 1 + rng.int(40);
    const n = big?.n ?? 1 + rng.int(40);
    const transposeA = rng.next() < 0.5;
    const transposeB = rng.next() < 0.5;
    return {
      aShape: [...aBatch, ...(transposeA ? [k, m] : [m, k])],
      bShape: [...bBatch, ...(transposeB ? [n, k] : [k, n])],
      transposeA,
      transposeB,
    };
  });

  it.each(cases.map((c) => [`a [${c.aShape}]${c.transposeA ? 'ᵀ' : ''} b [${c.bShape}]${c.transposeB ? 'ᵀ' : ''}`, c] as const))(
    'BatchMatMul: %s',
    (label, c) => {
      const data = new Random(c.aShape.length * 100 + c.bShape[0]);
      const a = randomTensor(data, c.aShape);
      const b = randomTensor(data, c.bShape);
      expectParity(`BatchMatMul ${label}`, () => run(tf.BatchMatMul, { a, b }, { transposeA: c.transposeA, transposeB: c.transposeB }));
      tf.dispose([a, b]);
    },
  );

  it('_FusedMatMul with bias and relu, with bias, without', () => {
    const data = new Random(14);
    const a = randomTensor(data, [13, 21]);
    const b = randomTensor(data, [9, 21]);
    const bias = randomTensor(data, [9]);
    for (const [activation, c] of [
      ['relu', bias],
      ['linear', bias],
      ['relu', undefined],
    ] as const) {
      expectParity(`_FusedMatMul ${activation} ${c ? 'bias' : ''}`, () =>
        tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeB: true, bias: c, activation }),
      );
    }
    tf.dispose([a, b, bias]);
  });
});

describe('fast cpu kernels: elementwise and reductions', () => {
  const rng = new Random(7);
  const binaryKernels = [tf.Add, tf.Sub, tf.Multiply, tf.RealDiv, tf.Maximum, tf.Minimum, tf.SquaredDifference];

  /** Normal values with NaN, signed zeros, infinities and subnormals mixed in (where min/max and rounding differ if they differ). */
  function withSpecials(shape: number[]): Tensor {
    const special = [NaN, -0, 0, Infinity, -Infinity, 1e-45, -3e38];
    const size = shape.reduce((p, q) => p * q, 1);
    return tf.tensor(
      Float32Array.from({ length: size }, () => (rng.next() < 0.05 ? special[rng.int(special.length)] : rng.normal())),
      shape,
    );
  }

  it('broadcasting binary kernels are bit-identical to the stock ones', () => {
    for (let i = 0; i < 24; i++) {
      // Every other case is large enough for the wasm path (>= 512 elements), and small enough for the stock
      // kernels' slow broadcasting to stay quick; the rest take the plain loop.
      let outShape: number[];
      let size: number;
      do {
        outShape = Array.from({ length: 1 + rng.int(4) }, () => 1 + rng.int(i % 2 ? 7 : 24));
        size = outShape.reduce((p, q) => p * q, 1);
      } while (i % 2 === 0 && (size < 1024 || size > 6000));
      const squash = (shape: number[]) => shape.slice(rng.int(shape.length + 1)).map((d) => (rng.next() < 0.4 ? 1 : d));
      const a = withSpecials(rng.next() < 0.5 ? outShape : squash(outShape));
      const b = withSpecials(squash(outShape));
      for (const kernelName of binaryKernels) {
        expectParity(`${kernelName} [${a.shape}] [${b.shape}]`, () => run(kernelName, { a, b }, {}), 0);
        expectParity(`${kernelName} [${b.shape}] [${a.shape}]`, () => run(kernelName, { a: b, b: a }, {}), 0);
      }
      tf.dispose([a, b]);
    }
  });

  it('Sum and Mean over any axes are bit-identical to the stock ones', () => {
    for (let i = 0; i < 24; i++) {
      const shape = Array.from({ length: 1 + rng.int(4) }, () => 1 + rng.int(9));
      const x = randomTensor(rng, shape);
      const axes = shape.map((_, d) => d).filter(() => rng.next() < 0.5);
      const axis = rng.next() < 0.2 ? undefined : axes.map((d) => (rng.next() < 0.3 ? d - shape.length : d));
      const keepDims = rng.next() < 0.5;
      for (const kernelName of [tf.Sum, tf.Mean]) {
        expectParity(`${kernelName} [${shape}] axis ${JSON.stringify(axis)} keepDims ${keepDims}`, () => run(kernelName, { x }, { axis, keepDims }), 0);
      }
      tf.dispose(x);
    }
  });

  it('Relu and Step are bit-identical to the stock ones, NaN, signed zeros and infinities included', () => {
    const special = [NaN, -0, 0, Infinity, -Infinity, 1e-45, -1e-45];
    for (const size of [1, 3, 4, 7, 64, 1001]) {
      const values = Float32Array.from({ length: size }, (_, i) => (i % 5 === 0 ? special[rng.int(special.length)] : rng.normal()));
      const x = tf.tensor1d(values);
      expectParity(`Relu [${size}]`, () => run(tf.Relu, { x }, {}), 0);
      expectParity(`Step [${size}]`, () => run(tf.Step, { x }, { alpha: 0 }), 0);
      expectParity(`Step alpha [${size}]`, () => run(tf.Step, { x }, { alpha: -0.25 }), 0);
      tf.dispose(x);
    }
  });

  it('Transpose, Slice and SplitV copy exactly what the stock ones do, for float32, int32 and bool', () => {
    const dtypes = ['float32', 'int32', 'bool'] as const;
    for (let i = 0; i < 24; i++) {
      const shape = Array.from({ length: 1 + rng.int(5) }, () => 1 + rng.int(6));
      const dtype = dtypes[i % 3];
      const x = tf.tidy(() => tf.cast(randomTensor(rng, shape, true), dtype));
      const perm = shape.map((_, d) => d).sort(() => rng.next() - 0.5);
      const begin = shape.map((d) => rng.int(d));
      const size = shape.map((d, j) => (rng.next() < 0.2 ? -1 : 1 + rng.int(d - begin[j])));
      const axis = rng.int(shape.length);
      // tfjs resolves a -1 size in place, and mis-sums a lone -1: give it a fresh array with a known first size.
      const first = shape[axis] > 1 ? 1 + rng.int(shape[axis] - 1) : 1;
      const pieces = () => (first < shape[axis] ? [first, -1] : [first]);
      const label = `${dtype} [${shape}]`;
      expectParity(`Transpose ${label} perm ${perm}`, () => run(tf.Transpose, { x }, { perm }), 0);
      expectParity(`Slice ${label} begin ${begin} size ${size}`, () => run(tf.Slice, { x }, { begin, size }), 0);
      expectParity(`SplitV ${label} ${pieces()} axis ${axis}`, () => tf.concat(tf.split(x, pieces(), axis).map((t) => t.flatten())), 0);
      tf.dispose(x);
    }
  });

  it('Softmax is bit-identical to the stock one, rows with NaN and infinities included', () => {
    for (let i = 0; i < 12; i++) {
      const shape = Array.from({ length: 1 + rng.int(4) }, () => 1 + rng.int(9));
      const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => {
        const u = rng.next();
        return u < 0.02 ? NaN : u < 0.04 ? Infinity : u < 0.06 ? -Infinity : 10 * rng.normal();
      });
      const logits = tf.tensor(values, shape);
      expectParity(`Softmax [${shape}]`, () => run(tf.Softmax, { logits }, { dim: -1 }), 0);
      expectParity(`Softmax gradient [${shape}]`, () => tf.grad((l: Tensor) => tf.sum(tf.mul(tf.softmax(l), tf.range(0, shape[shape.length - 1]))))(logits), 0);
      tf.dispose(logits);
    }
  });

  it('leaves int32 arithmetic to the stock kernels', () => {
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32');
    const b = tf.tensor1d([5, 6], 'int32');
    const { expected, actual, fallbacks } = stockAndFast(() => tf.add(a, b));
    expect(fallbacks[tf.Add]).toBe(1);
    expectClose(actual, expected, 0, 'int32 add');
    tf.dispose([a, b, expected, actual]);
  });
});

describe('fast cpu kernels: training', () => {
  /** A small conv net in the shape of the homework's: conv, relu, pool, strided conv, dense, log-softmax. */
  function lossGradients(): Tensor[] {
    const data = new Random(15);
    const x = randomTensor(data, [5, 12, 11, 2]);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 1], 'int32'), 4);
    const params = {
      w1: tf.variable(randomTensor(data, [3, 3, 2, 6], false, 0.3), true, 'fastKernelsTest/w1'),
      b1: tf.variable(randomTensor(data, [6], false, 0.1), true, 'fastKernelsTest/b1'),
      w2: tf.variable(randomTensor(data, [3, 3, 6, 5], false, 0.3), true, 'fastKernelsTest/w2'),
      b2: tf.variable(randomTensor(data, [5], false, 0.1), true, 'fastKernelsTest/b2'),
      w3: tf.variable(randomTensor(data, [2 * 2 * 5, 4], false, 0.3), true, 'fastKernelsTest/w3'),
      b3: tf.variable(randomTensor(data, [4], false, 0.1), true, 'fastKernelsTest/b3'),
    };
    const { grads, value } = tf.variableGrads(() => {
      const h1 = tf.relu(tf.fused.conv2d({ x: x as tf.Tensor4D, filter: params.w1 as tf.Tensor4D, strides: 1, pad: 'same', bias: params.b1 })); // [5, 12, 11, 6]
      const p1 = tf.maxPool(h1, 2, 2, 'valid'); // [5, 6, 5, 6]
      const h2 = tf.relu(tf.add(tf.conv2d(p1, params.w2 as tf.Tensor4D, 2, 'valid'), params.b2)); // [5, 2, 2, 5]
      const logits = tf.matMul(tf.reshape(h2, [5, 20]), params.w3).add(params.b3); // [5, 4]
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), labels), 1))) as tf.Scalar;
    });
    const out = [value, ...Object.values(params).map((v) => grads[v.name])];
    tf.dispose([x, labels, ...Object.values(params), ...Object.values(grads).filter((g) => !out.includes(g))]);
    return out;
  }

  it('gives the same loss and gradients as the stock kernels', () => {
    unregisterFastKernels();
    const expected = lossGradients();
    registerFastKernels();
    resetFallbackCounts();
    const actual = lossGradients();
    const fallbacks = fallbackCounts();
    unregisterFastKernels();
    expect(fallbacks).toEqual({});
    expect(actual.length).toBe(expected.length);
    // Each gradient is a chain of float32 products; the measured worst is 8.7e-7 of its scale (within rtol, >10x).
    actual.forEach((g, i) => expectClose(g, expected[i], rtol, i === 0 ? 'loss' : `gradient ${i}`));
    tf.dispose([...expected, ...actual]);
  });

  it('leaks no tensors', () => {
    registerFastKernels();
    try {
      lossGradients().forEach((t) => t.dispose()); // warm-up: the first call may allocate lasting state
      const before = tf.memory();
      tf.tidy(() => {
        lossGradients();
        const x = tf.ones([2, 6, 6, 3]);
        tf.maxPool(tf.conv2d(x as tf.Tensor4D, tf.ones([3, 3, 3, 2]) as tf.Tensor4D, 1, 'same'), 2, 2, 'same');
        tf.matMul(tf.ones([3, 4, 5]), tf.ones([5, 2]));
        tf.sum(tf.add(x, tf.ones([3])), [0, 1]);
      });
      const after = tf.memory();
      expect(after.numTensors).toBe(before.numTensors);
      expect(after.numDataBuffers).toBe(before.numDataBuffers);
    } finally {
      unregisterFastKernels();
    }
  });
});

describe('fast cpu kernels: output reuse', () => {
  it('reuses a disposed output array, but never one that was read out or is still seen through a view', () => {
    registerFastKernels();
    const backend = tf.backend() as MathBackendCPU;
    const storage = (t: Tensor) => backend.data.get(t.dataId).values;
    const x = tf.fill([64, 128], 1.5); // 8,192 floats: large enough to be pooled
    const y = tf.fill([128], 2);
    try {
      const first = tf.add(x, y);
      const firstValues = storage(first);
      first.dispose();
      expect(recyclingStats().arrays, 'the disposed output went to the pool').toBeGreaterThan(0);
      const second = tf.add(x, y);
      expect(storage(second), 'a disposed output is reused').toBe(firstValues);

      const kept = second.dataSync(); // the backend's own array: the caller may keep it past dispose
      second.dispose();
      const third = tf.mul(x, y);
      expect(storage(third)).not.toBe(kept);
      expect(
        kept.every((v) => v === 3.5),
        'an array read out is never overwritten',
      ).toBe(true);

      const base = tf.sub(x, y);
      const baseValues = storage(base);
      const view = tf.slice(base, [1, 0], [2, 128]); // contiguous: a view of base's array
      base.dispose();
      const fourth = tf.sub(x, y);
      expect(storage(fourth)).not.toBe(baseValues);
      const fifth = tf.mul(x, x);
      expect(
        view.dataSync().every((v) => v === -0.5),
        'a view keeps its memory',
      ).toBe(true);
      tf.dispose([third, view, fourth, fifth]);
    } finally {
      tf.dispose([x, y]);
      unregisterFastKernels();
    }
    for (const method of ['write', 'move', 'readSync', 'disposeData']) {
      expect(Object.hasOwn(backend, method), `${method} restored`).toBe(false);
    }
    expect(recyclingStats()).toEqual({ arrays: 0, bytes: 0 });
  });
});
