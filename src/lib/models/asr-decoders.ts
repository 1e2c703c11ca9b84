/**
 * The homework's two text decoders over the encoder output ("memory"):
 * - recurrent: embed -> LayerNorm -> LSTM -> residual cross-attention block -> LayerNorm -> linear
 *   (PyTorch names embed, rnn_norm, rnn, cross, out_norm, classifier);
 * - attention: embed + learned positions -> causal residual self-attention -> residual cross-attention block
 *   -> LayerNorm -> linear (names embed, pos_embed, att, cross, out_norm, classifier).
 * Both give logits [batch, length, vocab] under teacher forcing, and decode greedily step by step with the
 * memory's keys and values projected once (and, for attention, the earlier positions' keys and values cached),
 * which gives the same tokens as recomputing over the prefix at a fraction of the cost.
 */
import * as tf from '@tensorflow/tfjs';
import type { Random } from '../random.ts';
import { disposeKeyValues, causalMask, ResidualCrossAttentionBlock, ResidualSelfAttention } from './attention.ts';
import type { BlockConfig, KeyValues } from './attention.ts';
import { VOCAB_SIZE } from '../text/tokens.ts';
import { Embedding, LayerNorm, Linear, Lstm, Module, normalValues } from './layers.ts';
import type { LstmState } from './layers.ts';

export type DecoderKind = 'recurrent' | 'attention';

/**
 * What a decoder reads of the model config (./asr.ts's AsrModelConfig, passed whole, under its names). Its output
 * classes are the token vocabulary's (../text/tokens.ts, 35 symbols).
 */
export interface AsrDecoderConfig extends BlockConfig {
  decoder: DecoderKind; // which of the two
  textLength: number; // padded token length: the decoder reads textLength - 1 positions (the attention decoder's position rows)
}

/** One greedy decoding in progress: feed the newest tokens, get next-token logits. */
export interface DecodingSession {
  /** tokens: int32 [batch] -> logits [batch, vocab]. */
  step(tokens: tf.Tensor1D): tf.Tensor2D;
  dispose(): void;
}

export abstract class AsrDecoder extends Module {
  constructor(readonly config: AsrDecoderConfig) {
    super();
  }

  /** tokens: int32 [batch, length], memory: [batch, frames, hidden] -> logits [batch, length, vocab]. */
  abstract forward(tokens: tf.Tensor2D, memory: tf.Tensor3D): tf.Tensor3D;

  abstract startDecoding(memory: tf.Tensor3D): DecodingSession;

  /**
   * The cross-attention weights of the decoder's (last and only) cross-attention block, mean over heads:
   * tokens int32 [batch, length], memory [batch, frames, hidden] -> [batch, length, frames]. Fed the greedy
   * transcript, these are the weights greedy decoding used at each step (both decoders are causal).
   */
  abstract crossAttention(tokens: tf.Tensor2D, memory: tf.Tensor3D): tf.Tensor3D;

  /**
   * The homework's greedy decoding: start from `startToken`, append the argmax `steps` times.
   * Returns int32 [batch, steps + 1] (the start token first).
   *
   * With `stopToken`, decoding ends once every row has emitted it and the remaining columns are filled with it:
   * a transcript is scored up to its first stop token, so the scores are the same and the steps after it, most
   * of them on long padded text rows, are saved.
   */
  greedy(memory: tf.Tensor3D, steps: number, startToken: number, stopToken?: number): tf.Tensor2D {
    const batch = memory.shape[0];
    const session = this.startDecoding(memory);
    const columns: tf.Tensor1D[] = [tf.fill([batch], startToken, 'int32')];
    let stopped: tf.Tensor1D | undefined = stopToken === undefined ? undefined : tf.zeros([batch], 'bool');
    try {
      for (let t = 0; t < steps; t++) {
        const next = tf.tidy(() => tf.argMax(session.step(columns[columns.length - 1]), -1) as tf.Tensor1D); // [batch]
        columns.push(next);
        if (stopped === undefined) continue;
        const previous: tf.Tensor1D = stopped;
        stopped = tf.tidy(() => tf.logicalOr(previous, tf.equal(next, stopToken!)) as tf.Tensor1D); // [batch]
        previous.dispose();
        if (tf.tidy(() => tf.all(stopped!).dataSync()[0]) === 1) {
          for (let rest = t + 1; rest < steps; rest++) columns.push(tf.fill([batch], stopToken!, 'int32'));
          break;
        }
      }
      return tf.stack(columns, 1) as tf.Tensor2D; // [batch, steps + 1]
    } finally {
      session.dispose();
      tf.dispose(columns);
      stopped?.dispose();
    }
  }
}

class RecurrentDecoder extends AsrDecoder {
  readonly embed: Embedding;
  readonly rnnNorm: LayerNorm;
  readonly rnn: Lstm;
  readonly cross: ResidualCrossAttentionBlock;
  readonly outNorm: LayerNorm;
  readonly classifier: Linear;

  constructor(config: AsrDecoderConfig, random: Random) {
    super(config);
    const { hidden } = config;
    this.embed = this.addModule('embed', new Embedding(VOCAB_SIZE, hidden, random));
    this.rnnNorm = this.addModule('rnn_norm', new LayerNorm(hidden));
    this.rnn = this.addModule('rnn', new Lstm(hidden, hidden, random));
    this.cross = this.addModule('cross', new ResidualCrossAttentionBlock(config, random));
    this.outNorm = this.addModule('out_norm', new LayerNorm(hidden));
    this.classifier = this.addModule('classifier', new Linear(hidden, VOCAB_SIZE, random));
  }

  #head(x: tf.Tensor3D): tf.Tensor3D {
    return this.classifier.forward(this.outNorm.forward(x)) as tf.Tensor3D; // [batch, length, vocab]
  }

  forward(tokens: tf.Tensor2D, memory: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const embedded = this.rnnNorm.forward(this.embed.forward(tokens)) as tf.Tensor3D; // [batch, length, hidden]
      return this.#head(this.cross.forward(this.rnn.forward(embedded), memory)); // [batch, length, vocab]
    });
  }

  crossAttention(tokens: tf.Tensor2D, memory: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const embedded = this.rnnNorm.forward(this.embed.forward(tokens)) as tf.Tensor3D; // [batch, length, hidden]
      return this.cross.attentionMap(this.rnn.forward(embedded), memory); // [batch, length, frames]
    });
  }

  startDecoding(memory: tf.Tensor3D): DecodingSession {
    const crossKv = this.cross.att.keyValues(memory);
    let state: LstmState | undefined;
    return {
      step: (tokens) =>
        tf.tidy(() => {
          const embedded = this.rnnNorm.forward(this.embed.forward(tf.expandDims(tokens, 1))) as tf.Tensor3D; // [batch, 1, hidden]
          const result = this.rnn.forwardWithState(embedded, state);
          if (state) tf.dispose([state.h, state.c]);
          state = result.state;
          const logits = this.#head(this.cross.forwardCached(result.output, crossKv)); // [batch, 1, vocab]
          return tf.squeeze(logits, [1]) as tf.Tensor2D; // [batch, vocab]
        }),
      dispose: () => {
        disposeKeyValues(crossKv);
        if (state) tf.dispose([state.h, state.c]);
      },
    };
  }
}

class AttentionDecoder extends AsrDecoder {
  readonly embed: Embedding;
  readonly posEmbed: tf.Variable; // [textLength - 1, hidden]
  readonly att: ResidualSelfAttention;
  readonly cross: ResidualCrossAttentionBlock;
  readonly outNorm: LayerNorm;
  readonly classifier: Linear;

  constructor(config: AsrDecoderConfig, random: Random) {
    super(config);
    const { hidden } = config;
    const positions = config.textLength - 1;
    // Registration order fixes the state-dict order; PyTorch lists pos_embed first.
    // The position matrix starts as N(0, 1), like the token embedding it is added to (the homework's own
    // initialisation is not recorded; its weights are learned either way).
    this.posEmbed = this.addParameter('pos_embed', [positions, hidden], normalValues(random, positions * hidden, 1));
    this.embed = this.addModule('embed', new Embedding(VOCAB_SIZE, hidden, random));
    this.att = this.addModule('att', new ResidualSelfAttention(config, random));
    this.cross = this.addModule('cross', new ResidualCrossAttentionBlock(config, random));
    this.outNorm = this.addModule('out_norm', new LayerNorm(hidden));
    this.classifier = this.addModule('classifier', new Linear(hidden, VOCAB_SIZE, random));
  }

  #head(x: tf.Tensor3D): tf.Tensor3D {
    return this.classifier.forward(this.outNorm.forward(x)) as tf.Tensor3D; // [batch, length, vocab]
  }

  #checkLength(length: number): void {
    if (length > this.config.textLength - 1) {
      throw new Error(`AttentionDecoder: ${length} positions, but the position matrix has ${this.config.textLength - 1} rows`);
    }
  }

  forward(tokens: tf.Tensor2D, memory: tf.Tensor3D): tf.Tensor3D {
    const length = tokens.shape[1];
    this.#checkLength(length);
    return tf.tidy(() => {
      const positions = tf.slice(this.posEmbed, [0, 0], [length, this.config.hidden]); // [length, hidden]
      const embedded = tf.add(this.embed.forward(tokens), positions) as tf.Tensor3D; // [batch, length, hidden]
      const attended = this.att.forward(embedded, causalMask(length));
      return this.#head(this.cross.forward(attended, memory)); // [batch, length, vocab]
    });
  }

  crossAttention(tokens: tf.Tensor2D, memory: tf.Tensor3D): tf.Tensor3D {
    const length = tokens.shape[1];
    this.#checkLength(length);
    return tf.tidy(() => {
      const positions = tf.slice(this.posEmbed, [0, 0], [length, this.config.hidden]); // [length, hidden]
      const embedded = tf.add(this.embed.forward(tokens), positions) as tf.Tensor3D; // [batch, length, hidden]
      return this.cross.attentionMap(this.att.forward(embedded, causalMask(length)), memory); // [batch, length, frames]
    });
  }

  startDecoding(memory: tf.Tensor3D): DecodingSession {
    const crossKv = this.cross.att.keyValues(memory);
    let selfKv: KeyValues | undefined;
    let position = 0;
    return {
      step: (tokens) => {
        this.#checkLength(position + 1);
        return tf.tidy(() => {
          const positionRow = tf.slice(this.posEmbed, [position, 0], [1, this.config.hidden]); // [1, hidden]
          const embedded = tf.add(this.embed.forward(tf.expandDims(tokens, 1)), positionRow) as tf.Tensor3D; // [batch, 1, hidden]
          const result = this.att.forwardStep(embedded, selfKv);
          selfKv = result.cache;
          position += 1;
          const logits = this.#head(this.cross.forwardCached(result.output, crossKv)); // [batch, 1, vocab]
          return tf.squeeze(logits, [1]) as tf.Tensor2D; // [batch, vocab]
        });
      },
      dispose: () => {
        disposeKeyValues(crossKv);
        if (selfKv) disposeKeyValues(selfKv);
      },
    };
  }
}

export function createAsrDecoder(config: AsrDecoderConfig, random: Random): AsrDecoder {
  return config.decoder === 'recurrent' ? new RecurrentDecoder(config, random) : new AttentionDecoder(config, random);
}
