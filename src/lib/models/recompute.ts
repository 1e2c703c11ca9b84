/**
 * Activation checkpointing: y = f(x) whose backward pass recomputes f instead of keeping what f made. tfjs's
 * gradient tape keeps every intermediate of the forward pass and every intermediate gradient until the whole
 * backward pass ends; wrapped here, a block keeps only its input (the tape records one node for it), and its
 * gradient re-runs f under a gradient computation of its own, which frees the block's intermediates and their
 * gradients as soon as its input's and weights' gradients are out. The values are the same computation twice,
 * so the gradients equal the unwrapped ones bitwise (measured on the ASR model, both decoders). The backward pass
 * costs one more forward pass of each wrapped part.
 *
 * The nested gradient computation needs one guard. tfjs's engine (tfjs-core engine.js) keeps one active tape:
 * `gradients()` runs the outer backward pass at gradientDepth 0, so a `gradients()` started inside a custom
 * gradient finds depth 0 again, and startTape() replaces `state.activeTape` with a fresh array; at its end it
 * disposes that array's saved tensors and sets `activeTape = null`. The outer pass walks its own filtered copy of
 * the tape, so the walk itself is unaffected, but at its end it disposes the saved tensors of `activeTape`, which
 * is then null: it throws, and the outer tape's saved tensors leak (measured on tfjs 4.22: "Cannot read
 * properties of null (reading 'forEach')", 4 tensors left). Restoring the outer tape after the inner computation
 * gives exact gradients and leaves nothing behind (test/unit/models/recompute.test.ts).
 */
import * as tf from '@tensorflow/tfjs';

/**
 * 'none': the tape keeps every activation (absent means this); 'blocks': the ASR model's encoder front end, each
 * half of each encoder block (attention, MLP) and the decoder are recomputed, one part at a time.
 */
export type RecomputeKind = 'none' | 'blocks';

/**
 * The gradients of f() at `xs` for the output gradient dy, from inside another gradient computation's backward
 * pass, leaving that computation's tape as it was.
 */
function nestedGradients(f: () => tf.Tensor, xs: tf.Tensor[], dy: tf.Tensor): tf.Tensor[] {
  const engine = tf.engine();
  const outerTape = engine.state.activeTape;
  try {
    const { value, grads } = engine.gradients(f, xs, dy);
    value.dispose();
    return grads;
  } finally {
    engine.state.activeTape = outerTape;
  }
}

/**
 * f(x, ...constants), with the backward pass recomputing f. `weights` are the variables f reads: the custom
 * gradient must name them as inputs for the tape to route their gradients, since tfjs's customGrad sees only its
 * arguments. `constants` are the other tensors f reads (token ids, a mask): kept for the recomputation, which runs
 * after the scopes that made them have disposed them, and given no gradient. With `inputGradient: false` (x is
 * data, such as the audio) x's gradient is not computed and reads as zeros.
 */
export function recomputed(
  f: (x: tf.Tensor, ...constants: tf.Tensor[]) => tf.Tensor,
  x: tf.Tensor,
  weights: readonly tf.Variable[],
  options: { inputGradient?: boolean; constants?: readonly tf.Tensor[] } = {},
): tf.Tensor {
  const inputGradient = options.inputGradient ?? true;
  const constants = options.constants ?? [];
  const run = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const input = args[0] as tf.Tensor;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save([input, ...constants]);
    return {
      // Run as one kernel by the engine: nothing inside is taped, and what f makes besides y is disposed.
      value: f(input, ...constants),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [kept, ...keptConstants] = saved;
        const grads = nestedGradients(() => f(kept, ...keptConstants), inputGradient ? [kept, ...weights] : [...weights], dy as tf.Tensor);
        return inputGradient ? grads : [tf.zerosLike(kept), ...grads];
      },
    };
  });
  return run(x, ...weights);
}
