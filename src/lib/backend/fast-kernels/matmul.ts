/**
 * BatchMatMul and _FusedMatMul over the packed SIMD matrix product of wasm/kernels.c.
 *
 * Batch broadcasting follows the stock kernel, which pairs batch i of the output with batch i % batchA of a
 * and i % batchB of b: that is right when the batch counts are equal or one of them is 1, the only cases
 * taken here; any other case (and any non-float32 input) goes to the stock kernel so the answer is its answer.
 */
import * as tf from '@tensorflow/tfjs';
import type { BatchMatMulAttrs, MathBackendCPU, TensorInfo, _FusedMatMulAttrs } from '@tensorflow/tfjs';
import { allFloat32, fastKernel, floats, output, sizeOf, stock } from './kernel.ts';
import type { KernelArgs } from './kernel.ts';
import { wasmArena } from './wasm.ts';
import type { WasmArena } from './wasm.ts';

interface Product {
  arena: WasmArena;
  outShape: number[];
  cPtr: number;
  size: number;
  rows: number;
  cols: number;
}

/** op(a) x op(b) into wasm memory, or undefined when the stock kernel must answer. */
function multiply(backend: MathBackendCPU, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): Product | undefined {
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  if (aRank < 2 || bRank < 2 || !allFloat32(backend, a, b)) return undefined;
  const inner = transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1];
  const rows = transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2];
  const cols = transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1];
  if (inner !== (transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2])) return undefined;
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return undefined;
  let outerDims: number[];
  try {
    outerDims = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    return undefined;
  }
  const batch = Math.max(batchA, batchB);
  if (sizeOf(outerDims) !== batch) return undefined;

  const arena = wasmArena();
  const aPtr = arena.put(floats(backend, a));
  const bPtr = arena.put(floats(backend, b));
  const size = batch * rows * cols;
  const cPtr = arena.alloc(size * 4);
  const scratch = arena.alloc(arena.kernels.gemm_scratch_bytes());
  const lda = transposeA ? rows : inner;
  const ldb = transposeB ? inner : cols;
  const aStride = rows * inner * 4;
  const bStride = inner * cols * 4;
  if (batchB === 1 && !transposeA) {
    // Every batch of a meets the same b: one tall product, b packed once.
    arena.kernels.gemm(batchA * rows, cols, inner, aPtr, lda, 0, bPtr, ldb, +transposeB, cPtr, cols, 0, scratch);
  } else {
    for (let i = 0; i < batch; i++) {
      arena.kernels.gemm(
        rows,
        cols,
        inner,
        aPtr + (batchA === 1 ? 0 : i * aStride),
        lda,
        +transposeA,
        bPtr + (batchB === 1 ? 0 : i * bStride),
        ldb,
        +transposeB,
        cPtr + i * rows * cols * 4,
        cols,
        0,
        scratch,
      );
    }
  }
  return { arena, outShape: [...outerDims, rows, cols], cPtr, size, rows, cols };
}

function batchMatMul(args: KernelArgs<BatchMatMulAttrs>): TensorInfo {
  const { a, b } = args.inputs;
  const product = multiply(args.backend, a, b, args.attrs.transposeA, args.attrs.transposeB);
  if (!product) return stock(tf.BatchMatMul, args);
  const { arena, outShape, cPtr, size } = product;
  return args.backend.makeTensorInfo(outShape, 'float32', arena.read(cPtr, output(args.backend, size)));
}

const fusedActivations: Record<string, number> = { linear: 0, relu: 1 };

function fusedMatMul(args: KernelArgs<_FusedMatMulAttrs>): TensorInfo {
  const { a, b } = args.inputs;
  const bias: TensorInfo | undefined = args.inputs.bias;
  const preluActivationWeights: TensorInfo | undefined = args.inputs.preluActivationWeights;
  const { transposeA, transposeB, activation } = args.attrs;
  const act = activation ? fusedActivations[activation] : 0;
  const cols = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
  // A bias that only varies along the last axis (or is one value) is a per-column add.
  const biasOk = !bias || sizeOf(bias.shape) === 1 || (bias.shape[bias.shape.length - 1] === cols && sizeOf(bias.shape) === cols);
  if (act === undefined || preluActivationWeights || !biasOk || (bias && !allFloat32(args.backend, bias))) {
    return stock(tf._FusedMatMul, args);
  }
  const product = multiply(args.backend, a, b, transposeA, transposeB);
  if (!product) return stock(tf._FusedMatMul, args);
  const { arena, outShape, cPtr, size } = product;
  // The stock kernel adds the bias with broadcasting, which may raise the rank of the result.
  const shape = bias && bias.shape.length > outShape.length ? [...bias.shape.slice(0, bias.shape.length - outShape.length), ...outShape] : outShape;
  let biasPtr = 0;
  if (bias) {
    const values = floats(args.backend, bias);
    biasPtr = arena.put(values.length === cols ? values : new Float32Array(cols).fill(values[0]));
  }
  arena.kernels.bias_activation(cPtr, size / Math.max(cols, 1), cols, biasPtr, act);
  return args.backend.makeTensorInfo(shape, 'float32', arena.read(cPtr, output(args.backend, size)));
}

export const matMulKernels = [fastKernel(tf.BatchMatMul, batchMatMul), fastKernel(tf._FusedMatMul, fusedMatMul)];
