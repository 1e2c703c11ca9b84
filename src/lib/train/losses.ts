/**
 * Cross-entropy with label smoothing, as torch.nn.CrossEntropyLoss(label_smoothing=eps) with mean reduction
 * and no ignored index: per row (1 - eps) * (-log p[target]) + eps * mean over classes of (-log p), averaged
 * over rows. The homework applies it to every position, padding included.
 */
import * as tf from '@tensorflow/tfjs';

/** logits: [..., classes]; targets: int32 [...] with the same leading shape -> scalar. */
export function crossEntropyWithLabelSmoothing(logits: tf.Tensor, targets: tf.Tensor, smoothing = 0.1): tf.Scalar {
  const classes = logits.shape[logits.shape.length - 1];
  const leading = logits.shape.slice(0, -1);
  if (targets.shape.length !== leading.length || targets.shape.some((size, i) => size !== leading[i])) {
    throw new Error(`crossEntropyWithLabelSmoothing: targets of shape [${targets.shape}] do not match logits [${logits.shape}]`);
  }
  if (targets.dtype !== 'int32') throw new Error(`crossEntropyWithLabelSmoothing: targets must be int32, got ${targets.dtype}`);
  if (!(smoothing >= 0 && smoothing <= 1)) throw new Error(`crossEntropyWithLabelSmoothing: smoothing ${smoothing} is not in [0, 1]`);
  return tf.tidy(() => {
    const logProbabilities = tf.logSoftmax(tf.reshape(logits, [-1, classes])); // [rows, classes]
    // The smoothed target distribution: (1 - eps) on the label plus eps / classes everywhere.
    const target = tf.add(tf.mul(tf.oneHot(tf.reshape(targets, [-1]), classes), 1 - smoothing), smoothing / classes); // [rows, classes]
    return tf.neg(tf.mean(tf.sum(tf.mul(target, logProbabilities), -1))) as tf.Scalar;
  });
}
