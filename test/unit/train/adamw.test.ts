import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { AdamW } from '../../../src/lib/train/adamw.ts';

/*
 * Expected values from torch 1.13.1 (Debian python3-torch), torch.optim.AdamW(params, lr=1e-3) with its defaults
 * (betas 0.9/0.999, eps 1e-8, weight_decay 0.01), the learning rate set on the param group before each step:
 *
 *   p0 = Parameter(tensor([[0.5, -1.25, 2.0], [0.0, 3.5, -0.75]])); p1 = Parameter(tensor([1.0, -2.0, 0.25]))
 *   opt = torch.optim.AdamW([p0, p1], lr=1e-3)
 *   for (g0, g1), lr in zip(GRADIENTS, [1e-3, 5e-2, 2e-3]):
 *       opt.param_groups[0]['lr'] = lr; p0.grad, p1.grad = tensor(g0), tensor(g1); opt.step()
 *       print(p0.flatten().tolist(), p1.tolist())
 */
const gradients: [number[], number[]][] = [
  [
    [0.1, -0.2, 0.3, 1.5, -0.05, 0.0],
    [0.01, 2.0, -3.0],
  ],
  [
    [-0.4, 0.2, 0.1, 0.5, 0.05, 1e-4],
    [-0.02, 1.0, 3.0],
  ],
  [
    [0.3, 0.3, -0.3, -1.0, 0.0, 2.0],
    [0.5, -0.5, 0.0],
  ],
];
const learningRates = [1e-3, 5e-2, 2e-3];
const torchAfterEachStep: { p0: number[]; p1: number[] }[] = [
  {
    p0: [0.49899500608444214, -1.2489874362945557, 1.998979926109314, -0.0010000000474974513, 3.500964879989624, -0.7499924898147583],
    p1: [0.998989999294281, -2.0009799003601074, 0.25099748373031616],
  },
  {
    p0: [0.5267207026481628, -1.2509944438934326, 1.9544271230697632, -0.044552698731422424, 3.4965827465057373, -0.7868190407752991],
    p1: [1.0167956352233887, -2.04658842086792, 0.2482404112815857],
  },
  {
    p0: [0.5266575217247009, -1.2519551515579224, 1.9542912244796753, -0.04500625655055046, 3.496431350708008, -0.7880809903144836],
    p1: [1.01552414894104, -2.0476746559143066, 0.24815405905246735],
  },
];

function makeParameters(): Map<string, tf.Variable> {
  return new Map<string, tf.Variable>([
    [
      'p0',
      tf.variable(
        tf.tensor2d([
          [0.5, -1.25, 2.0],
          [0.0, 3.5, -0.75],
        ]),
      ),
    ],
    ['p1', tf.variable(tf.tensor1d([1.0, -2.0, 0.25]))],
  ]);
}

function stepWith(optimizer: AdamW, index: number): void {
  const [g0, g1] = gradients[index];
  optimizer.learningRate = learningRates[index];
  const grads = { p0: tf.tensor2d(g0, [2, 3]), p1: tf.tensor1d(g1) };
  optimizer.step(grads);
  tf.dispose(Object.values(grads));
}

function expectClose(actual: ArrayLike<number>, expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i]), `index ${i}`).toBeLessThanOrEqual(tolerance);
}

beforeAll(async () => {
  await initBackend({ log: () => {} });
});

describe('AdamW', () => {
  it('matches torch.optim.AdamW over three steps with a changing learning rate', () => {
    const parameters = makeParameters();
    const optimizer = new AdamW(parameters);
    expect(optimizer.learningRate).toBe(1e-3);
    for (let index = 0; index < 3; index++) {
      stepWith(optimizer, index);
      // float32 arithmetic in a different order: a few ulps of values up to 3.5 (ulp 2.4e-7).
      expectClose(parameters.get('p0')!.dataSync(), torchAfterEachStep[index].p0, 1e-6);
      expectClose(parameters.get('p1')!.dataSync(), torchAfterEachStep[index].p1, 1e-6);
    }
    optimizer.dispose();
    tf.dispose([...parameters.values()]);
  });

  it('decays weights even with a zero gradient (decoupled decay), by lr * wd', () => {
    const parameter = tf.variable(tf.tensor1d([2.0]));
    const optimizer = new AdamW(new Map([['w', parameter]]), { learningRate: 0.1, weightDecay: 0.5 });
    const zero = tf.tensor1d([0]);
    optimizer.step({ w: zero });
    // m = v = 0, so the Adam part is 0 / (0 + eps) = 0; only p * (1 - 0.1 * 0.5) remains.
    expect(parameter.dataSync()[0]).toBeCloseTo(1.9, 6);
    tf.dispose([zero, parameter]);
    optimizer.dispose();
  });

  it('restores its state so a resumed run continues exactly', () => {
    const straight = makeParameters();
    const straightOptimizer = new AdamW(straight);
    for (let index = 0; index < 3; index++) stepWith(straightOptimizer, index);

    const resumed = makeParameters();
    const first = new AdamW(resumed);
    stepWith(first, 0);
    const saved = first.state();
    expect(saved.steps).toEqual({ p0: 1, p1: 1 });
    expect([...saved.moments.keys()].sort()).toEqual(['exp_avg.p0', 'exp_avg.p1', 'exp_avg_sq.p0', 'exp_avg_sq.p1']);
    first.dispose();
    const second = new AdamW(resumed);
    second.loadState(saved);
    for (let index = 1; index < 3; index++) stepWith(second, index);

    for (const name of ['p0', 'p1']) expect(Array.from(resumed.get(name)!.dataSync())).toEqual(Array.from(straight.get(name)!.dataSync()));
    second.dispose();
    straightOptimizer.dispose();
    tf.dispose([...straight.values(), ...resumed.values()]);
  });

  it('rejects unknown gradients, wrong shapes and mismatched states by name', () => {
    const parameters = makeParameters();
    const optimizer = new AdamW(parameters);
    const wrong = tf.zeros([3, 2]);
    expect(() => optimizer.step({ p0: wrong })).toThrow(/'p0' has shape \[3,2\]/);
    expect(() => optimizer.step({ q: wrong })).toThrow(/unknown parameter 'q'/);
    expect(() =>
      optimizer.loadState({ learningRate: 1e-3, steps: { p1: 1 }, moments: new Map([['exp_avg.p1', { shape: [3], data: new Float32Array(3) }]]) }, 'ckpt.json'),
    ).toThrow(/ckpt\.json.*missing 'exp_avg_sq\.p1'/);
    tf.dispose([wrong, ...parameters.values()]);
    optimizer.dispose();
  });

  it('leaks no tensors per step', () => {
    const parameters = makeParameters();
    const optimizer = new AdamW(parameters);
    stepWith(optimizer, 0); // creates the moment slots once
    const before = tf.memory().numTensors;
    stepWith(optimizer, 1);
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    tf.dispose([...parameters.values()]);
  });
});
