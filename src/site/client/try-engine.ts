/**
 * What both "try it" engines share, loaded only when a reader asks for a model: tfjs on its plain JavaScript
 * `cpu` backend (no WebGL, no WebAssembly: nothing the site's Content-Security-Policy would have to allow, and
 * the same arithmetic as the stock kernels in Node), and the published weights fetched from the site itself.
 */
import * as tf from '@tensorflow/tfjs';
import { parseSafetensors } from '../lib/weights/safetensors.ts';
import type { TensorMap } from '../lib/weights/safetensors.ts';

let ready: Promise<void> | undefined;

export function cpuBackend(): Promise<void> {
  ready ??= (async () => {
    tf.env().set('PROD', true);
    if (!(await tf.setBackend('cpu'))) throw new Error('the tfjs cpu backend did not start');
    await tf.ready();
  })();
  return ready;
}

/** The state dict at `url` (a published .safetensors file served by the site). */
export async function fetchWeights(url: string): Promise<TensorMap> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return parseSafetensors(new Uint8Array(await response.arrayBuffer()), url);
}
