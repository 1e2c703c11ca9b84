/**
 * Plumbing shared by the fast kernels: typed kernel arguments, access to tensor storage of the cpu backend,
 * and the stock kernels they replace (kept so they can be restored, and called for every case a fast kernel
 * does not handle).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, MathBackendCPU, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { outputArray } from './recycle.ts';

export const cpu = 'cpu';

export interface KernelArgs<Attrs = NamedAttrMap> {
  /** Inputs by name; optional ones (bias, preluActivationWeights) read as undefined when absent. */
  inputs: Record<string, TensorInfo>;
  backend: MathBackendCPU;
  attrs: Attrs;
}

export type FastKernel<Attrs> = (args: KernelArgs<Attrs>) => TensorInfo | TensorInfo[];

/** The stock cpu kernels that registerFastKernels replaced, by kernel name. */
const stockKernels = new Map<string, KernelConfig>();

export function saveStock(config: KernelConfig): void {
  stockKernels.set(config.kernelName, config);
}

export function takeStock(kernelName: string): KernelConfig | undefined {
  const config = stockKernels.get(kernelName);
  stockKernels.delete(kernelName);
  return config;
}

/** How often each fast kernel handed a call to the stock kernel, since the last reset. */
const fallbacks = new Map<string, number>();

export function fallbackCounts(): Record<string, number> {
  return Object.fromEntries(fallbacks);
}

export function resetFallbackCounts(): void {
  fallbacks.clear();
}

/** Runs the stock kernel: the answer for every case a fast kernel leaves alone. */
export function stock<Attrs>(kernelName: string, args: KernelArgs<Attrs>): TensorInfo {
  fallbacks.set(kernelName, (fallbacks.get(kernelName) ?? 0) + 1);
  const config = stockKernels.get(kernelName) ?? tf.getKernel(kernelName, cpu);
  if (!config) throw new Error(`fast kernels: no stock cpu kernel ${kernelName} to fall back to`);
  return config.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) as TensorInfo;
}

export function fastKernel<Attrs>(kernelName: string, func: FastKernel<Attrs>): KernelConfig {
  return { kernelName, backendName: cpu, kernelFunc: func as unknown as KernelFunc };
}

/** The float32 storage behind a tensor of the cpu backend (no copy). */
export function floats(backend: MathBackendCPU, tensor: TensorInfo): Float32Array {
  const values = backend.data.get(tensor.dataId).values;
  if (!(values instanceof Float32Array)) {
    throw new Error(`fast kernels: expected float32 storage for a ${tensor.dtype} tensor of shape [${tensor.shape}]`);
  }
  return values;
}

/** True when every tensor is float32 with plain storage (not complex), the only case the fast paths take. */
export function allFloat32(backend: MathBackendCPU, ...tensors: TensorInfo[]): boolean {
  return tensors.every((t) => t.dtype === 'float32' && backend.data.get(t.dataId).values instanceof Float32Array);
}

/** A float32 array for a kernel's output, fully overwritten by the kernel (it may be a reused one). */
export function output(backend: MathBackendCPU, length: number): Float32Array {
  return outputArray(backend, length);
}

export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

export function isOne(value: number | number[] | undefined): boolean {
  if (value === undefined) return true;
  return typeof value === 'number' ? value === 1 : value.every((v) => v === 1);
}
