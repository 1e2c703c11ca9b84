/**
 * Softmax over the last axis, one row at a time. The stock kernel chains max, sub, exp, sum and div kernels,
 * two of which broadcast a per-row value through the slow indexToLoc path; attention over long sequences
 * spends most of its softmax time there. This computes the same float32 intermediates in the same order
 * (x - max rounded to float32, its exp rounded, a double sum rounded, then the quotient), so the result is
 * bit-identical to the stock kernel's, NaN rows included.
 */
import * as tf from '@tensorflow/tfjs';
import type { SoftmaxAttrs, TensorInfo } from '@tensorflow/tfjs';
import { allFloat32, fastKernel, floats, output, stock } from './kernel.ts';
import type { KernelArgs } from './kernel.ts';

function softmax(args: KernelArgs<SoftmaxAttrs>): TensorInfo {
  const { logits } = args.inputs;
  const rank = logits.shape.length;
  const dim = args.attrs.dim === -1 ? rank - 1 : args.attrs.dim;
  const n = logits.shape[rank - 1];
  // Other axes are an error in the stock kernel; let it say so.
  if (!allFloat32(args.backend, logits) || rank === 0 || dim !== rank - 1 || !(n > 0)) return stock(tf.Softmax, args);
  const x = floats(args.backend, logits);
  const out = output(args.backend, x.length);
  for (let row = 0; row < x.length; row += n) {
    let max = x[row];
    for (let j = 0; j < n; j++) {
      const v = x[row + j];
      if (Number.isNaN(v) || v > max) max = v;
    }
    let sum = 0;
    for (let j = 0; j < n; j++) {
      out[row + j] = Math.exp(Math.fround(x[row + j] - max));
      sum += out[row + j];
    }
    const total = Math.fround(sum);
    for (let j = 0; j < n; j++) out[row + j] = out[row + j] / total;
  }
  return args.backend.makeTensorInfo(logits.shape, 'float32', out);
}

export const softmaxKernels = [fastKernel(tf.Softmax, softmax)];
