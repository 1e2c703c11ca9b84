/**
 * The core of attention, softmax(q k^T + mask) v, in two forms with the same values:
 * - stock: scores, mask, softmax and the weighted sum as separate ops. Autodiff keeps the [batch, heads, time,
 *   memory] weights for the backward pass, and tfjs's backward keeps every intermediate gradient until it ends,
 *   so each attention holds three such matrices at the peak of a training step (the weights, their gradient and
 *   the scores' gradient);
 * - fused: flash-attention's decomposition with a custom gradient. The forward pass walks the keys in tiles
 *   with a running row maximum and sum (online softmax) and keeps only q, k, v, the mask, the output and each
 *   row's maximum and sum (its logsumexp, kept in two parts); the backward pass recomputes the scores tile by tile (D = rowsum(dO * O), dS = P * (dP - D)).
 *   No full matrix exists at any time, forward or backward: the largest tensor is one tile of scores.
 * Written with tfjs ops only, so the fused form runs on every backend (cpu with or without the fast kernels,
 * tfjs-node, tfjs-node-gpu). Both agree to float32 rounding; they are not bit-identical, which is why the choice
 * is a config field (`attention`) rather than a silent swap.
 */
import * as tf from '@tensorflow/tfjs';

export type AttentionKind = 'stock' | 'fused';

/**
 * Keys per tile. At 1,377 encoder positions and 2 heads a tile of scores is 1.4 MB per clip, and at most three
 * are alive at once (4.2 MB, against 15 MB for one full matrix); 128 columns keep the matrix products efficient.
 */
export const defaultKeyTile = 128;

/**
 * The running maximum starts here instead of at -Infinity, so a row whose keys in a tile are all masked gives
 * exp(-Infinity - this) = 0 instead of exp(-Infinity + Infinity) = NaN, and later tiles still count. A row whose
 * every key is masked ends with a zero sum and a NaN output, as the stock softmax gives (and PyTorch's).
 */
const floorMaximum = -3.4028234663852886e38; // -FLT_MAX

/** softmax(q k^T + mask) v with separate ops. q: [batch, heads, time, d], k and v: [batch, heads, memory, d]. */
export function stockAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask?: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => {
    let scores = tf.matMul(q, k, false, true); // [batch, heads, time, memory]
    if (mask) scores = tf.add(scores, mask);
    return tf.matMul(tf.softmax(scores, -1), v) as tf.Tensor4D; // [batch, heads, time, d]
  });
}

/** The mask as [1 | batch, 1 | heads, 1 | time, 1 | memory], checked against the attention's shape. */
function mask4d(mask: tf.Tensor, time: number, memory: number): tf.Tensor4D {
  if (mask.rank > 4) throw new Error(`fusedAttention: the mask has rank ${mask.rank}, at most 4 is supported`);
  const shape = [...new Array<number>(4 - mask.rank).fill(1), ...mask.shape] as [number, number, number, number];
  const [, , rows, columns] = shape;
  if ((rows !== 1 && rows !== time) || (columns !== 1 && columns !== memory)) {
    throw new Error(`fusedAttention: a mask of shape [${mask.shape}] does not broadcast to [time ${time}, memory ${memory}]`);
  }
  return tf.reshape(mask, shape) as tf.Tensor4D;
}

/**
 * y = f(x), then x is disposed: a chain of elementwise ops over a tile keeps two tiles alive, not the whole chain
 * (the forward and backward passes below hold at most three tiles of scores at once).
 */
function then(x: tf.Tensor, f: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  const y = f(x);
  x.dispose();
  return y;
}

/** Scores of the keys start..start+size: q k^T (+ the mask's columns) -> [batch, heads, time, size]. */
function scoreTile(q: tf.Tensor4D, keys: tf.Tensor4D, mask: tf.Tensor4D | undefined, start: number, size: number): tf.Tensor {
  const scores = tf.matMul(q, keys, false, true); // [batch, heads, time, size]
  if (!mask) return scores;
  return tf.tidy(() => then(scores, (s) => tf.add(s, mask.shape[3] === 1 ? mask : tf.slice(mask, [0, 0, 0, start], [-1, -1, -1, size]))));
}

/** Rows start..start+size of x: [batch, heads, memory, d] (x itself when that is all of it). */
function keyRows(x: tf.Tensor4D, start: number, size: number): tf.Tensor4D {
  return size === x.shape[2] ? x : tf.slice(x, [0, 0, start, 0], [-1, -1, size, -1]);
}

interface Tile {
  start: number;
  size: number;
}

/**
 * softmax(q k^T + mask) v without the attention matrix; see the module comment. q: [batch, heads, time, d],
 * k and v: [batch, heads, memory, d]; mask: additive, broadcastable to [time, memory] (any leading axes of 1,
 * batch or heads). Gradients flow to q, k and v; the mask is a constant.
 */
export function fusedAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask?: tf.Tensor, keyTile = defaultKeyTile): tf.Tensor4D {
  if (!(Number.isInteger(keyTile) && keyTile > 0)) throw new Error(`fusedAttention: the key tile must be a positive integer, got ${keyTile}`);
  const [, , time] = q.shape;
  const memory = k.shape[2];
  const tiles: Tile[] = [];
  for (let start = 0; start < memory; start += keyTile) tiles.push({ start, size: Math.min(keyTile, memory - start) });
  const attend = (masked: tf.Tensor4D | undefined) =>
    tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [query, keys, values] = args as tf.Tensor4D[];
      const save = args[3] as tf.GradSaveFunc;
      let maximum: tf.Tensor | undefined; // [batch, heads, time, 1], running row maximum (at least floorMaximum)
      let sum: tf.Tensor | undefined; // [batch, heads, time, 1], running sum of exp(score - maximum)
      let weighted: tf.Tensor | undefined; // [batch, heads, time, d], running sum of exp(score - maximum) v
      for (const { start, size } of tiles) {
        const next = tf.tidy(() => {
          const scores = scoreTile(query, keyRows(keys, start, size), masked, start, size); // [batch, heads, time, size]
          const tileMaximum = tf.maximum(tf.max(scores, -1, true), floorMaximum); // [batch, heads, time, 1]
          const rowMaximum = maximum ? tf.maximum(maximum, tileMaximum) : tileMaximum;
          const p = then(
            then(scores, (s) => tf.sub(s, rowMaximum)),
            tf.exp,
          ); // [batch, heads, time, size]
          const tileSum = tf.sum(p, -1, true); // [batch, heads, time, 1]
          const tileWeighted = tf.matMul(p, keyRows(values, start, size)); // [batch, heads, time, d]
          if (!maximum || !sum || !weighted) return [rowMaximum, tileSum, tileWeighted];
          // Rescale what earlier tiles summed under their (smaller or equal) maximum.
          const correction = tf.exp(tf.sub(maximum, rowMaximum)); // [batch, heads, time, 1]
          return [rowMaximum, tf.add(tf.mul(sum, correction), tileSum), tf.add(tf.mul(weighted, correction), tileWeighted)];
        });
        tf.dispose([maximum, sum, weighted].filter((t): t is tf.Tensor => t !== undefined));
        [maximum, sum, weighted] = next;
      }
      const output = tf.div(weighted!, sum!) as tf.Tensor4D; // [batch, heads, time, d]
      // The maximum and the sum are kept apart rather than as one logsumexp: under a large finite mask (-1e9)
      // the maximum's ulp is 64, and adding log(sum) to it would lose the sum entirely.
      save([query, keys, values, output, maximum!, sum!, ...(masked ? [masked] : [])]);
      return { value: output, gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => backward(dy, saved as tf.Tensor4D[], tiles) };
    });
  return tf.tidy(() => attend(mask ? mask4d(mask, time, memory) : undefined)(q, k, v) as tf.Tensor4D);
}

/** dq, dk, dv from dO, recomputing each tile's probabilities as the forward pass made them. */
function backward(dy: tf.Tensor4D, saved: tf.Tensor4D[], tiles: Tile[]): tf.Tensor[] {
  // tfjs keeps whatever a custom gradient allocates until the whole backward pass ends; this tidy frees the tiles.
  return tf.tidy(() => {
    const [query, keys, values, output, maximum, sum, mask] = saved;
    const delta = tf.sum(tf.mul(dy, output), -1, true); // [batch, heads, time, 1]
    let dQuery: tf.Tensor | undefined;
    const dKeys: tf.Tensor[] = [];
    const dValues: tf.Tensor[] = [];
    for (const { start, size } of tiles) {
      const tileKeys = keyRows(keys, start, size); // [batch, heads, size, d]
      const [dq, dk, dv] = tf.tidy(() => {
        const scores = scoreTile(query, tileKeys, mask, start, size); // [batch, heads, time, size]
        const p = then(
          then(scores, (s) => tf.sub(s, maximum)),
          (shifted) => then(tf.exp(shifted), (e) => tf.div(e, sum)),
        ); // [batch, heads, time, size]
        const dp = tf.matMul(dy, keyRows(values, start, size), false, true); // [batch, heads, time, size]
        const dScores = then(
          then(dp, (d) => tf.sub(d, delta)),
          (d) => tf.mul(p, d),
        ); // [batch, heads, time, size]
        const tileQuery = tf.matMul(dScores, tileKeys); // [batch, heads, time, d]
        return [dQuery ? tf.add(dQuery, tileQuery) : tileQuery, tf.matMul(dScores, query, true, false), tf.matMul(p, dy, true, false)];
      });
      dQuery?.dispose();
      dQuery = dq;
      dKeys.push(dk); // [batch, heads, size, d]
      dValues.push(dv); // [batch, heads, size, d]
    }
    const joined = (parts: tf.Tensor[]) => (parts.length === 1 ? parts[0] : tf.concat(parts, 2)); // [batch, heads, memory, d]
    return [dQuery!, joined(dKeys), joined(dValues)];
  });
}

/** softmax(q k^T + mask) v by `kind`. */
export function softmaxAttention(kind: AttentionKind, q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, mask?: tf.Tensor): tf.Tensor4D {
  return kind === 'fused' ? fusedAttention(q, k, v, mask) : stockAttention(q, k, v, mask);
}
