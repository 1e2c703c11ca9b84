/**
 * The homework's attention modules (Whisper-style): multi-head attention with q and k each scaled by
 * (hidden/heads)^-1/4, a pre-norm residual cross-attention block (attention then a GELU MLP) and a pre-norm
 * residual self-attention layer. Written with matMul/reshape/transpose: tfjs's own MultiHeadAttention is not
 * exported and its einsum has no gradient.
 */
import * as tf from '@tensorflow/tfjs';
import type { Random } from '../random.ts';
import { softmaxAttention } from './fused-attention.ts';
import type { AttentionKind } from './fused-attention.ts';
import { gelu, LayerNorm, Linear, Module, ModuleList } from './layers.ts';

/** Keys and values of a memory, already split into heads (and keys scaled), for reuse across decoding steps. */
export interface KeyValues {
  keys: tf.Tensor4D; // [batch, heads, memory, headDim], scaled
  values: tf.Tensor4D; // [batch, heads, memory, headDim]
}

export function disposeKeyValues(kv: KeyValues): void {
  kv.keys.dispose();
  kv.values.dispose();
}

/** Additive causal mask: 0 on and below the diagonal, -Infinity above (as the homework's triu(-inf, 1)). */
export function causalMask(length: number): tf.Tensor2D {
  const values = new Float32Array(length * length);
  for (let row = 0; row < length; row++) for (let col = row + 1; col < length; col++) values[row * length + col] = -Infinity;
  return tf.tensor2d(values, [length, length]);
}

/** What an attention layer reads of the model config (./asr.ts's AsrModelConfig, passed whole, under its names). */
export interface AttentionConfig {
  hidden: number; // model width
  heads: number; // attention heads (must divide hidden)
  attention?: AttentionKind; // how softmax(q k^T + mask) v is computed (./fused-attention.ts); the same values either way; default 'stock'
}

/** What a residual block reads: its attention's and its MLP's width. */
export interface BlockConfig extends AttentionConfig {
  mlpHidden: number; // MLP width inside the block
}

export class MultiHeadAttention extends Module {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly out: Linear;
  readonly hidden: number;
  readonly heads: number;
  readonly attention: AttentionKind;
  readonly headDim: number;
  /** Applied to q and to k, so q.k carries 1/sqrt(headDim) and both stay in a moderate range. */
  readonly scale: number;

  constructor(config: AttentionConfig, random: Random) {
    super();
    const { hidden, heads } = config;
    this.hidden = hidden;
    this.heads = heads;
    this.attention = config.attention ?? 'stock';
    if (hidden % heads !== 0) throw new Error(`MultiHeadAttention: hidden ${hidden} is not divisible by ${heads} heads`);
    this.headDim = hidden / heads;
    this.scale = this.headDim ** -0.25;
    this.query = this.addModule('query', new Linear(hidden, hidden, random));
    this.key = this.addModule('key', new Linear(hidden, hidden, random, { bias: false }));
    this.value = this.addModule('value', new Linear(hidden, hidden, random));
    this.out = this.addModule('out', new Linear(hidden, hidden, random));
  }

  /** [batch, time, hidden] -> [batch, heads, time, headDim]. */
  #splitHeads(x: tf.Tensor): tf.Tensor4D {
    const [batch, time] = x.shape;
    return tf.transpose(tf.reshape(x, [batch, time, this.heads, this.headDim]), [0, 2, 1, 3]); // [batch, heads, time, headDim]
  }

  /** Projects a memory z: [batch, memory, hidden] once, for `attend`. */
  keyValues(z: tf.Tensor3D): KeyValues {
    return tf.tidy(() => ({
      keys: tf.mul(this.#splitHeads(this.key.forward(z)), this.scale) as tf.Tensor4D, // [batch, heads, memory, headDim]
      values: this.#splitHeads(this.value.forward(z)), // [batch, heads, memory, headDim]
    }));
  }

  /** x: [batch, time, hidden] attends to projected memory; mask: additive, broadcastable to [time, memory]. */
  attend(x: tf.Tensor3D, kv: KeyValues, mask?: tf.Tensor): tf.Tensor3D {
    return tf.tidy(() => {
      const [batch, time] = x.shape;
      const q = tf.mul(this.#splitHeads(this.query.forward(x)), this.scale) as tf.Tensor4D; // [batch, heads, time, headDim]
      // One query row (a decoding step) makes a matrix no larger than the keys: the fused form would only add tiles.
      const mixed = softmaxAttention(time > 1 ? this.attention : 'stock', q, kv.keys, kv.values, mask); // [batch, heads, time, headDim]
      const merged = tf.reshape(tf.transpose(mixed, [0, 2, 1, 3]), [batch, time, this.hidden]); // [batch, time, hidden]
      return this.out.forward(merged) as tf.Tensor3D;
    });
  }

  /** The attention weights of x: [batch, time, hidden] over z: [batch, memory, hidden] -> [batch, heads, time, memory]. */
  weights(x: tf.Tensor3D, z: tf.Tensor3D, mask?: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => {
      const kv = this.keyValues(z);
      let scores = tf.matMul(tf.mul(this.#splitHeads(this.query.forward(x)), this.scale), kv.keys, false, true); // [batch, heads, time, memory]
      if (mask) scores = tf.add(scores, mask);
      return tf.softmax(scores, -1) as tf.Tensor4D;
    });
  }

  /** Queries from x: [batch, time, hidden], keys and values from z: [batch, memory, hidden]. */
  forward(x: tf.Tensor3D, z: tf.Tensor3D, mask?: tf.Tensor): tf.Tensor3D {
    return tf.tidy(() => this.attend(x, this.keyValues(z), mask));
  }
}

/**
 * x + Att(LN(x), z), then + MLP(LN(.)). Without z it is a self-attention block (the encoder's): keys and
 * values come from the same normalised x. PyTorch names: att_norm, att, mlp_norm, mlp.0, mlp.2 (mlp.1 is GELU).
 */
export class ResidualCrossAttentionBlock extends Module {
  readonly attNorm: LayerNorm;
  readonly att: MultiHeadAttention;
  readonly mlpNorm: LayerNorm;
  readonly mlpIn: Linear;
  readonly mlpOut: Linear;

  constructor(config: BlockConfig, random: Random) {
    super();
    const { hidden, mlpHidden } = config;
    this.attNorm = this.addModule('att_norm', new LayerNorm(hidden));
    this.att = this.addModule('att', new MultiHeadAttention(config, random));
    this.mlpNorm = this.addModule('mlp_norm', new LayerNorm(hidden));
    const mlp = this.addModule('mlp', new ModuleList());
    this.mlpIn = mlp.add(0, new Linear(hidden, mlpHidden, random));
    this.mlpOut = mlp.add(2, new Linear(mlpHidden, hidden, random));
  }

  /** The second half, x + MLP(LN(x)) (its own part, so the encoder can recompute the halves one at a time). */
  mlpResidual(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => tf.add(x, this.mlpOut.forward(gelu(this.mlpIn.forward(this.mlpNorm.forward(x)))))) as tf.Tensor3D; // [batch, time, hidden]
  }

  /** The first half, x + Att(LN(x), z), z defaulting to LN(x). */
  attentionResidual(x: tf.Tensor3D, z?: tf.Tensor3D, mask?: tf.Tensor): tf.Tensor3D {
    return tf.tidy(() => {
      const normalised = this.attNorm.forward(x) as tf.Tensor3D;
      return tf.add(x, this.att.forward(normalised, z ?? normalised, mask)) as tf.Tensor3D; // [batch, time, hidden]
    });
  }

  forward(x: tf.Tensor3D, z?: tf.Tensor3D, mask?: tf.Tensor): tf.Tensor3D {
    return tf.tidy(() => this.mlpResidual(this.attentionResidual(x, z, mask)));
  }

  /** Where each position of x looks in z: the attention weights, mean over heads -> [batch, time, memory]. */
  attentionMap(x: tf.Tensor3D, z: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => tf.mean(this.att.weights(this.attNorm.forward(x) as tf.Tensor3D, z), 1) as tf.Tensor3D);
  }

  /** The same as forward(x, z) with the memory's keys and values projected beforehand (att.keyValues(z)). */
  forwardCached(x: tf.Tensor3D, kv: KeyValues): tf.Tensor3D {
    return tf.tidy(() => this.mlpResidual(tf.add(x, this.att.attend(this.attNorm.forward(x) as tf.Tensor3D, kv)) as tf.Tensor3D));
  }
}

/** x + Att(LN(x), LN(x), mask). PyTorch names: att_norm, att. */
export class ResidualSelfAttention extends Module {
  readonly attNorm: LayerNorm;
  readonly att: MultiHeadAttention;

  constructor(config: AttentionConfig, random: Random) {
    super();
    this.attNorm = this.addModule('att_norm', new LayerNorm(config.hidden));
    this.att = this.addModule('att', new MultiHeadAttention(config, random));
  }

  forward(x: tf.Tensor3D, mask?: tf.Tensor): tf.Tensor3D {
    return tf.tidy(() => {
      const normalised = this.attNorm.forward(x) as tf.Tensor3D;
      return tf.add(x, this.att.forward(normalised, normalised, mask)) as tf.Tensor3D;
    });
  }

  /**
   * One causal step: x holds the newest position only ([batch, 1, hidden]); `cache` holds the keys and values
   * of the earlier positions and is replaced by one that includes this position (the old one is disposed).
   * Equal to forward over the whole prefix with the causal mask, read at the last position.
   */
  forwardStep(x: tf.Tensor3D, cache: KeyValues | undefined): { output: tf.Tensor3D; cache: KeyValues } {
    let next: KeyValues | undefined;
    const output = tf.tidy(() => {
      const normalised = this.attNorm.forward(x) as tf.Tensor3D;
      const fresh = this.att.keyValues(normalised); // [batch, heads, 1, headDim] each
      next = cache
        ? { keys: tf.concat([cache.keys, fresh.keys], 2), values: tf.concat([cache.values, fresh.values], 2) } // [batch, heads, prefix, headDim]
        : fresh;
      tf.keep(next.keys);
      tf.keep(next.values);
      return tf.add(x, this.att.attend(normalised, next)) as tf.Tensor3D; // [batch, 1, hidden]
    });
    if (cache) disposeKeyValues(cache);
    return { output, cache: next! };
  }
}
