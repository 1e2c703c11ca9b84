/**
 * Question 3's speech recogniser: the audio encoder plus one of the two decoders, and a loader for weights
 * saved by the homework's PyTorch code (safetensors of its state dict).
 * Our own parameter names are `encoder.*` and `decoder.*` with PyTorch's layouts, so checkpoints written
 * here load back into the homework's modules too.
 */
import type * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { Random } from '../random.ts';
import { readSafetensors } from '../weights/safetensors.ts';
import type { TensorMap } from '../weights/safetensors.ts';
import { createAsrDecoder } from './asr-decoders.ts';
import type { AsrDecoder, DecoderKind } from './asr-decoders.ts';
import { AsrEncoder } from './asr-encoder.ts';
import type { AttentionKind } from './fused-attention.ts';
import { recomputed } from './recompute.ts';
import type { RecomputeKind } from './recompute.ts';
import { loadStateDict, Module, stateDictProblems } from './layers.ts';

/**
 * The model config, as the experiments' profiles name its fields (defaults are the homework's): built once from a
 * profile, passed whole to the encoder, the decoders and their attention layers, which read it under these names,
 * and written whole beside published weights. The experiments' configs extend it (without `decoder`: they train
 * each of their `decoders`); the token vocabulary (../text/tokens.ts) is the model's output classes.
 */
export const asrModelConfig = z.object({
  decoder: z.enum(['recurrent', 'attention'] as const satisfies readonly DecoderKind[]), // which of the two decoders
  nMels: z.number().int().positive().default(80), // log-mel bands; the homework: 80
  frames: z.number().int().min(2).default(2754), // log-mel frames per clip after padding/cropping; the homework: 2754 (20 s)
  textLength: z.number().int().min(3).default(99), // tokens per transcript incl. start/stop and padding; the decoders see textLength - 1; the homework: 99
  hidden: z.number().int().positive().default(200), // model width
  heads: z.number().int().positive().default(2), // attention heads (must divide hidden)
  mlpHidden: z.number().int().positive().default(400), // MLP width in every block
  encoderBlocks: z.number().int().positive().default(2), // encoder self-attention blocks
  maxTimescale: z.number().positive().default(3000), // of the encoder's sinusoidal positions
  // How attention is computed: 'stock' ops (absent: the committed snapshots' numbers) or 'fused' (./fused-attention.ts:
  // no attention matrix kept; the same values to float32 rounding, so a profile's curves would drift by a rounding).
  attention: z.enum(['stock', 'fused'] as const satisfies readonly AttentionKind[]).optional(),
  // 'blocks': the encoder's front end, each half of each encoder block and the decoder recompute their activations in
  // the backward pass instead of keeping them (./recompute.ts): bitwise the same gradients, a third of the memory, one
  // more forward pass of work. Absent: 'none'.
  recompute: z.enum(['none', 'blocks'] as const satisfies readonly RecomputeKind[]).optional(),
});

export type AsrModelConfig = z.output<typeof asrModelConfig>;

export class AsrModel extends Module {
  readonly encoder: AsrEncoder;
  readonly decoder: AsrDecoder;

  constructor(
    readonly config: AsrModelConfig,
    random: Random,
  ) {
    super();
    this.encoder = this.addModule('encoder', new AsrEncoder(config, random));
    this.decoder = this.addModule('decoder', createAsrDecoder(config, random));
  }

  /**
   * Teacher forcing: audio [batch, nMels, frames], input tokens int32 [batch, length] -> logits [batch, length, vocab].
   * With `recompute: 'blocks'` the decoder is recomputed as one part too: its activations and gradients (the LSTM's
   * include one [4 hidden, hidden] weight gradient per step) are gone before the encoder's backward pass begins.
   */
  forward(audio: tf.Tensor3D, tokens: tf.Tensor2D): tf.Tensor3D {
    const memory = this.encoder.forward(audio); // [batch, frames/2, hidden]
    try {
      if (this.config.recompute !== 'blocks') return this.decoder.forward(tokens, memory);
      const weights = [...this.decoder.namedParameters().values()];
      const decode = (input: tf.Tensor, keptTokens: tf.Tensor) => this.decoder.forward(keptTokens as tf.Tensor2D, input as tf.Tensor3D);
      return recomputed(decode, memory, weights, { constants: [tokens] }) as tf.Tensor3D; // [batch, length, vocab]
    } finally {
      memory.dispose();
    }
  }

  /** Greedy transcripts: int32 [batch, textLength], the start token then textLength - 1 argmax steps. */
  transcribe(audio: tf.Tensor3D, startToken = 0): tf.Tensor2D {
    const memory = this.encoder.forward(audio); // [batch, frames/2, hidden]
    try {
      return this.decoder.greedy(memory, this.config.textLength - 1, startToken);
    } finally {
      memory.dispose();
    }
  }
}

export function createAsrModel(config: AsrModelConfig, seed: number | Random): AsrModel {
  return new AsrModel(config, typeof seed === 'number' ? new Random(seed) : seed);
}

export interface PyTorchPrefixes {
  /** Where the encoder's state dict sits in the file, e.g. `encoder.`. */
  encoder: string;
  /** Where the decoder's sits, e.g. `decoder.` or, in the golden reference file, `transformer.` / `recurrent.`. */
  decoder: string;
}

/**
 * Copies a PyTorch state dict (as read from safetensors) into the model. Names under the two prefixes must
 * match the model exactly (missing, unexpected or wrongly shaped tensors are errors naming `source`);
 * tensors under other prefixes are ignored, so one file can hold several models.
 */
export function loadPyTorchAsrWeights(model: AsrModel, tensors: TensorMap, prefixes: PyTorchPrefixes, source = 'state dict'): void {
  if (prefixes.encoder.startsWith(prefixes.decoder) || prefixes.decoder.startsWith(prefixes.encoder)) {
    throw new Error(`loadPyTorchAsrWeights: prefixes '${prefixes.encoder}' and '${prefixes.decoder}' overlap`);
  }
  const problems = [...stateDictProblems(model.encoder, tensors, prefixes.encoder), ...stateDictProblems(model.decoder, tensors, prefixes.decoder)];
  if (problems.length) throw new Error(`${source}: cannot load the ASR model: ${problems.join('; ')}`);
  loadStateDict(model.encoder, tensors, prefixes.encoder, source);
  loadStateDict(model.decoder, tensors, prefixes.decoder, source);
}

export async function readPyTorchAsrWeights(model: AsrModel, path: string, prefixes: PyTorchPrefixes): Promise<void> {
  loadPyTorchAsrWeights(model, await readSafetensors(path), prefixes, path);
}
