import { describe, expect, it } from 'vitest';
import type { AsrStepResult } from '../../../experiments/bench/asr-step.ts';
import { asrStepShapes } from '../../../experiments/bench/asr-step.ts';
import type { KernelTime, Timing, VariantResult } from '../../../experiments/bench/cpu-kernels.ts';
import {
  collect,
  formatBenchReport,
  fullTier,
  kernelRows,
  kernelTimes,
  medianKernelTimes,
  projectedHours,
  ratioValues,
} from '../../../experiments/bench/cpu-kernels.ts';
import type { Snapshot } from '../../../src/lib/snapshot-schema.ts';

function timing(images: number, wallSeconds: number, cpuSeconds: number, steps = images / 8): Timing {
  return {
    steps,
    images,
    wallSeconds,
    cpuSeconds,
    imagesPerSecond: images / wallSeconds,
    cpuImagesPerSecond: images / cpuSeconds,
    msPerStep: (wallSeconds * 1000) / steps,
  };
}

const times = (entries: [string, number, number][]) => new Map<string, KernelTime>(entries.map(([name, ms, calls]) => [name, { ms, calls }]));

function variantResult(variant: 'pooled' | 'strided', torch: boolean): VariantResult {
  return {
    variant,
    params: variant === 'pooled' ? 224_892 : 224_893,
    train: { stock: timing(240, 12, 10), fast: timing(2400, 4, 3), pytorch: torch ? timing(2400, 2, 2) : null },
    eval: { stock: timing(1000, 2, 2, 2), fast: timing(2000, 0.2, 0.2, 4) },
    kernels: kernelRows(
      times([
        ['Conv2DBackpropFilter', 300, 2],
        ['Conv2D', 6, 2],
        ['Reshape', 0.05, 9],
      ]),
      times([
        ['Conv2DBackpropFilter', 0.3, 2],
        ['Conv2D', 0.4, 2],
        ['Reshape', 0.03, 9],
      ]),
    ),
    fallbacks: variant === 'strided' ? { PadV2: 2 } : {},
    torchVersion: torch ? '1.13.0 (1 thread)' : null,
  };
}

describe('bench-cpu-kernels helpers', () => {
  it('sums a profiled step by kernel name', () => {
    const byName = kernelTimes([
      { name: 'Add', ms: 1 },
      { name: 'Conv2D', ms: 5 },
      { name: 'Add', ms: 2.5 },
    ]);
    expect(byName.get('Add')).toEqual({ ms: 3.5, calls: 2 });
    expect(byName.get('Conv2D')).toEqual({ ms: 5, calls: 1 });
  });

  it('takes the per-kernel median over profiled steps, a missing kernel counting 0 ms', () => {
    const median = medianKernelTimes([
      times([
        ['A', 5, 2],
        ['B', 1, 1],
      ]),
      times([['A', 1, 2]]),
      times([
        ['A', 100, 2],
        ['B', 3, 1],
      ]),
    ]);
    expect(median.get('A')).toEqual({ ms: 5, calls: 2 });
    expect(median.get('B')).toEqual({ ms: 1, calls: 1 }); // 0, 1, 3
    expect(medianKernelTimes([times([['A', 2, 1]]), times([['A', 4, 1]])]).get('A')?.ms).toBe(3);
    expect(() => medianKernelTimes([])).toThrow(/no profiled steps/);
  });

  it('joins stock and fast profiles, slowest stock kernel first, calls as the fast side makes them', () => {
    const rows = kernelRows(
      times([
        ['Conv2D', 6, 2],
        ['MaxPoolGrad', 25.12345, 2],
        ['PadV2', 5, 1],
      ]),
      times([
        ['Conv2D', 0.5, 2],
        ['MaxPoolGrad', 0.2, 2],
        ['FusedThing', 0.1, 3],
      ]),
    );
    expect(rows).toEqual([
      { kernel: 'MaxPoolGrad', calls: 2, stockMs: 25.123, fastMs: 0.2 },
      { kernel: 'Conv2D', calls: 2, stockMs: 6, fastMs: 0.5 },
      { kernel: 'PadV2', calls: 1, stockMs: 5, fastMs: 0 },
      { kernel: 'FusedThing', calls: 3, stockMs: 0, fastMs: 0.1 },
    ]);
  });

  it('takes fast/stock ratios by wall clock and by CPU time', () => {
    expect(ratioValues('pooled-', timing(80, 4, 2), timing(800, 2, 1))).toEqual({ 'pooled-ratio': 20, 'pooled-cpuRatio': 20 });
    expect(ratioValues('x-', timing(80, 4, 4), timing(80, 1, 2))).toEqual({ 'x-ratio': 4, 'x-cpuRatio': 2 });
  });

  it('projects the Q2 full tier from training and evaluation rates', () => {
    const result = {
      train: { stock: timing(100, 1, 1), fast: timing(1000, 1, 1), pytorch: null },
      eval: { stock: timing(1000, 1, 1), fast: timing(10_000, 1, 1) },
    };
    // Per epoch at the stock rates: 50,000 / 100 + 10,000 / 1,000 = 510 s; 3 runs x 15 epochs per net, two nets.
    const perNet = fullTier.runsPerVariant * fullTier.epochs * (fullTier.trainImages / 100 + fullTier.valImages / 1000);
    expect(projectedHours([result, result], 'stock', 'imagesPerSecond')).toBeCloseTo((2 * perNet) / 3600, 12);
    expect(projectedHours([result], 'fast', 'cpuImagesPerSecond')).toBeCloseTo(perNet / 10 / 3600, 12);
  });

  it('puts counts in metrics and everything timed under timings', () => {
    const parts = collect([variantResult('pooled', true), variantResult('strided', false)], { loadBefore: 1, loadAfter: 2 });
    expect(parts.metrics).toEqual({ fallbacks: 2, 'pooled-params': 224_892, 'pooled-fallbacks': 0, 'strided-params': 224_893, 'strided-fallbacks': 2 });
    expect(parts.tables.fallbacks).toEqual([{ variant: 'strided', kernel: 'PadV2', calls: 2 }]);
    const { values, curves } = parts.timings;
    expect(values['pooled-stock-imagesPerSecond']).toBe(20);
    expect(values['pooled-fast-imagesPerSecond']).toBe(600);
    expect(values['pooled-ratio']).toBe(30);
    expect(values['pooled-cpuRatio']).toBe(800 / 24);
    expect(values['pooled-pytorch-imagesPerSecond']).toBe(1200);
    expect(values['pooled-fastOverPytorch']).toBe(0.5);
    expect(values['pooled-eval-ratio']).toBe(20);
    expect(values['strided-pytorch-imagesPerSecond']).toBeUndefined();
    expect(values['fullTier-fast-hours']).toBeGreaterThan(0);
    expect(values['fullTier-stock-hours']).toBeGreaterThan(values['fullTier-fast-hours']);
    expect(curves.throughput.map((row) => `${row.variant}/${row.side}`)).toEqual([
      'pooled/stock',
      'pooled/fast',
      'pooled/pytorch',
      'strided/stock',
      'strided/fast',
    ]);
    expect(Object.keys(curves.throughput[0]).slice(0, 5)).toEqual(['variant', 'side', 'imagesPerSecond', 'cpuImagesPerSecond', 'msPerStep']);
    expect(curves.kernels[0]).toEqual({ variant: 'pooled', kernel: 'Conv2DBackpropFilter', calls: 2, stockMs: 300, fastMs: 0.3 });
    expect(curves.kernels).toHaveLength(6);
  });

  it('formats the report from a snapshot: rates, ratios, PyTorch, fallbacks, kernels and the projection', () => {
    const parts = collect([variantResult('pooled', true), variantResult('strided', false)], { loadBefore: 3.2, loadAfter: 2.9 });
    const snapshot = {
      provenance: {
        node: 'v20.0.0',
        cpu: 'Test CPU x2',
        tfjs: { version: '4.22.0', backend: 'cpu', tfjsBackend: 'cpu', fastKernels: true },
        config: { batchSize: 8, learningRate: 0.01, stockSteps: 30, fastSteps: 300 },
      },
      metrics: parts.metrics,
      tables: parts.tables,
      timings: { startedAt: '', seconds: {}, ...parts.timings },
    } as unknown as Snapshot;
    const report = formatBenchReport(snapshot, 1);
    expect(report).toContain('batch 8, SGD lr 0.01');
    expect(report).toContain('load average 3.20 before, 2.90 after, on 2 cores: the machine is busy');
    expect(report).toContain('steps: stock 30, fast 300, PyTorch 300');
    expect(report).toMatch(/pooled: training images\/s +stock +20\.0 \(cpu +24\.0\) +fast +600\.0 \(cpu +800\.0\) +ratio 30\.0x \(cpu 33\.3x\)/);
    expect(report).toContain('PyTorch 1.13.0 (1 thread):');
    expect(report).toContain('fast tfjs reaches 0.50x of it');
    expect(report).toContain('calls handed to stock kernels: PadV2 2');
    expect(report).toMatch(/Conv2DBackpropFilter +2 +300\.00 +0\.30/);
    expect(report).toMatch(/\n {2}Conv2D +2 +6\.00 +0\.40/); // under 1 ms fast but not stock: kept
    expect(report).not.toContain('Reshape'); // under 1 ms on both sides
    expect(report).toMatch(/Q2 full tier \(3 runs x 2 nets x 15 epochs/);
    expect(report).not.toContain('Q3 training step'); // none measured
  });

  it('adds the Q3 steps to metrics, timings and the report', () => {
    const mib = 1024 ** 2;
    const asr: AsrStepResult = {
      ...asrStepShapes('full', 2)[1],
      params: 1_000_000,
      project: { steps: 2, msPerStep: 3000, cpuMsPerStep: 3000, bytesPerClip: 100 * mib, peakRss: 900 * mib },
      pytorch: { steps: 2, msPerStep: 6000, cpuMsPerStep: 6000, bytesPerClip: 125 * mib, peakRss: 700 * mib },
      torchVersion: '1.13.0 (1 thread)',
    };
    const parts = collect([variantResult('pooled', false)], { loadBefore: 0, loadAfter: 0 }, [asr]);
    expect(parts.metrics['asr-full-attention-params']).toBe(1_000_000);
    expect(parts.metrics.fallbacks).toBe(0);
    expect(parts.timings.values['asr-full-attention-speedRatio']).toBe(2);
    expect(parts.timings.values['asr-full-attention-memoryRatio']).toBe(0.8);
    expect(parts.timings.curves.asrStep).toHaveLength(1);
    expect(parts.timings.curves.asrProjection[0]).toMatchObject({ shape: 'full', decoder: 'attention', stepsPerEpoch: 154 });
    const snapshot = {
      provenance: { node: 'v20', cpu: 'Test CPU x2', tfjs: { version: '4.22.0', tfjsBackend: 'cpu' }, config: { batchSize: 8 } },
      metrics: parts.metrics,
      tables: parts.tables,
      timings: { startedAt: '', seconds: {}, ...parts.timings },
    } as unknown as Snapshot;
    const report = formatBenchReport(snapshot);
    expect(report).toContain('Q3 training step');
    expect(report).toMatch(/full attention \(width 200, 2754 frames, text 99, 2 clips\): 3000 ms/);
    expect(report).toContain('speed 2.00x, memory 0.80x');
  });
});
