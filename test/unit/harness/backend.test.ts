import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend, parseBackendRequest } from '../../../src/lib/backend/backend.ts';
import { runNode } from '../cli/run-cli.ts';

describe('backend request', () => {
  it('defaults to auto and accepts the four names', () => {
    expect(parseBackendRequest(undefined)).toBe('auto');
    for (const name of ['auto', 'node-gpu', 'node', 'cpu']) expect(parseBackendRequest(name)).toBe(name);
  });

  it('rejects anything else by name', () => {
    expect(() => parseBackendRequest('gpu')).toThrow(/TFJS_BACKEND=gpu is not a backend; use one of auto, node-gpu, node, cpu/);
  });
});

describe('the cpu backend in a fresh process', () => {
  // tfjs-backend-cpu advises "install our node backend" on its first tensor, once per process and so once per
  // worker; the [backend] line already says what runs. The flag that silences it must change no number.
  it("prints the [backend] line and not tfjs's advice to install the node backend, with the same arithmetic", async () => {
    const script = `
      import * as tf from '@tensorflow/tfjs';
      import { initBackend } from './src/lib/backend/backend.ts';
      const info = await initBackend({ requested: 'cpu' });
      const x = tf.tensor2d([[1.5, -2], [0.25, 3]]);
      const y = tf.softmax(tf.matMul(x, x));
      console.log(JSON.stringify({ fastKernels: info.fastKernels, isTest: tf.env().getBool('IS_TEST'), y: Array.from(y.dataSync()) }));
    `;
    const run = await runNode(['--import', 'tsx', '--input-type=module', '-e', script], { TFJS_FAST_KERNELS: '1' });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(`[backend] cpu, fast kernels, tfjs ${tf.version.tfjs}\n`);
    const { fastKernels, isTest, y } = JSON.parse(run.stdout) as { fastKernels: boolean; isTest: boolean; y: number[] };
    expect(fastKernels).toBe(true);
    expect(isTest).toBe(false);
    // Here with the flag off again: the numbers are the same.
    await initBackend({ requested: 'cpu', log: () => {} });
    tf.env().set('PROD', false);
    const x = tf.tensor2d([
      [1.5, -2],
      [0.25, 3],
    ]);
    const here = tf.softmax(tf.matMul(x, x));
    expect(y).toEqual(Array.from(here.dataSync()));
    tf.dispose([x, here]);
  });
});
