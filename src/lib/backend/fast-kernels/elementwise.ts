/**
 * Broadcasting binary arithmetic and Sum/Mean reductions on float32.
 *
 * The stock binary kernels take a per-element indexToLoc/locToIndex path as soon as the shapes differ
 * (a bias add, a learning-rate scale, a mean over a batch), and the stock Sum transposes reduced axes
 * inwards with a generic transpose. Here both walk collapsed strides instead, two dimensions per step;
 * binary arithmetic on large tensors runs in wasm SIMD (binary_block in wasm/kernels.c).
 *
 * Results are bit-identical to the stock kernels: they compute in double and round to float32 on store,
 * which for one + - * / of float32 values is exactly float32 arithmetic (double carries more than 2 x 24 + 2
 * bits); the squared difference rounds twice in float32, so it stays in double here; sums accumulate in
 * double in the stock kernel's element order.
 */
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU, MeanAttrs, SumAttrs, TensorInfo } from '@tensorflow/tfjs';
import { allFloat32, fastKernel, floats, output, sizeOf, stock } from './kernel.ts';
import type { KernelArgs } from './kernel.ts';
import { broadcastStrides, collapse, contiguousStrides } from './strided.ts';
import { wasmArena } from './wasm.ts';

/** Below this many elements the copies into wasm cost more than the loop they replace. */
const wasmMinSize = 512;

/** Also the op codes of binary_block in kernels.c, in this order. */
// biome-ignore lint/suspicious/noConstEnum: file-local, so every use is inlined into the kernel loop; never exported
const enum Op {
  Add,
  Sub,
  Mul,
  Div,
  Max,
  Min,
  SquaredDiff,
}

/**
 * A block of `rows` x `n`: out[o + r*or + i] = op(a[ia + r*ra + i*sa], b[ib + r*rb + i*sb]), with sa and sb
 * 0 or 1. Taking two dimensions per call keeps a bias add ([pixels, channels] + [channels]) one call.
 */
function run(
  op: Op,
  rows: number,
  n: number,
  out: Float32Array,
  o: number,
  or: number,
  a: Float32Array,
  ia: number,
  ra: number,
  sa: number,
  b: Float32Array,
  ib: number,
  rb: number,
  sb: number,
): void {
  for (let r = 0; r < rows; r++, o += or, ia += ra, ib += rb) {
    switch (op) {
      case Op.Add:
        for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa] + b[ib + i * sb];
        break;
      case Op.Sub:
        for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa] - b[ib + i * sb];
        break;
      case Op.Mul:
        for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa] * b[ib + i * sb];
        break;
      case Op.Div:
        for (let i = 0; i < n; i++) out[o + i] = a[ia + i * sa] / b[ib + i * sb];
        break;
      case Op.Max:
        for (let i = 0; i < n; i++) out[o + i] = Math.max(a[ia + i * sa], b[ib + i * sb]);
        break;
      case Op.Min:
        for (let i = 0; i < n; i++) out[o + i] = Math.min(a[ia + i * sa], b[ib + i * sb]);
        break;
      case Op.SquaredDiff:
        for (let i = 0; i < n; i++) {
          const diff = a[ia + i * sa] - b[ib + i * sb];
          out[o + i] = diff * diff;
        }
        break;
    }
  }
}

/** Walks over all but the last two dimensions of `shape`, calling `block` with each operand's offset. */
function forEachBlock(shape: readonly number[], strides: readonly (readonly number[])[], block: (offsets: number[]) => void): void {
  const outer = shape.length - 2;
  const offsets = strides.map(() => 0);
  if (outer <= 0) {
    block(offsets);
    return;
  }
  const index = new Array<number>(outer).fill(0);
  for (;;) {
    block(offsets);
    let d = outer - 1;
    for (; d >= 0; d--) {
      if (++index[d] < shape[d]) {
        strides.forEach((s, k) => (offsets[k] += s[d]));
        break;
      }
      index[d] = 0;
      strides.forEach((s, k) => (offsets[k] -= s[d] * (shape[d] - 1)));
    }
    if (d < 0) return;
  }
}

function binary(kernelName: string, op: Op) {
  return (args: KernelArgs<Record<string, never>>): TensorInfo => {
    const { a, b } = args.inputs;
    const backend: MathBackendCPU = args.backend;
    if (!allFloat32(backend, a, b)) return stock(kernelName, args);
    let outShape: number[];
    try {
      outShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
    } catch {
      return stock(kernelName, args); // its error message, not ours
    }
    const size = sizeOf(outShape);
    const out = output(backend, size);
    const aVals = floats(backend, a);
    const bVals = floats(backend, b);
    const walk = collapse(outShape, [contiguousStrides(outShape), broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape)]);
    const rank = walk.shape.length;
    const n = walk.shape[rank - 1];
    const rows = rank > 1 ? walk.shape[rank - 2] : 1;
    const [os, as, bs] = walk.strides;
    const row = (s: number[]) => (rank > 1 ? s[rank - 2] : 0);
    if (size >= wasmMinSize && op !== Op.SquaredDiff) {
      // SIMD in wasm: several times the plain loop even with the copies in and out. (Not for the squared
      // difference, which the stock kernel rounds once, from double, where float32 would round twice.)
      const arena = wasmArena();
      const aPtr = arena.put(aVals);
      const bPtr = arena.put(bVals);
      const oPtr = arena.alloc(size * 4);
      forEachBlock(walk.shape, walk.strides, ([o, ia, ib]) =>
        arena.kernels.binary_block(op, rows, n, oPtr + 4 * o, row(os), aPtr + 4 * ia, row(as), as[rank - 1], bPtr + 4 * ib, row(bs), bs[rank - 1]),
      );
      arena.read(oPtr, out);
    } else if (size > 0) {
      forEachBlock(walk.shape, walk.strides, ([o, ia, ib]) =>
        run(op, rows, n, out, o, row(os), aVals, ia, row(as), as[rank - 1], bVals, ib, row(bs), bs[rank - 1]),
      );
    }
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

function parseAxes(axis: number | number[] | undefined, rank: number): number[] | undefined {
  const list = axis === undefined || axis === null ? [...Array(rank).keys()] : typeof axis === 'number' ? [axis] : axis;
  const axes = list.map((a) => (a < 0 ? a + rank : a));
  if (axes.some((a) => !Number.isInteger(a) || a < 0 || a >= rank) || new Set(axes).size !== axes.length) return undefined;
  return axes.sort((p, q) => p - q);
}

/** acc[s + r*sr + i*si] += x[x0 + r*xr + i] over a rows x n block; si is 0 (summed) or 1 (kept). */
function sumBlock(
  values: Float32Array,
  x: number,
  xr: number,
  acc: Float64Array,
  s: number,
  sr: number,
  si: number,
  rows: number,
  n: number,
  divisor: number,
): void {
  for (let r = 0; r < rows; r++, x += xr, s += sr) {
    if (si === 0) {
      let sum = acc[s];
      if (divisor === 1) for (let i = 0; i < n; i++) sum += values[x + i];
      else for (let i = 0; i < n; i++) sum += Math.fround(values[x + i] / divisor);
      acc[s] = sum;
    } else if (divisor === 1) {
      for (let i = 0; i < n; i++) acc[s + i] += values[x + i];
    } else {
      for (let i = 0; i < n; i++) acc[s + i] += Math.fround(values[x + i] / divisor);
    }
  }
}

/**
 * Sums x over `axes` in double precision, element by element in row-major order (which is the order the
 * stock kernel sums in after moving the reduced axes inwards), dividing each element first when a divisor
 * other than 1 is given (as the stock Mean does, rounding each quotient to float32).
 */
function reduceSum(values: Float32Array, shape: readonly number[], axes: readonly number[], divisor: number): Float64Array {
  const reduced = new Set(axes);
  const outShape = shape.filter((_, d) => !reduced.has(d));
  const outStrides = contiguousStrides(outShape);
  let k = 0;
  const accStrides = shape.map((_, d) => (reduced.has(d) ? 0 : outStrides[k++]));
  const walk = collapse(shape, [contiguousStrides(shape), accStrides]);
  const acc = new Float64Array(sizeOf(outShape));
  if (values.length === 0) return acc;
  const rank = walk.shape.length;
  const n = walk.shape[rank - 1];
  const rows = rank > 1 ? walk.shape[rank - 2] : 1;
  const [xs, ss] = walk.strides;
  const xr = rank > 1 ? xs[rank - 2] : 0;
  const sr = rank > 1 ? ss[rank - 2] : 0;
  forEachBlock(walk.shape, walk.strides, ([x, s]) => sumBlock(values, x, xr, acc, s, sr, ss[rank - 1], rows, n, divisor));
  return acc;
}

function reduction(kernelName: string, mean: boolean) {
  return (args: KernelArgs<SumAttrs | MeanAttrs>): TensorInfo => {
    const { x } = args.inputs;
    const { axis, keepDims } = args.attrs;
    if (!allFloat32(args.backend, x)) return stock(kernelName, args);
    const axes = parseAxes(axis, x.shape.length);
    if (!axes) return stock(kernelName, args);
    const reduced = new Set(axes);
    const divisor = mean ? sizeOf(axes.map((d) => x.shape[d])) : 1;
    const acc = reduceSum(floats(args.backend, x), x.shape, axes, divisor);
    const shape = keepDims ? x.shape.map((d, i) => (reduced.has(i) ? 1 : d)) : x.shape.filter((_, i) => !reduced.has(i));
    const out = output(args.backend, acc.length);
    out.set(acc);
    return args.backend.makeTensorInfo(shape, 'float32', out);
  };
}

export const elementwiseKernels = [
  fastKernel(tf.Add, binary(tf.Add, Op.Add)),
  fastKernel(tf.Sub, binary(tf.Sub, Op.Sub)),
  fastKernel(tf.Multiply, binary(tf.Multiply, Op.Mul)),
  fastKernel(tf.RealDiv, binary(tf.RealDiv, Op.Div)),
  fastKernel(tf.Maximum, binary(tf.Maximum, Op.Max)),
  fastKernel(tf.Minimum, binary(tf.Minimum, Op.Min)),
  fastKernel(tf.SquaredDifference, binary(tf.SquaredDifference, Op.SquaredDiff)),
  fastKernel(tf.Sum, reduction(tf.Sum, false)),
  fastKernel(tf.Mean, reduction(tf.Mean, true)),
];
