/**
 * The two CNNs of question 2, built with tfjs layers (NHWC inside).
 *
 *   pooled:  conv1 8@3x3 s1 p1 -> ReLU -> maxpool 2/2 -> conv2 16@3x3 s1 p0 -> ReLU -> maxpool 2/2
 *   strided: conv1 8@3x3 s2 p1 -> ReLU ->                conv2 16@3x3 s2 p0 -> ReLU
 *   both:    -> flatten (16*6*6 = 576) -> fc1 320 -> ReLU -> dropout 0.7 -> fc2 120 -> ReLU -> fc3 classes -> log-softmax
 *
 * Both reach 6x6x16 before the dense layers, and pooling has no weights, so both have the same trainable
 * parameters: 80 + 1,168 + 184,640 + 38,520 + (120 + 1) * classes = 224,892 for 4 classes, 225,618 for 10.
 *
 * Two layout choices make PyTorch weights load as they are (the parity test in test/unit/models pins them):
 * - PyTorch's padding=1 with stride 2 pads top/left (and the unused bottom/right), while tfjs 'same' with
 *   stride 2 on 28 pads only bottom/right; so the strided conv1 is an explicit 1-pixel zero padding + 'valid'.
 * - PyTorch flattens [C, H, W]; a permute to channels-first before the flatten gives the same order, so fc1's
 *   weight is PyTorch's transposed, with no reshuffling of its 576 inputs.
 *
 * Initialisation follows PyTorch's default for Conv2d and Linear (kaiming_uniform with a = sqrt(5), i.e.
 * weights and biases uniform in +-1/sqrt(fan_in)), drawn from our seeded Random in PyTorch's layout, so a seed
 * names one exact starting network.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { Random } from '../random.ts';
import type { TensorMap } from '../weights/safetensors.ts';

export type CnnVariant = 'pooled' | 'strided';

export const cnnDefaults = { dropout: 0.7 } as const;

/**
 * The model config, under the names Question 2's profiles and published files use: the experiment's config takes
 * `dropout` from it (its runs sweep the variants, and the classes come from the data), and a published network's
 * description holds it whole.
 */
export const cnnModelConfig = z.object({
  variant: z.enum(['pooled', 'strided'] as const satisfies readonly CnnVariant[]), // max-pooling, or stride-2 convolutions
  classes: z.number().int().min(2), // 4 for OCTMNIST, 10 for Fashion-MNIST
  dropout: z.number().min(0).lt(1).default(cnnDefaults.dropout), // drop probability after fc1 (homework: 0.7)
});

export type CnnModelConfig = z.output<typeof cnnModelConfig>;

export interface CnnConfig extends CnnModelConfig {
  seed: number; // initialisation; also the first dropout seed (advance it per step with setDropoutSeed)
}

const IMAGE = [28, 28, 1];

/** PyTorch state-dict names and shapes, in the order PyTorch registers them. */
export function cnnParameterShapes(classes: number): [string, number[]][] {
  return [
    ['conv1.weight', [8, 1, 3, 3]],
    ['conv1.bias', [8]],
    ['conv2.weight', [16, 8, 3, 3]],
    ['conv2.bias', [16]],
    ['fc1.weight', [320, 576]],
    ['fc1.bias', [320]],
    ['fc2.weight', [120, 320]],
    ['fc2.bias', [120]],
    ['fc3.weight', [classes, 120]],
    ['fc3.bias', [classes]],
  ];
}

// Keyed by layer object: both variants have a `conv1`, with different strides.
const descriptions = new WeakMap<tf.layers.Layer, string>();

export function createCnn(config: CnnConfig): tf.Sequential {
  const { variant, classes, dropout, seed } = config;
  if (variant !== 'pooled' && variant !== 'strided') throw new Error(`createCnn: unknown variant '${String(variant)}'`);
  if (!Number.isInteger(classes) || classes < 2) throw new Error(`createCnn: classes must be an integer >= 2, got ${classes}`);
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`createCnn: dropout must be in [0, 1), got ${dropout}`);
  if (!Number.isInteger(seed) || seed === 0) throw new Error(`createCnn: seed must be a non-zero integer, got ${seed}`);
  const stride = variant === 'pooled' ? 1 : 2;
  const layers: tf.layers.Layer[] = [];
  const add = (layer: tf.layers.Layer, description: string) => {
    descriptions.set(layer, description);
    layers.push(layer);
  };
  // Kernels are overwritten by the seeded PyTorch-style initialisation below; zeros keep tfjs from drawing.
  const init = { kernelInitializer: 'zeros', biasInitializer: 'zeros' } as const;
  if (variant === 'pooled') {
    add(
      tf.layers.conv2d({ name: 'conv1', inputShape: IMAGE, filters: 8, kernelSize: 3, strides: 1, padding: 'same', activation: 'relu', ...init }),
      'conv 8@3x3, stride 1, padding 1, ReLU',
    ); // [batch, 28, 28, 8]
    add(tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2, strides: 2 }), 'max-pool 2x2, stride 2'); // [batch, 14, 14, 8]
  } else {
    add(tf.layers.zeroPadding2d({ name: 'pad1', inputShape: IMAGE, padding: 1 }), 'zero padding 1'); // [batch, 30, 30, 1]
    add(
      tf.layers.conv2d({ name: 'conv1', filters: 8, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', ...init }),
      'conv 8@3x3, stride 2, padding 1, ReLU',
    ); // [batch, 14, 14, 8]
  }
  add(
    tf.layers.conv2d({ name: 'conv2', filters: 16, kernelSize: 3, strides: stride, padding: 'valid', activation: 'relu', ...init }),
    `conv 16@3x3, stride ${stride}, padding 0, ReLU`,
  ); // pooled [batch, 12, 12, 16]; strided [batch, 6, 6, 16]
  if (variant === 'pooled') add(tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2, strides: 2 }), 'max-pool 2x2, stride 2'); // [batch, 6, 6, 16]
  add(tf.layers.permute({ name: 'to_chw', dims: [3, 1, 2] }), 'to channels-first (PyTorch flatten order)'); // [batch, 16, 6, 6]
  add(tf.layers.flatten({ name: 'flatten' }), 'flatten'); // [batch, 576]
  add(tf.layers.dense({ name: 'fc1', units: 320, activation: 'relu', ...init }), 'affine 320, ReLU'); // [batch, 320]
  add(tf.layers.dropout({ name: 'dropout', rate: dropout, seed }), `dropout ${dropout} (training only)`); // [batch, 320]
  add(tf.layers.dense({ name: 'fc2', units: 120, activation: 'relu', ...init }), 'affine 120, ReLU'); // [batch, 120]
  add(tf.layers.dense({ name: 'fc3', units: classes, ...init }), `affine ${classes}`); // [batch, classes]
  // 'logSoftmax' is a registered tfjs activation that the type union leaves out.
  add(tf.layers.activation({ name: 'log_softmax', activation: 'logSoftmax' as 'softmax' }), 'log-softmax'); // [batch, classes]
  const model = tf.sequential({ name: `cnn_${variant}`, layers });
  loadCnnStateDict(model, initialCnnStateDict(classes, new Random(seed)));
  return model;
}

/** PyTorch's default init for every parameter, in PyTorch layout, drawn in registration order. */
export function initialCnnStateDict(classes: number, random: Random): TensorMap {
  const state: TensorMap = new Map();
  let fanIn = 0;
  for (const [name, shape] of cnnParameterShapes(classes)) {
    // A bias shares its layer's fan-in, which the weight just before it set.
    if (name.endsWith('.weight')) fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
    const bound = 1 / Math.sqrt(fanIn);
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = (2 * random.next() - 1) * bound;
    state.set(name, { shape, data });
  }
  return state;
}

/** [out, in, kh, kw] -> [kh, kw, in, out], and the same for a linear [out, in] -> [in, out] (kh = kw = 1). */
function torchToTf(data: Float32Array, shape: number[]): { data: Float32Array; shape: number[] } {
  const [out, inputs, kh = 1, kw = 1] = shape;
  const result = new Float32Array(data.length);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inputs; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) result[((y * kw + x) * inputs + i) * out + o] = data[((o * inputs + i) * kh + y) * kw + x];
      }
    }
  }
  return { data: result, shape: shape.length === 4 ? [kh, kw, inputs, out] : [inputs, out] };
}

function tfToTorch(data: Float32Array, tfShape: number[]): { data: Float32Array; shape: number[] } {
  const [kh, kw, inputs, out] = tfShape.length === 4 ? tfShape : [1, 1, tfShape[0], tfShape[1]];
  const result = new Float32Array(data.length);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inputs; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) result[((o * inputs + i) * kh + y) * kw + x] = data[((y * kw + x) * inputs + i) * out + o];
      }
    }
  }
  return { data: result, shape: tfShape.length === 4 ? [out, inputs, kh, kw] : [out, inputs] };
}

const parameterLayers = ['conv1', 'conv2', 'fc1', 'fc2', 'fc3'];

/**
 * Loads a PyTorch state dict (names as in cnnParameterShapes, optionally under `prefix`, e.g. `maxpool.`)
 * into the model. Every parameter must be present with its exact shape.
 */
export function loadCnnStateDict(model: tf.LayersModel, tensors: TensorMap, prefix = ''): void {
  const classes = (model.getLayer('fc3') as tf.layers.Layer & { units: number }).units;
  const expected = new Map(cnnParameterShapes(classes));
  for (const layerName of parameterLayers) {
    const weight = tensors.get(`${prefix}${layerName}.weight`);
    const bias = tensors.get(`${prefix}${layerName}.bias`);
    for (const [suffix, tensor] of [
      ['weight', weight],
      ['bias', bias],
    ] as const) {
      const name = `${layerName}.${suffix}`;
      const shape = expected.get(name)!;
      if (!tensor) throw new Error(`loadCnnStateDict: '${prefix}${name}' is missing`);
      if (tensor.shape.length !== shape.length || tensor.shape.some((size, i) => size !== shape[i])) {
        throw new Error(`loadCnnStateDict: '${prefix}${name}' has shape [${tensor.shape}], the model needs [${shape}]`);
      }
    }
    const kernel = torchToTf(weight!.data, weight!.shape);
    const values = [tf.tensor(kernel.data, kernel.shape), tf.tensor1d(bias!.data)];
    model.getLayer(layerName).setWeights(values);
    tf.dispose(values);
  }
}

/** The model's parameters as a PyTorch state dict (the inverse of loadCnnStateDict; exact, only a transpose). */
export function cnnStateDict(model: tf.LayersModel): TensorMap {
  const state: TensorMap = new Map();
  for (const layerName of parameterLayers) {
    const [kernel, bias] = model.getLayer(layerName).getWeights();
    state.set(`${layerName}.weight`, tfToTorch(kernel.dataSync() as Float32Array, kernel.shape));
    state.set(`${layerName}.bias`, { shape: bias.shape, data: Float32Array.from(bias.dataSync() as Float32Array) });
  }
  return state;
}

/** Sets the dropout layer's seed. tfjs draws the same mask for the same seed, so training advances it every step. */
export function setDropoutSeed(model: tf.LayersModel, seed: number): void {
  if (!Number.isInteger(seed) || seed === 0) throw new Error(`setDropoutSeed: seed must be a non-zero integer (tfjs treats 0 as unseeded), got ${seed}`);
  (model.getLayer('dropout') as tf.layers.Layer & { seed?: number }).seed = seed;
}

export function countTrainableParams(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((sum, weight) => sum + weight.shape.reduce((a, b) => a! * b!, 1)!, 0);
}

export interface LayerRow {
  name: string;
  description: string;
  /** Without the batch dimension, NHWC for images (the permuted [C, H, W] after `to_chw`). */
  outputShape: number[];
  params: number;
}

/** One row per layer, input first, for the report's architecture tables. */
export function cnnLayerTable(model: tf.LayersModel): LayerRow[] {
  const rows: LayerRow[] = [{ name: 'input', description: '28x28 grey image', outputShape: [...IMAGE], params: 0 }];
  for (const layer of model.layers) {
    const shape = layer.outputShape as (number | null)[];
    rows.push({
      name: layer.name,
      description: descriptions.get(layer) ?? layer.getClassName(),
      outputShape: shape.slice(1) as number[],
      params: layer.countParams(),
    });
  }
  return rows;
}
