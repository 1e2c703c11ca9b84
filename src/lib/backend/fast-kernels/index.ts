/**
 * Fast replacements for the hot tfjs cpu kernels (issue 4: fast training on the CPU path).
 *
 * registerFastKernels swaps them into tfjs's kernel registry for the 'cpu' backend (backend.ts does so by
 * default; TFJS_FAST_KERNELS=0 keeps the stock ones), keeping each stock kernel so that
 * unregisterFastKernels can put it back and a fast kernel can hand it any case it does not handle (NCHW,
 * dilation, other dtypes, unusual broadcasting): a slower answer, never a different one.
 *
 * - conv.ts, matmul.ts, pool.ts, activation.ts: im2col + a packed SIMD matrix product, pooling and
 *   relu in WebAssembly (wasm/kernels.c, rebuilt by wasm/build.sh; the .wasm is committed).
 * - elementwise.ts, softmax.ts, layout.ts: broadcasting arithmetic (wasm SIMD for large tensors),
 *   reductions, softmax, transpose and slices over strided walks, bit-identical to the stock kernels.
 * - recycle.ts: reuse of output arrays whose tensors were disposed and never read out.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { activationKernels } from './activation.ts';
import { convKernels } from './conv.ts';
import { elementwiseKernels } from './elementwise.ts';
import { cpu, saveStock, takeStock } from './kernel.ts';
import { layoutKernels } from './layout.ts';
import { matMulKernels } from './matmul.ts';
import { poolKernels } from './pool.ts';
import { stopRecycling } from './recycle.ts';
import { softmaxKernels } from './softmax.ts';

export { fallbackCounts, resetFallbackCounts } from './kernel.ts';
export { recyclingStats } from './recycle.ts';

const fastKernels: readonly KernelConfig[] = [
  ...convKernels,
  ...poolKernels,
  ...matMulKernels,
  ...elementwiseKernels,
  ...activationKernels,
  ...layoutKernels,
  ...softmaxKernels,
];

/** Names of the kernels this module replaces. */
export const fastKernelNames: readonly string[] = fastKernels.map((k) => k.kernelName);

let registered = false;

/** Replaces the stock cpu kernels with the fast ones; calling it again changes nothing. */
export function registerFastKernels(): void {
  if (registered) return;
  for (const config of fastKernels) {
    const original = tf.getKernel(config.kernelName, cpu);
    if (!original) throw new Error(`fast kernels: tfjs has no cpu kernel ${config.kernelName} to replace`);
    saveStock(original);
    tf.unregisterKernel(config.kernelName, cpu);
    tf.registerKernel(config);
  }
  registered = true;
}

/** Puts the stock cpu kernels back (to compare stock and fast in one process). */
export function unregisterFastKernels(): void {
  if (!registered) return;
  for (const config of fastKernels) {
    const original = takeStock(config.kernelName);
    if (!original) continue;
    tf.unregisterKernel(config.kernelName, cpu);
    tf.registerKernel(original);
  }
  stopRecycling();
  registered = false;
}

export function fastKernelsRegistered(): boolean {
  return registered;
}
