/**
 * The image "try it" engine, imported by try-cnn.ts on the reader's first request: a published Question 2 network
 * in the page, in eval mode (no dropout), on one 28x28 grey image in [0, 1].
 */
import * as tf from '@tensorflow/tfjs';
import type { PublishedCnnInfo } from '../../lib/models/published.ts';
import { cnnFromStateDict } from '../../lib/models/published-model.ts';
import { modelCache } from './try-engine.ts';

const models = modelCache<tf.Sequential>();

/** The network at `url`, fetched and built once per page. */
function loadModel(url: string, info: PublishedCnnInfo): Promise<tf.Sequential> {
  return models(url, (weights) => cnnFromStateDict(info.config, weights, url));
}

/** Class probabilities (and log-probabilities, what the network outputs) of one image [28 * 28] in [0, 1]. */
export async function classify(
  url: string,
  info: PublishedCnnInfo,
  pixels: Float32Array,
): Promise<{ probabilities: number[]; logProbabilities: number[]; computeSeconds: number }> {
  const model = await loadModel(url, info);
  const started = performance.now();
  const output = tf.tidy(() => model.predict(tf.tensor4d(pixels, [1, 28, 28, 1])) as tf.Tensor2D); // [1, classes]
  const logProbabilities = Array.from(output.dataSync());
  output.dispose();
  return { logProbabilities, probabilities: logProbabilities.map((value) => Math.exp(value)), computeSeconds: (performance.now() - started) / 1000 };
}
