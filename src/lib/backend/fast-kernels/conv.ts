/**
 * Conv2D, its two gradients, and FusedConv2D over im2col + a packed SIMD matrix product (wasm/kernels.c).
 *
 * Geometry comes from tfjs's own computeConv2DInfo, so 'same'/'valid'/numeric/explicit padding and
 * dimRoundingMode mean exactly what they mean to the stock kernels. NCHW, dilation > 1, non-float32 inputs
 * and shapes that disagree with the geometry go to the stock kernel. conv1d reaches these kernels as a
 * height-1 conv2d.
 */
import * as tf from '@tensorflow/tfjs';
import type {
  Conv2DAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  FusedConv2DAttrs,
  MathBackendCPU,
  TensorInfo,
  backend_util,
} from '@tensorflow/tfjs';
import { allFloat32, fastKernel, floats, isOne, output, sizeOf, stock } from './kernel.ts';
import type { KernelArgs } from './kernel.ts';
import { wasmArena } from './wasm.ts';
import type { WasmArena } from './wasm.ts';

type Conv2DInfo = backend_util.Conv2DInfo;
type Shape4 = [number, number, number, number];

function convInfo(xShape: readonly number[], filterShape: readonly number[], attrs: Pick<Conv2DAttrs, 'strides' | 'pad' | 'dimRoundingMode'>): Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(xShape as Shape4, filterShape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
}

/** The Conv struct of kernels.c. */
function putGeometry(arena: WasmArena, info: Conv2DInfo): number {
  return arena.putInts([
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ]);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function isNhwc(dataFormat: string | undefined): boolean {
  return dataFormat === undefined || dataFormat === 'NHWC';
}

/** y = conv(x, filter) in wasm memory, or undefined when the stock kernel must answer. */
function forward(backend: MathBackendCPU, x: TensorInfo, filter: TensorInfo, attrs: Conv2DAttrs) {
  if (!isNhwc(attrs.dataFormat) || !isOne(attrs.dilations) || !allFloat32(backend, x, filter)) return undefined;
  if (x.shape.length !== 4 || filter.shape.length !== 4 || x.shape[3] !== filter.shape[2]) return undefined;
  const info = convInfo(x.shape, filter.shape, attrs);
  const arena = wasmArena();
  const geometry = putGeometry(arena, info);
  const xPtr = arena.put(floats(backend, x));
  const wPtr = arena.put(floats(backend, filter));
  const ySize = sizeOf(info.outShape);
  const yPtr = arena.alloc(ySize * 4);
  const scratch = arena.alloc(arena.kernels.conv_scratch_bytes(geometry));
  arena.kernels.conv2d(geometry, xPtr, wPtr, yPtr, scratch);
  return { info, arena, yPtr, ySize };
}

function conv2D(args: KernelArgs<Conv2DAttrs>): TensorInfo {
  const { x, filter } = args.inputs;
  const result = forward(args.backend, x, filter, args.attrs);
  if (!result) return stock(tf.Conv2D, args);
  const { info, arena, yPtr, ySize } = result;
  return args.backend.makeTensorInfo(info.outShape, 'float32', arena.read(yPtr, output(args.backend, ySize)));
}

const fusedActivations: Record<string, number> = { linear: 0, relu: 1 };

function fusedConv2D(args: KernelArgs<FusedConv2DAttrs>): TensorInfo {
  const { x, filter } = args.inputs;
  const bias: TensorInfo | undefined = args.inputs.bias;
  const preluActivationWeights: TensorInfo | undefined = args.inputs.preluActivationWeights;
  const { activation } = args.attrs;
  const act = activation ? fusedActivations[activation] : 0;
  const outChannels = filter.shape[3];
  // Bias must broadcast along the channels only ([C], [1, .., C] or a single value): what add() does then
  // is a per-channel add, which the fused wasm pass does in place.
  // (A bias of rank above 4 would raise the result's rank: left to the stock kernel.)
  const biasOk =
    !bias ||
    (bias.shape.length <= 4 && (sizeOf(bias.shape) === 1 || (bias.shape[bias.shape.length - 1] === outChannels && sizeOf(bias.shape) === outChannels)));
  if (act === undefined || preluActivationWeights || !biasOk || (bias && !allFloat32(args.backend, bias))) {
    return stock(tf.FusedConv2D, args);
  }
  const result = forward(args.backend, x, filter, args.attrs);
  if (!result) return stock(tf.FusedConv2D, args);
  const { info, arena, yPtr, ySize } = result;
  let biasPtr = 0;
  if (bias) {
    const values = floats(args.backend, bias);
    biasPtr = arena.put(values.length === outChannels ? values : new Float32Array(outChannels).fill(values[0]));
  }
  arena.kernels.bias_activation(yPtr, ySize / Math.max(outChannels, 1), outChannels, biasPtr, act);
  return args.backend.makeTensorInfo(info.outShape, 'float32', arena.read(yPtr, output(args.backend, ySize)));
}

function conv2DBackpropFilter(args: KernelArgs<Conv2DBackpropFilterAttrs>): TensorInfo {
  const { x, dy } = args.inputs;
  const { backend, attrs } = args;
  if (!isNhwc(attrs.dataFormat) || !allFloat32(backend, x, dy) || x.shape.length !== 4) {
    return stock(tf.Conv2DBackpropFilter, args);
  }
  const info = convInfo(x.shape, attrs.filterShape, attrs);
  if (!sameShape(dy.shape, info.outShape) || attrs.filterShape[2] !== x.shape[3]) {
    return stock(tf.Conv2DBackpropFilter, args);
  }
  const arena = wasmArena();
  const geometry = putGeometry(arena, info);
  const xPtr = arena.put(floats(backend, x));
  const dyPtr = arena.put(floats(backend, dy));
  const dwSize = sizeOf(info.filterShape);
  const dwPtr = arena.alloc(dwSize * 4);
  const scratch = arena.alloc(arena.kernels.conv_scratch_bytes(geometry));
  arena.kernels.conv2d_backprop_filter(geometry, xPtr, dyPtr, dwPtr, scratch);
  return backend.makeTensorInfo(info.filterShape, 'float32', arena.read(dwPtr, output(backend, dwSize)));
}

function conv2DBackpropInput(args: KernelArgs<Conv2DBackpropInputAttrs>): TensorInfo {
  const { dy, filter } = args.inputs;
  const { backend, attrs } = args;
  if (!isNhwc(attrs.dataFormat) || !allFloat32(backend, dy, filter) || filter.shape.length !== 4) {
    return stock(tf.Conv2DBackpropInput, args);
  }
  const info = convInfo(attrs.inputShape, filter.shape, attrs);
  if (!sameShape(dy.shape, info.outShape) || attrs.inputShape[3] !== filter.shape[2]) {
    return stock(tf.Conv2DBackpropInput, args);
  }
  const arena = wasmArena();
  const geometry = putGeometry(arena, info);
  const dyPtr = arena.put(floats(backend, dy));
  const wPtr = arena.put(floats(backend, filter));
  const dxSize = sizeOf(info.inShape);
  const dxPtr = arena.zeros(dxSize);
  const scratch = arena.alloc(arena.kernels.conv_scratch_bytes(geometry));
  arena.kernels.conv2d_backprop_input(geometry, dyPtr, wPtr, dxPtr, scratch);
  return backend.makeTensorInfo(info.inShape, 'float32', arena.read(dxPtr, output(backend, dxSize)));
}

export const convKernels = [
  fastKernel(tf.Conv2D, conv2D),
  fastKernel(tf.FusedConv2D, fusedConv2D),
  fastKernel(tf.Conv2DBackpropFilter, conv2DBackpropFilter),
  fastKernel(tf.Conv2DBackpropInput, conv2DBackpropInput),
];
