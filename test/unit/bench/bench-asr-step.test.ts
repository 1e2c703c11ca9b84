/**
 * The benchmark's Question 3 step (experiments/bench/asr-step.ts) on tiny shapes: this project's step and PyTorch's
 * (when a python3 imports torch; CI installs python3-torch) run, measure and leave nothing behind; the shapes are
 * q3-asr's profiles; the projection and the snapshot rows follow from the measurements. And measurePeak sees every
 * allocation, including a peak that tf.profile (one reading per kernel) cannot.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AsrStepResult, AsrStepShape } from '../../../experiments/bench/asr-step.ts';
import { asrStepShapes, batchPeakBytes, benchAsrStep, collectAsrSteps, epochHours, formatAsrSteps, torchAsrStep } from '../../../experiments/bench/asr-step.ts';
import { findTorchPython } from '../../../experiments/bench/cpu-kernels.ts';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { measurePeak } from '../../../src/lib/backend/memory-peak.ts';
import { stepFixedTensorBytes } from '../../../src/lib/train/asr-memory.ts';

beforeAll(async () => {
  await initBackend({ log: () => {} });
});

function tinyShape(decoder: 'recurrent' | 'attention', clips: number): AsrStepShape {
  return {
    shape: 'tiny',
    decoder,
    model: { decoder, nMels: 6, frames: 20, hidden: 8, heads: 2, mlpHidden: 16, encoderBlocks: 1, textLength: 7, maxTimescale: 3000 },
    clips,
    trainBatch: 8,
    trainClips: 20,
  };
}

describe('measurePeak', () => {
  it('records the most tensor bytes held, by distinct buffers and as tf.memory() counts them, and restores the engine', () => {
    const start = tf.memory().numBytes;
    const { result, startBytes, peakBytes, peakBufferBytes, startRss, peakRss } = measurePeak(() => {
      const a = tf.zeros([1000]);
      const view = tf.reshape(a, [10, 100]); // the same buffer: tf.memory() counts it twice
      const b = tf.zeros([500]);
      tf.dispose([a, view]);
      const c = tf.zeros([200]);
      b.dispose();
      return c;
    });
    expect(startBytes).toBe(start);
    expect(peakBytes - startBytes).toBe(4 * 2500);
    expect(peakBufferBytes).toBe(4 * 1500);
    expect(peakRss).toBeGreaterThanOrEqual(startRss);
    expect(tf.memory().numBytes).toBe(start + 800);
    result.dispose();
    expect(tf.memory().numBytes).toBe(start);
    // The engine's own methods again: a second measurement works, and one inside another is refused.
    expect(Object.hasOwn(tf.engine(), 'trackTensor')).toBe(false);
    expect(measurePeak(() => tf.dispose(tf.ones([10]))).peakBufferBytes).toBe(40);
    expect(() => measurePeak(() => measurePeak(() => 0))).toThrow(/nested measurePeak/);
    expect(Object.hasOwn(tf.engine(), 'removeDataId')).toBe(false);
  });

  it("sees a buffer freed before the start as below it, and the tape's saved clones as no new memory", () => {
    const before = tf.tensor1d([1, 2, 3, 4]);
    const freed = measurePeak(() => {
      before.dispose();
      tf.dispose(tf.zeros([2]));
    });
    expect(freed.peakBufferBytes).toBe(0); // 8 new bytes, after 16 were freed
    const x = tf.variable(tf.randomNormal([64, 64]));
    const grads = measurePeak(() => tf.dispose(Object.values(tf.variableGrads(() => tf.sum(tf.exp(x)) as tf.Scalar, [x]).grads)));
    // exp's output (saved for its gradient, as a clone), the sum, ones, the gradient: tf.memory() counts the clone again.
    expect(grads.peakBytes - grads.startBytes).toBeGreaterThan(grads.peakBufferBytes);
    x.dispose();
  });

  it('is at least tf.profile peak over a training step', async () => {
    const x = tf.randomNormal([16, 32]);
    const w = tf.variable(tf.randomNormal([32, 32]));
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(tf.tanh(tf.matMul(x, w)))) as tf.Scalar, [w]);
      tf.dispose([value, ...Object.values(grads)]);
    };
    const profiled = await tf.profile(step);
    const measured = measurePeak(step);
    expect(measured.peakBytes).toBeGreaterThanOrEqual(profiled.peakBytes);
    expect(measured.peakBufferBytes).toBeGreaterThan(0);
    expect(measured.peakBufferBytes).toBeLessThanOrEqual(measured.peakBytes - measured.startBytes);
    tf.dispose([x, w]);
  });
});

describe('the Q3 step of the benchmark', () => {
  it("takes the shapes of q3-asr's profiles", () => {
    const full = asrStepShapes('full', 2);
    expect(full.map((shape) => shape.decoder)).toEqual(['recurrent', 'attention']);
    expect(full[0]).toMatchObject({ shape: 'full', model: { frames: 2754 }, clips: 2, trainBatch: 64, trainClips: 9825 });
    expect(full[1].model).toMatchObject({ decoder: 'attention', hidden: 200, heads: 2, textLength: 99, nMels: 80, attention: 'fused' });
    const listening = asrStepShapes('listening', 32);
    expect(listening[0]).toMatchObject({ model: { frames: 384 }, clips: 32, trainBatch: 32, trainClips: 3400 });
    expect(listening[0].model).toMatchObject({ hidden: 64, textLength: 36 });
    expect(listening[0].model.attention).toBeUndefined();
  });

  for (const decoder of ['recurrent', 'attention'] as const) {
    it(`${decoder}: this project's step is timed and measured, leaving no tensor`, () => {
      const before = tf.memory().numTensors;
      const one = benchAsrStep(tinyShape(decoder, 1), { steps: 1, seed: 1 });
      const three = benchAsrStep(tinyShape(decoder, 3), { steps: 2, seed: 1 });
      expect(tf.memory().numTensors).toBe(before);
      expect(one.params).toBe(three.params);
      expect(three.side.steps).toBe(2);
      expect(three.side.msPerStep).toBeGreaterThan(0);
      expect(three.side.cpuMsPerStep).toBeGreaterThan(0);
      expect(three.side.peakRss).toBeGreaterThan(0);
      expect(three.side.countedBytesPerClip).toBeGreaterThanOrEqual(three.side.bytesPerClip);
      // A step holds at least its gradients (one float per parameter) beyond what was there before it.
      expect(one.side.bytesPerClip).toBeGreaterThan(4 * one.params);
      // Three clips in one pass hold more than one clip, but the gradients are shared: less per clip.
      expect(three.side.bytesPerClip * 3).toBeGreaterThan(one.side.bytesPerClip);
      expect(three.side.bytesPerClip).toBeLessThan(one.side.bytesPerClip);
    }, 60_000);
  }

  const python = findTorchPython();
  it.runIf(python)(
    "PyTorch's step runs the homework's modules with as many parameters",
    () => {
      for (const decoder of ['recurrent', 'attention'] as const) {
        const shape = tinyShape(decoder, 2);
        const torch = torchAsrStep(python!, shape, { steps: 1, seed: 1 });
        expect(torch.params).toBe(benchAsrStep(shape, { steps: 1, seed: 1 }).params);
        expect(torch.version).toMatch(/^\d+\.\d+.* \(1 thread\)$/);
        expect(torch.side.msPerStep).toBeGreaterThan(0);
        expect(torch.side.bytesPerClip).toBeGreaterThanOrEqual(0);
        expect(torch.side.peakRss).toBeGreaterThan(10 * 1024 ** 2); // a Python with torch loaded
      }
    },
    120_000,
  );
});

describe('Q3 rows and projection', () => {
  const mib = 1024 ** 2;
  const result = (torch: boolean): AsrStepResult => ({
    ...tinyShape('attention', 2),
    shape: 'full',
    trainClips: 9825,
    trainBatch: 64,
    params: 1000,
    project: { steps: 2, msPerStep: 3600, cpuMsPerStep: 3000, bytesPerClip: 400 * mib, countedBytesPerClip: 600 * mib, peakRss: 2000 * mib },
    pytorch: torch ? { steps: 2, msPerStep: 7200, cpuMsPerStep: 7500, bytesPerClip: 100 * mib, peakRss: 800 * mib } : null,
    torchVersion: torch ? '1.13.0 (1 thread)' : null,
  });

  it('projects an epoch from the measured micro-batch steps and the batch peak from the per-clip peak', () => {
    // 154 steps of 64 clips, each 32 measured steps of 3.6 s.
    expect(epochHours(result(true), 3600)).toBeCloseTo((154 * 32 * 3.6) / 3600, 12);
    const fixed = stepFixedTensorBytes(result(true), 1000);
    expect(fixed).toBe(4 * (6 * 1000 + 64 * (6 * 20 + 7)));
    expect(batchPeakBytes(result(true), 400 * mib)).toBe(64 * 400 * mib + fixed);
  });

  it('records both sides and their ratios per CPU-second, PyTorch left empty when it did not run', () => {
    const parts = collectAsrSteps([result(true), { ...result(false), decoder: 'recurrent' }]);
    expect(parts.metrics).toEqual({ 'asr-full-attention-params': 1000, 'asr-full-recurrent-params': 1000 });
    expect(parts.values['asr-full-attention-speedRatio']).toBe(2.5);
    expect(parts.values['asr-full-attention-memoryRatio']).toBe(4);
    expect(parts.values['asr-full-attention-mibPerClip']).toBe(400);
    expect(parts.values['asr-full-attention-countedMibPerClip']).toBe(600);
    expect(parts.values['asr-full-attention-pytorch-mibPerClip']).toBe(100);
    expect(parts.values['asr-full-recurrent-speedRatio']).toBeUndefined();
    expect(parts.values['asr-full-attention-batchPeakGib']).toBeCloseTo((64 * 400 * mib + stepFixedTensorBytes(result(true), 1000)) / 1024 ** 3, 12);
    expect(parts.asrStep[0]).toMatchObject({
      shape: 'full',
      decoder: 'attention',
      clips: 2,
      msPerStep: 3600,
      pytorchMibPerClip: 100,
      speedRatio: 2.5,
      memoryRatio: 4,
    });
    expect(parts.asrStep[1]).toMatchObject({ decoder: 'recurrent', pytorchMsPerStep: null, speedRatio: null, memoryRatio: null, pytorch: null });
    expect(parts.asrProjection[0]).toMatchObject({ stepsPerEpoch: 154, trainBatch: 64 });
    expect(parts.asrProjection[0].epochCpuHours).toBeCloseTo((154 * 32 * 3) / 3600, 12);
    expect(parts.asrProjection[0].pytorchEpochCpuHours).toBeCloseTo((154 * 32 * 7.5) / 3600, 12);
    expect(parts.asrProjection[1].pytorchEpochCpuHours).toBeNull();
    const lines = formatAsrSteps(parts.asrStep, parts.asrProjection).join('\n');
    expect(lines).toMatch(/full attention \(width 8, 20 frames, text 7, 2 clips\): 3600 ms \(cpu 3000\), 400\.0 MiB\/clip \(600\.0\)/);
    expect(lines).toContain('speed 2.50x, memory 4.00x');
    expect(lines).toContain('PyTorch not run');
    expect(lines).toMatch(/full attention epoch \(154 steps of 64\): 4\.93 h/);
    expect(formatAsrSteps([], [])).toEqual([]);
  });
});
