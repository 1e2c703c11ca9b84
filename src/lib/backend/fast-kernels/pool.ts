/**
 * MaxPool and MaxPoolGrad (NHWC, float32) in wasm. Both keep the stock tie-break: the first strict maximum
 * in row-major window order wins, NaN never wins, and a window with no maximum passes no gradient. The stock
 * MaxPoolGrad walks seven loops with generic buffer lookups; this one finds each argmax once and scatters.
 */
import * as tf from '@tensorflow/tfjs';
import type { MathBackendCPU, MaxPoolAttrs, MaxPoolGradAttrs, TensorInfo, backend_util } from '@tensorflow/tfjs';
import { allFloat32, fastKernel, floats, output, sizeOf, stock } from './kernel.ts';
import type { KernelArgs } from './kernel.ts';
import { wasmArena } from './wasm.ts';
import type { WasmArena } from './wasm.ts';

type Shape4 = [number, number, number, number];

function poolInfo(backend: MathBackendCPU, x: TensorInfo, attrs: MaxPoolAttrs): backend_util.Conv2DInfo | undefined {
  if (x.shape.length !== 4 || !allFloat32(backend, x)) return undefined;
  return tf.backend_util.computePool2DInfo(x.shape as Shape4, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
}

/** The Pool struct of kernels.c. */
function putGeometry(arena: WasmArena, info: backend_util.Conv2DInfo): number {
  return arena.putInts([
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ]);
}

function maxPool(args: KernelArgs<MaxPoolAttrs>): TensorInfo {
  const { x } = args.inputs;
  const info = poolInfo(args.backend, x, args.attrs);
  if (!info) return stock(tf.MaxPool, args);
  if (info.filterHeight === 1 && info.filterWidth === 1 && x.shape.every((d, i) => d === info.outShape[i])) {
    // The stock kernel answers this case with its input, whatever the strides say (with a numeric pad,
    // tfjs sizes the output from the row stride alone, so a 1x1 window can claim the input's shape).
    const values = floats(args.backend, x);
    const copy = output(args.backend, values.length);
    copy.set(values);
    return args.backend.makeTensorInfo(x.shape, 'float32', copy);
  }
  const arena = wasmArena();
  const geometry = putGeometry(arena, info);
  const xPtr = arena.put(floats(args.backend, x));
  const ySize = sizeOf(info.outShape);
  const yPtr = arena.alloc(ySize * 4);
  arena.kernels.max_pool(geometry, xPtr, yPtr);
  return args.backend.makeTensorInfo(info.outShape, 'float32', arena.read(yPtr, output(args.backend, ySize)));
}

function maxPoolGrad(args: KernelArgs<MaxPoolGradAttrs>): TensorInfo {
  const { dy, input } = args.inputs;
  const info = poolInfo(args.backend, input, args.attrs);
  const shapeOk = info && dy.shape.length === 4 && dy.shape.every((d, i) => d === info.outShape[i]);
  if (!info || !shapeOk || !allFloat32(args.backend, dy)) return stock(tf.MaxPoolGrad, args);
  const arena = wasmArena();
  const geometry = putGeometry(arena, info);
  const xPtr = arena.put(floats(args.backend, input));
  const dyPtr = arena.put(floats(args.backend, dy));
  const dxSize = sizeOf(input.shape);
  const dxPtr = arena.zeros(dxSize);
  arena.kernels.max_pool_grad(geometry, xPtr, dyPtr, dxPtr);
  return args.backend.makeTensorInfo(input.shape, 'float32', arena.read(dxPtr, output(args.backend, dxSize)));
}

export const poolKernels = [fastKernel(tf.MaxPool, maxPool), fastKernel(tf.MaxPoolGrad, maxPoolGrad)];
