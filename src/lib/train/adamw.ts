/**
 * AdamW with PyTorch's semantics (torch.optim.AdamW, 1.13, single-tensor path), which tfjs lacks:
 *   p <- p * (1 - lr * weight_decay)                       (decoupled decay, with the current lr)
 *   m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2
 *   p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * Steps are counted per parameter, as PyTorch does, so a parameter without a gradient is left alone.
 * The learning rate may change between steps (schedules); the state is plain data for checkpoints, with the
 * moments under PyTorch's names (`exp_avg.<param>`, `exp_avg_sq.<param>`).
 */
import * as tf from '@tensorflow/tfjs';
import type { TensorMap } from '../weights/safetensors.ts';

export interface AdamWOptions {
  learningRate: number; // base step size; PyTorch's default 1e-3
  beta1: number; // first-moment decay
  beta2: number; // second-moment decay
  epsilon: number; // added to the root of the second moment
  weightDecay: number; // decoupled, multiplied by the current learning rate
}

/** torch.optim.AdamW's defaults, which the homework used. */
const adamWDefaults: AdamWOptions = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 };

export interface AdamWState {
  learningRate: number;
  /** Steps taken per parameter name. */
  steps: Record<string, number>;
  /** `exp_avg.<name>` and `exp_avg_sq.<name>` for every parameter that has stepped. */
  moments: TensorMap;
}

interface Slot {
  step: number;
  firstMoment: tf.Variable;
  secondMoment: tf.Variable;
}

export class AdamW {
  readonly options: AdamWOptions;
  learningRate: number;
  readonly #parameters: Map<string, tf.Variable>;
  readonly #slots = new Map<string, Slot>();

  constructor(parameters: Map<string, tf.Variable>, options: Partial<AdamWOptions> = {}) {
    this.options = { ...adamWDefaults, ...options };
    const { learningRate, beta1, beta2, epsilon, weightDecay } = this.options;
    if (!(learningRate >= 0)) throw new Error(`AdamW: invalid learning rate ${learningRate}`);
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) throw new Error(`AdamW: invalid betas ${beta1}, ${beta2}`);
    if (!(epsilon >= 0) || !(weightDecay >= 0)) throw new Error(`AdamW: invalid epsilon ${epsilon} or weight decay ${weightDecay}`);
    this.learningRate = learningRate;
    this.#parameters = new Map(parameters);
  }

  /** One update from gradients keyed by parameter name (as returned for `namedParameters()`). */
  step(gradients: Map<string, tf.Tensor> | Record<string, tf.Tensor>): void {
    const entries = gradients instanceof Map ? [...gradients] : Object.entries(gradients);
    const { beta1, beta2, epsilon, weightDecay } = this.options;
    const lr = this.learningRate;
    for (const [name, gradient] of entries) {
      const parameter = this.#parameters.get(name);
      if (!parameter) throw new Error(`AdamW: gradient for unknown parameter '${name}'`);
      if (gradient.shape.join() !== parameter.shape.join()) {
        throw new Error(`AdamW: gradient for '${name}' has shape [${gradient.shape}], the parameter [${parameter.shape}]`);
      }
      const slot = this.#slot(name, parameter);
      slot.step += 1;
      const biasCorrection1 = 1 - beta1 ** slot.step;
      const biasCorrection2Root = Math.sqrt(1 - beta2 ** slot.step);
      tf.tidy(() => {
        const decayed = tf.mul(parameter, 1 - lr * weightDecay);
        const m = tf.add(tf.mul(slot.firstMoment, beta1), tf.mul(gradient, 1 - beta1));
        const v = tf.add(tf.mul(slot.secondMoment, beta2), tf.mul(tf.square(gradient), 1 - beta2));
        const denominator = tf.add(tf.div(tf.sqrt(v), biasCorrection2Root), epsilon);
        slot.firstMoment.assign(m);
        slot.secondMoment.assign(v);
        parameter.assign(tf.sub(decayed, tf.mul(tf.div(m, denominator), lr / biasCorrection1)));
      });
    }
  }

  #slot(name: string, parameter: tf.Variable): Slot {
    let slot = this.#slots.get(name);
    if (!slot) {
      // Inside tidy so the zero tensors the variables are copied from are freed.
      slot = tf.tidy(() => ({ step: 0, firstMoment: tf.variable(tf.zerosLike(parameter), false), secondMoment: tf.variable(tf.zerosLike(parameter), false) }));
      this.#slots.set(name, slot);
    }
    return slot;
  }

  state(): AdamWState {
    const steps: Record<string, number> = {};
    const moments: TensorMap = new Map();
    for (const [name, slot] of this.#slots) {
      steps[name] = slot.step;
      moments.set(`exp_avg.${name}`, { shape: [...slot.firstMoment.shape], data: slot.firstMoment.dataSync() as Float32Array });
      moments.set(`exp_avg_sq.${name}`, { shape: [...slot.secondMoment.shape], data: slot.secondMoment.dataSync() as Float32Array });
    }
    return { learningRate: this.learningRate, steps, moments };
  }

  /** Restores a state from `state()`; its parameter names and shapes must match this optimizer's. */
  loadState(state: AdamWState, source = 'optimizer state'): void {
    const problems: string[] = [];
    for (const [name, step] of Object.entries(state.steps)) {
      const parameter = this.#parameters.get(name);
      if (!parameter) {
        problems.push(`unknown parameter '${name}'`);
        continue;
      }
      if (!Number.isInteger(step) || step < 1) problems.push(`'${name}' has step ${step}`);
      for (const key of [`exp_avg.${name}`, `exp_avg_sq.${name}`]) {
        const entry = state.moments.get(key);
        if (!entry) problems.push(`missing '${key}'`);
        else if (entry.shape.join() !== parameter.shape.join()) problems.push(`'${key}' has shape [${entry.shape}], the parameter [${parameter.shape}]`);
      }
    }
    if (problems.length) throw new Error(`${source}: cannot restore AdamW: ${problems.join('; ')}`);
    this.#disposeSlots();
    for (const [name, step] of Object.entries(state.steps)) {
      const parameter = this.#parameters.get(name)!;
      const first = state.moments.get(`exp_avg.${name}`)!;
      const second = state.moments.get(`exp_avg_sq.${name}`)!;
      this.#slots.set(
        name,
        tf.tidy(() => ({
          step,
          firstMoment: tf.variable(tf.tensor(first.data, parameter.shape, 'float32'), false),
          secondMoment: tf.variable(tf.tensor(second.data, parameter.shape, 'float32'), false),
        })),
      );
    }
    this.learningRate = state.learningRate;
  }

  #disposeSlots(): void {
    for (const slot of this.#slots.values()) {
      slot.firstMoment.dispose();
      slot.secondMoment.dispose();
    }
    this.#slots.clear();
  }

  dispose(): void {
    this.#disposeSlots();
  }
}
