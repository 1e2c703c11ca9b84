/**
 * TensorFlow.js for the page: what `@tensorflow/tfjs` exports, minus the WebGL backend, the model converter and
 * tf.data, none of which the "try it" engines use (they run on the cpu backend: try-engine.ts). Vite resolves
 * `@tensorflow/tfjs` to this module in the browser bundle only (astro.config.mjs), so the library code the page
 * shares with Node keeps importing the package as it is.
 */
import '@tensorflow/tfjs-core';
// Tensor methods such as x.reshape(...), as the full package registers them.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';

export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
export * from '@tensorflow/tfjs-backend-cpu';
