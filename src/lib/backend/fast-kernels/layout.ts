/**
 * Transpose, Slice and SplitV as strided copies. The stock kernels move every element through
 * indexToLoc/locToIndex (Transpose) or TensorBuffer get/set (non-contiguous Slice, and SplitV, which is
 * made of slices): hundreds of nanoseconds per element, which shows in attention (heads split by a
 * transpose) and LSTM cells (gates split from one product). Copies are exact; a contiguous slice is a
 * view of its input, as in the stock kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU, SliceAttrs, SplitVAttrs, TensorInfo, TransposeAttrs } from '@tensorflow/tfjs';
import { fastKernel, output, sizeOf, stock } from './kernel.ts';
import type { KernelArgs } from './kernel.ts';
import { contiguousStrides, gatherStrided } from './strided.ts';
import type { DenseArray } from './strided.ts';

function denseValues(backend: MathBackendCPU, x: TensorInfo): DenseArray | undefined {
  const values = backend.data.get(x.dataId).values;
  const ok =
    (x.dtype === 'float32' && values instanceof Float32Array) ||
    (x.dtype === 'int32' && values instanceof Int32Array) ||
    (x.dtype === 'bool' && values instanceof Uint8Array);
  return ok ? (values as DenseArray) : undefined;
}

function emptyLike(backend: MathBackendCPU, values: DenseArray, size: number): DenseArray {
  if (values instanceof Float32Array) return output(backend, size);
  if (values instanceof Int32Array) return new Int32Array(size);
  return new Uint8Array(size);
}

function transpose(args: KernelArgs<TransposeAttrs>): TensorInfo {
  const { x } = args.inputs;
  const { perm } = args.attrs;
  const values = denseValues(args.backend, x);
  if (!values || perm.length !== x.shape.length) return stock(tf.Transpose, args);
  const shape = perm.map((p) => x.shape[p]);
  const strides = contiguousStrides(x.shape);
  const out = emptyLike(args.backend, values, values.length);
  gatherStrided(
    values,
    0,
    perm.map((p) => strides[p]),
    shape,
    out,
  );
  return args.backend.makeTensorInfo(shape, x.dtype, out);
}

/** A box of x starting at `begin`, `size` long in each dimension; a view when it is one contiguous run. */
function sliceValues(backend: MathBackendCPU, values: DenseArray, shape: readonly number[], begin: readonly number[], size: readonly number[]): DenseArray {
  const strides = contiguousStrides(shape);
  const offset = begin.reduce((sum, b, d) => sum + b * strides[d], 0);
  if (tf.slice_util.isSliceContinous(shape as number[], begin as number[], size as number[])) {
    return values.subarray(offset, offset + sizeOf(size));
  }
  const out = emptyLike(backend, values, sizeOf(size));
  gatherStrided(values, offset, strides, size, out);
  return out;
}

function slice(args: KernelArgs<SliceAttrs>): TensorInfo {
  const { x } = args.inputs;
  const values = denseValues(args.backend, x);
  if (!values) return stock(tf.Slice, args);
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, args.attrs.begin, args.attrs.size);
  tf.slice_util.assertParamsValid(x as tf.Tensor, begin, size);
  return args.backend.makeTensorInfo(size, x.dtype, sliceValues(args.backend, values, x.shape, begin, size));
}

function splitV(args: KernelArgs<SplitVAttrs>): TensorInfo[] {
  const { x } = args.inputs;
  const values = denseValues(args.backend, x);
  if (!values) return stock(tf.SplitV, args) as unknown as TensorInfo[];
  const axis = tf.util.parseAxisParam(args.attrs.axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, args.attrs.numOrSizeSplits, axis);
  const begin = x.shape.map(() => 0);
  return sizes.map((length) => {
    const size = [...x.shape];
    size[axis] = length;
    const piece = args.backend.makeTensorInfo(size, x.dtype, sliceValues(args.backend, values, x.shape, begin, size));
    begin[axis] += length;
    return piece;
  });
}

export const layoutKernels = [fastKernel(tf.Transpose, transpose), fastKernel(tf.Slice, slice), fastKernel(tf.SplitV, splitV)];
