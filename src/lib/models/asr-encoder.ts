/**
 * The homework's audio encoder (Whisper-style): two 1-D convolutions with GELU (the second halves time),
 * fixed sinusoidal positions, pre-norm self-attention blocks, a final LayerNorm.
 * PyTorch names: conv1, conv2, blocks.<i>, out_norm.
 */
import * as tf from '@tensorflow/tfjs';
import type { Random } from '../random.ts';
import { ResidualCrossAttentionBlock } from './attention.ts';
import type { BlockConfig } from './attention.ts';
import { Conv1d, gelu, LayerNorm, Module, ModuleList } from './layers.ts';
import { recomputed } from './recompute.ts';
import type { RecomputeKind } from './recompute.ts';

/** What the encoder reads of the model config (./asr.ts's AsrModelConfig, passed whole, under its names). */
export interface AsrEncoderConfig extends BlockConfig {
  nMels: number; // log-mel bands in
  encoderBlocks: number; // self-attention blocks
  maxTimescale: number; // of the sinusoids; the homework used 3000
  recompute?: RecomputeKind; // 'blocks': the front end and each half block recompute their activations in the backward pass (same values); default 'none'
}

/**
 * Whisper's sinusoids(length, channels, max_timescale): [sin | cos] halves, with the float32 roundings of
 * PyTorch's float32 arithmetic. PyTorch's float32 exp is not correctly rounded (and differs between CPU and
 * CUDA), and its last-bit differences grow with the position, so long tables agree to about 1e-4 (measured:
 * 1.2e-4 at 1377 x 200 against torch 1.13 on the CPU); the small golden file agrees to 6e-6 overall.
 */
function sinusoids(length: number, channels: number, maxTimescale: number): tf.Tensor2D {
  if (channels % 2 !== 0 || channels < 4) throw new Error(`sinusoids: channels must be even and >= 4, got ${channels}`);
  const half = channels / 2;
  const increment = Math.fround(Math.log(maxTimescale) / (half - 1));
  const inverse = new Float32Array(half);
  for (let j = 0; j < half; j++) inverse[j] = Math.fround(Math.exp(Math.fround(-increment * j)));
  const values = new Float32Array(length * channels);
  for (let t = 0; t < length; t++) {
    for (let j = 0; j < half; j++) {
      const angle = Math.fround(t * inverse[j]);
      values[t * channels + j] = Math.sin(angle);
      values[t * channels + half + j] = Math.cos(angle);
    }
  }
  return tf.tensor2d(values, [length, channels]); // [length, channels]
}

export class AsrEncoder extends Module {
  readonly conv1: Conv1d;
  readonly conv2: Conv1d;
  readonly blocks: ResidualCrossAttentionBlock[] = [];
  readonly outNorm: LayerNorm;

  constructor(
    readonly config: AsrEncoderConfig,
    random: Random,
  ) {
    super();
    const { nMels, hidden, encoderBlocks } = config;
    this.conv1 = this.addModule('conv1', new Conv1d(nMels, hidden, 3, random, { padding: 1 }));
    this.conv2 = this.addModule('conv2', new Conv1d(hidden, hidden, 3, random, { stride: 2, padding: 1 }));
    const list = this.addModule('blocks', new ModuleList());
    for (let i = 0; i < encoderBlocks; i++) this.blocks.push(list.add(i, new ResidualCrossAttentionBlock(config, random)));
    this.outNorm = this.addModule('out_norm', new LayerNorm(hidden));
  }

  /** Frames out for `frames` in (the stride-2 convolution halves time, rounding up). */
  outputLength(frames: number): number {
    return this.conv2.outputLength(this.conv1.outputLength(frames));
  }

  /** audio: [batch, nMels, frames] (the homework's layout) -> [batch, outputLength(frames), hidden]. */
  forward(audio: tf.Tensor3D): tf.Tensor3D {
    const bands = audio.shape[1];
    if (bands !== this.config.nMels) throw new Error(`AsrEncoder: audio has ${bands} bands, the model expects ${this.config.nMels}`);
    return tf.tidy(() => {
      if (this.config.recompute !== 'blocks') {
        let x = this.#frontEnd(audio); // [batch, frames/2, hidden]
        for (const block of this.blocks) x = block.forward(x);
        return this.outNorm.forward(x) as tf.Tensor3D; // [batch, frames/2, hidden]
      }
      // The tape keeps only each part's input (the audio, then [batch, frames/2, hidden] per half block); a half
      // block's backward pass holds that half's activations and gradients alone.
      const weights = (...modules: Module[]) => modules.flatMap((module) => [...module.namedParameters().values()]);
      let x = recomputed((input) => this.#frontEnd(input as tf.Tensor3D), audio, weights(this.conv1, this.conv2), {
        inputGradient: false,
      }) as tf.Tensor3D; // [batch, frames/2, hidden]
      for (const block of this.blocks) {
        x = recomputed((input) => block.attentionResidual(input as tf.Tensor3D), x, weights(block.attNorm, block.att)) as tf.Tensor3D;
        x = recomputed((input) => block.mlpResidual(input as tf.Tensor3D), x, weights(block.mlpNorm, block.mlpIn, block.mlpOut)) as tf.Tensor3D;
      }
      return this.outNorm.forward(x) as tf.Tensor3D; // [batch, frames/2, hidden]
    });
  }

  /** The convolutions and positions: audio [batch, nMels, frames] -> [batch, frames/2, hidden]. */
  #frontEnd(audio: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const channelsLast = tf.transpose(audio, [0, 2, 1]) as tf.Tensor3D; // [batch, frames, nMels]
      const first = gelu(this.conv1.forward(channelsLast)) as tf.Tensor3D; // [batch, frames, hidden]
      const x = gelu(this.conv2.forward(first)) as tf.Tensor3D; // [batch, frames/2, hidden]
      // Rebuilt per call (about 1% of a step at the homework's sizes) so the module holds no hidden tensors.
      return tf.add(x, sinusoids(x.shape[1], this.config.hidden, this.config.maxTimescale)) as tf.Tensor3D;
    });
  }
}
