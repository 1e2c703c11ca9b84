/**
 * What both "try it" engines (try-asr-model.ts, try-cnn-model.ts) share, loaded only when a reader asks for a model:
 * tfjs on its plain JavaScript `cpu` backend (no WebGL, no WebAssembly: nothing the site's Content-Security-Policy
 * would have to allow, and the same arithmetic as the stock kernels in Node), the published weights fetched from
 * the site itself, and each model built once per page.
 */
import * as tf from '@tensorflow/tfjs';
import { parseSafetensors } from '../../lib/weights/safetensors.ts';
import type { TensorMap } from '../../lib/weights/safetensors.ts';

let ready: Promise<void> | undefined;

function cpuBackend(): Promise<void> {
  ready ??= (async () => {
    tf.env().set('PROD', true);
    if (!(await tf.setBackend('cpu'))) throw new Error('the tfjs cpu backend did not start');
    await tf.ready();
  })();
  return ready;
}

/** The state dict at `url` (a published .safetensors file served by the site). */
async function fetchWeights(url: string): Promise<TensorMap> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return parseSafetensors(new Uint8Array(await response.arrayBuffer()), url);
}

/**
 * A cache of models by the URL of their weights: `load(url, build)` fetches the weights and builds the model once
 * per page (on the cpu backend); a failed load is tried again on the next request.
 */
export function modelCache<Model>(): (url: string, build: (weights: TensorMap) => Model) => Promise<Model> {
  const models = new Map<string, Promise<Model>>();
  return (url, build) => {
    let model = models.get(url);
    if (!model) {
      model = (async () => {
        await cpuBackend();
        return build(await fetchWeights(url));
      })();
      model.catch(() => models.delete(url));
      models.set(url, model);
    }
    return model;
  };
}
