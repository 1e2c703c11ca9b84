/**
 * Relu and Step (the relu gradient's mask) in wasm SIMD. The stock kernels are simple loops, but over a
 * pre-activation whose signs are a coin flip their per-element branch mispredicts about half the time;
 * the branch-free SIMD versions cost less than copying the tensor in and out. Same values as the stock
 * kernels: Math.max semantics for Relu (NaN stays NaN, -0 becomes +0), NaN/1/alpha for Step.
 */
import * as tf from '@tensorflow/tfjs';
import type { StepAttrs, TensorInfo } from '@tensorflow/tfjs';
import { allFloat32, fastKernel, floats, output, stock } from './kernel.ts';
import type { KernelArgs } from './kernel.ts';
import { wasmArena } from './wasm.ts';

function relu(args: KernelArgs<Record<string, never>>): TensorInfo {
  const { x } = args.inputs;
  if (!allFloat32(args.backend, x)) return stock(tf.Relu, args);
  const values = floats(args.backend, x);
  const arena = wasmArena();
  const ptr = arena.put(values);
  arena.kernels.relu(ptr, ptr, values.length);
  return args.backend.makeTensorInfo(x.shape, 'float32', arena.read(ptr, output(args.backend, values.length)));
}

function step(args: KernelArgs<StepAttrs>): TensorInfo {
  const { x } = args.inputs;
  if (!allFloat32(args.backend, x)) return stock(tf.Step, args);
  const values = floats(args.backend, x);
  const arena = wasmArena();
  const ptr = arena.put(values);
  arena.kernels.step(ptr, ptr, values.length, args.attrs.alpha);
  return args.backend.makeTensorInfo(x.shape, 'float32', arena.read(ptr, output(args.backend, values.length)));
}

export const activationKernels = [fastKernel(tf.Relu, relu), fastKernel(tf.Step, step)];
