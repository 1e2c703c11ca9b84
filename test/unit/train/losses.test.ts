import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { crossEntropyWithLabelSmoothing } from '../../../src/lib/train/losses.ts';

/*
 * From torch 1.13.1:
 *   logits = tensor(LOGITS, requires_grad=True)  # [batch 2, length 3, classes 4]
 *   loss = F.cross_entropy(logits.transpose(1, 2), tensor(TARGETS), label_smoothing=0.1); loss.backward()
 */
const logitValues = [
  [
    [0.5, -1.0, 2.0, 0.0],
    [1.5, 1.5, -0.5, 3.0],
    [-2.0, 0.25, 0.0, 1.0],
  ],
  [
    [0.0, 0.0, 0.0, 0.0],
    [4.0, -4.0, 1.0, 2.0],
    [0.1, 0.2, 0.3, 0.4],
  ],
];
const targetValues = [
  [2, 0, 3],
  [1, 0, 2],
];
const torchLoss = 1.0652164220809937;
const torchGradient = [
  0.022240782156586647, 0.0017256318824365735, -0.035816680639982224, 0.011850262060761452, -0.12897910177707672, 0.021020883694291115, -0.0007579025696031749,
  0.10871610790491104, 0.00022365017503034323, 0.03748750314116478, 0.028273632749915123, -0.06598477810621262, 0.03749999403953552, -0.11249999701976776,
  0.03749999403953552, 0.03749999403953552, -0.013574020005762577, -0.004119503311812878, 0.0028330283239483833, 0.014860477298498154, 0.031473033130168915,
  0.03522128984332085, -0.11063622683286667, 0.04394189268350601,
];

beforeAll(async () => {
  await initBackend({ log: () => {} });
});

describe('cross-entropy with label smoothing', () => {
  it('matches PyTorch in value and gradient', () => {
    const logits = tf.tensor3d(logitValues);
    const targets = tf.tensor2d(targetValues, [2, 3], 'int32');
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => crossEntropyWithLabelSmoothing(x, targets, 0.1))(logits);
    expect(value.dtype).toBe('float32');
    expect(value.shape).toEqual([]);
    expect(Math.abs(value.dataSync()[0] - torchLoss)).toBeLessThan(1e-6);
    expect(grad.shape).toEqual([2, 3, 4]);
    grad.dataSync().forEach((g, i) => expect(Math.abs(g - torchGradient[i]), `index ${i}`).toBeLessThan(1e-7));
    tf.dispose([logits, targets, value, grad]);
  });

  it('without smoothing is the mean negative log-likelihood', () => {
    const logits = tf.tensor2d([
      [0, Math.log(3)],
      [Math.log(4), 0],
    ]); // p(target) = 3/4 and 4/5
    const targets = tf.tensor1d([1, 0], 'int32');
    const loss = crossEntropyWithLabelSmoothing(logits, targets, 0);
    expect(loss.dataSync()[0]).toBeCloseTo(-(Math.log(3 / 4) + Math.log(4 / 5)) / 2, 6);
    tf.dispose([logits, targets, loss]);
  });

  it('rejects mismatched targets and float targets', () => {
    const logits = tf.zeros([2, 3, 4]);
    const short = tf.zeros([2, 2], 'int32');
    const floats = tf.zeros([2, 3]);
    expect(() => crossEntropyWithLabelSmoothing(logits, short)).toThrow(/\[2,2\] do not match logits \[2,3,4\]/);
    expect(() => crossEntropyWithLabelSmoothing(logits, floats)).toThrow(/int32/);
    tf.dispose([logits, short, floats]);
  });
});
