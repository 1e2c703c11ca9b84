/**
 * Small building blocks that hold tf.Variables under PyTorch parameter names and PyTorch layouts
 * (Linear weight [out, in], Conv1d weight [out, in, kernel], LSTM weight_ih_l0 [4h, in]), so a homework
 * state dict loads without reshuffling and our checkpoints keep the same names. Everything is built from
 * ops with registered gradients (matMul, reshape, transpose, slice, concat, gather, erf).
 */
import * as tf from '@tensorflow/tfjs';
import type { Random } from '../random.ts';
import type { TensorMap } from '../weights/safetensors.ts';

/** A tree of named parameters; the dotted path of a parameter is its PyTorch state-dict name. */
export class Module {
  readonly #parameters = new Map<string, tf.Variable>();
  readonly #children = new Map<string, Module>();

  protected addParameter(name: string, shape: number[], values: Float32Array): tf.Variable {
    if (this.#parameters.has(name) || this.#children.has(name)) throw new Error(`duplicate parameter name '${name}'`);
    const variable = tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), true)); // tidy frees the initial copy
    this.#parameters.set(name, variable);
    return variable;
  }

  protected addModule<M extends Module>(name: string, module: M): M {
    if (this.#parameters.has(name) || this.#children.has(name)) throw new Error(`duplicate module name '${name}'`);
    this.#children.set(name, module);
    return module;
  }

  /** Every parameter under its dotted name, in registration order (depth first). */
  namedParameters(prefix = ''): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [name, variable] of this.#parameters) out.set(prefix + name, variable);
    for (const [name, child] of this.#children) {
      for (const [childName, variable] of child.namedParameters(`${prefix}${name}.`)) out.set(childName, variable);
    }
    return out;
  }

  parameterCount(): number {
    let count = 0;
    for (const variable of this.namedParameters().values()) count += variable.size;
    return count;
  }

  dispose(): void {
    for (const variable of this.namedParameters().values()) variable.dispose();
  }
}

/** A named group of children without parameters of its own (nn.Sequential / nn.ModuleList: `mlp.0`, `blocks.1`). */
export class ModuleList extends Module {
  add<M extends Module>(name: string | number, module: M): M {
    return this.addModule(String(name), module);
  }
}

/** Copies the parameters out as plain arrays (for safetensors checkpoints). */
export function stateDict(module: Module, prefix = ''): TensorMap {
  const out: TensorMap = new Map();
  for (const [name, variable] of module.namedParameters(prefix)) {
    out.set(name, { shape: [...variable.shape], data: variable.dataSync() as Float32Array });
  }
  return out;
}

/**
 * What stops `tensors[prefix + name]` from loading into every parameter, strictly like PyTorch's
 * load_state_dict: missing names, wrong shapes and (when `strict`) unexpected names under the prefix.
 */
export function stateDictProblems(module: Module, tensors: TensorMap, prefix = '', strict = true): string[] {
  const parameters = module.namedParameters(prefix);
  const problems: string[] = [];
  for (const [name, variable] of parameters) {
    const entry = tensors.get(name);
    if (!entry) problems.push(`missing '${name}'`);
    else if (entry.shape.length !== variable.shape.length || entry.shape.some((size, i) => size !== variable.shape[i])) {
      problems.push(`'${name}' has shape [${entry.shape}], the model needs [${variable.shape}]`);
    }
  }
  if (strict) {
    for (const name of tensors.keys()) {
      if (name.startsWith(prefix) && !parameters.has(name)) problems.push(`unexpected '${name}'`);
    }
  }
  return problems;
}

/** Assigns `tensors[prefix + name]` to every parameter; any problem (see stateDictProblems) is an error naming `source`. */
export function loadStateDict(module: Module, tensors: TensorMap, prefix = '', source = 'state dict', strict = true): void {
  const problems = stateDictProblems(module, tensors, prefix, strict);
  if (problems.length) throw new Error(`${source}: cannot load parameters: ${problems.join('; ')}`);
  for (const [name, variable] of module.namedParameters(prefix)) {
    const entry = tensors.get(name)!;
    tf.tidy(() => variable.assign(tf.tensor(entry.data, entry.shape, 'float32')));
  }
}

// Initialisers follow PyTorch's defaults so a fresh model starts where the homework's did (in distribution):
// Linear/Conv1d weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)), Embedding N(0, 1), LSTM U(-1/sqrt(h), 1/sqrt(h)).

function uniformValues(random: Random, count: number, bound: number): Float32Array {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = (2 * random.next() - 1) * bound;
  return values;
}

export function normalValues(random: Random, count: number, std: number): Float32Array {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = random.normal() * std;
  return values;
}

/** Exact GELU, x * Phi(x), as torch.nn.functional.gelu with approximate='none'. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}

/** y = x W^T + b over the last axis; any leading axes. */
export class Linear extends Module {
  readonly weight: tf.Variable; // [out, in]
  readonly bias: tf.Variable | undefined; // [out]

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    random: Random,
    options: { bias?: boolean } = {},
  ) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = this.addParameter('weight', [outFeatures, inFeatures], uniformValues(random, outFeatures * inFeatures, bound));
    this.bias = options.bias === false ? undefined : this.addParameter('bias', [outFeatures], uniformValues(random, outFeatures, bound));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const leading = x.shape.slice(0, -1);
      const flat = tf.reshape(x, [-1, this.inFeatures]); // [rows, in]
      let y = tf.matMul(flat, this.weight, false, true); // [rows, out]
      if (this.bias) y = tf.add(y, this.bias);
      return tf.reshape(y, [...leading, this.outFeatures]); // [..., out]
    });
  }
}

/** Normalises the last axis with the biased variance, as torch.nn.LayerNorm. */
export class LayerNorm extends Module {
  readonly weight: tf.Variable; // [size]
  readonly bias: tf.Variable; // [size]

  constructor(
    readonly size: number,
    readonly eps = 1e-5,
  ) {
    super();
    this.weight = this.addParameter('weight', [size], new Float32Array(size).fill(1));
    this.bias = this.addParameter('bias', [size], new Float32Array(size));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true); // [..., 1]
      const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(normalised, this.weight), this.bias);
    });
  }
}

export class Embedding extends Module {
  readonly weight: tf.Variable; // [count, dim]

  constructor(
    readonly count: number,
    readonly dim: number,
    random: Random,
  ) {
    super();
    this.weight = this.addParameter('weight', [count, dim], normalValues(random, count * dim, 1));
  }

  /**
   * ids: int32 of any shape -> [...ids.shape, dim]. A one-hot matMul rather than gather: the same values
   * (exact zeros added), but the gradient is one matMul instead of tfjs's cpu UnsortedSegmentSum, which
   * took a sixth of a training step at small sizes. Meant for small tables such as the 35 symbols.
   */
  forward(ids: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const oneHot = tf.oneHot(tf.reshape(ids, [-1]), this.count); // [ids, count]
      const rows = tf.matMul(tf.cast(oneHot, 'float32'), this.weight); // [ids, dim]
      return tf.reshape(rows, [...ids.shape, this.dim]); // [...ids.shape, dim]
    });
  }
}

/**
 * torch.nn.Conv1d on channels-last input ([batch, time, channels]) through tf.conv1d with explicit symmetric
 * padding, whose output length floor((time + 2 pad - kernel) / stride) + 1 is PyTorch's. (A matMul over
 * sliced taps was tried: with the project's fast cpu kernels tf.conv1d is 4-8x faster at the homework's
 * sizes, forward and backward; only the stock cpu kernels, which nobody should train with, prefer the taps.)
 */
export class Conv1d extends Module {
  readonly weight: tf.Variable; // [out, in, kernel]
  readonly bias: tf.Variable; // [out]

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: number,
    random: Random,
    readonly options: { stride?: number; padding?: number } = {},
  ) {
    super();
    const bound = 1 / Math.sqrt(inChannels * kernel);
    this.weight = this.addParameter('weight', [outChannels, inChannels, kernel], uniformValues(random, outChannels * inChannels * kernel, bound));
    this.bias = this.addParameter('bias', [outChannels], uniformValues(random, outChannels, bound));
  }

  outputLength(length: number): number {
    const { stride = 1, padding = 0 } = this.options;
    return Math.floor((length + 2 * padding - this.kernel) / stride) + 1;
  }

  /** x: [batch, time, in] -> [batch, outputLength(time), out]. */
  forward(x: tf.Tensor3D): tf.Tensor3D {
    const { stride = 1, padding = 0 } = this.options;
    const [, length, channels] = x.shape;
    if (channels !== this.inChannels) throw new Error(`Conv1d: input has ${channels} channels, expected ${this.inChannels}`);
    if (this.outputLength(length) < 1) throw new Error(`Conv1d: input of length ${length} is too short for kernel ${this.kernel}`);
    return tf.tidy(() => {
      const filter = tf.transpose(this.weight, [2, 1, 0]) as tf.Tensor3D; // [kernel, in, out]
      // conv1d runs as a height-1 conv2d: pad the width only (a plain number would pad the height too).
      const pad: tf.backend_util.ExplicitPadding = [
        [0, 0],
        [0, 0],
        [padding, padding],
        [0, 0],
      ];
      return tf.add(tf.conv1d(x, filter, stride, pad), this.bias) as tf.Tensor3D; // [batch, outputLength, out]
    });
  }
}

export interface LstmState {
  h: tf.Tensor2D; // [batch, hidden]
  c: tf.Tensor2D; // [batch, hidden]
}

/** One-layer torch.nn.LSTM (batch_first): gates in PyTorch order i, f, g, o; bias_ih + bias_hh. */
export class Lstm extends Module {
  readonly weightIh: tf.Variable; // [4*hidden, in]
  readonly weightHh: tf.Variable; // [4*hidden, hidden]
  readonly biasIh: tf.Variable; // [4*hidden]
  readonly biasHh: tf.Variable; // [4*hidden]

  constructor(
    readonly inputSize: number,
    readonly hiddenSize: number,
    random: Random,
  ) {
    super();
    const bound = 1 / Math.sqrt(hiddenSize);
    const gates = 4 * hiddenSize;
    this.weightIh = this.addParameter('weight_ih_l0', [gates, inputSize], uniformValues(random, gates * inputSize, bound));
    this.weightHh = this.addParameter('weight_hh_l0', [gates, hiddenSize], uniformValues(random, gates * hiddenSize, bound));
    this.biasIh = this.addParameter('bias_ih_l0', [gates], uniformValues(random, gates, bound));
    this.biasHh = this.addParameter('bias_hh_l0', [gates], uniformValues(random, gates, bound));
  }

  /** x: [batch, time, in] from a zero state (PyTorch's default) -> outputs [batch, time, hidden]. */
  forward(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => this.#run(x, undefined).output);
  }

  /**
   * Continues from `state` (zeros when absent) and also returns the final state, kept outside any tidy for
   * the caller to dispose. For step-by-step decoding; training uses forward, which keeps nothing.
   */
  forwardWithState(x: tf.Tensor3D, state?: LstmState): { output: tf.Tensor3D; state: LstmState } {
    let finalState: LstmState | undefined;
    const output = tf.tidy(() => {
      const result = this.#run(x, state);
      finalState = { h: tf.keep(result.state.h), c: tf.keep(result.state.c) };
      return result.output;
    });
    return { output, state: finalState! };
  }

  #run(x: tf.Tensor3D, state: LstmState | undefined): { output: tf.Tensor3D; state: LstmState } {
    const [batch, time] = x.shape;
    if (time < 1) throw new Error('Lstm: the input has no time steps');
    const hiddenSize = this.hiddenSize;
    // The input half of every gate for all steps at once: one large matMul instead of `time` small ones.
    // Time-major, so each step's slice (and its gradient) is one contiguous block.
    const timeMajor = tf.reshape(tf.transpose(x, [1, 0, 2]), [time * batch, this.inputSize]); // [time*batch, in]
    const inputGates = tf.reshape(tf.add(tf.matMul(timeMajor, this.weightIh, false, true), tf.add(this.biasIh, this.biasHh)), [time, batch, 4 * hiddenSize]); // [time, batch, 4*hidden]
    const steps = tf.unstack(inputGates, 0) as tf.Tensor2D[]; // time x [batch, 4*hidden]
    let h: tf.Tensor2D = state ? state.h : tf.zeros([batch, hiddenSize]);
    let c: tf.Tensor2D = state ? state.c : tf.zeros([batch, hiddenSize]);
    const outputs: tf.Tensor2D[] = [];
    for (const stepGates of steps) {
      const gates = tf.add(stepGates, tf.matMul(h, this.weightHh, false, true)); // [batch, 4*hidden]
      const [i, f, g, o] = tf.split(gates, 4, 1) as tf.Tensor2D[]; // 4 x [batch, hidden]
      c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
      h = tf.mul(tf.sigmoid(o), tf.tanh(c));
      outputs.push(h);
    }
    const output = tf.transpose(tf.stack(outputs, 0), [1, 0, 2]) as tf.Tensor3D; // [batch, time, hidden]
    return { output, state: { h, c } };
  }
}
