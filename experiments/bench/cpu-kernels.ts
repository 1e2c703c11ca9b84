/**
 * Benchmark of the fast cpu kernels (issue 4) as an experiment: trains question 2's CNN, pooled and strided,
 * with plain SGD on the tfjs cpu backend, first with the stock kernels and then with the fast ones, in one
 * process, and records images/s and their ratio (wall clock and process CPU time), evaluation throughput, a
 * per-kernel profile of one training step before and after, and the projected time of the Q2 full tier. With
 * python3-torch installed it also trains the same net in PyTorch (CPU) for the same number of steps.
 *
 * Images are random (throughput does not depend on pixel values). Everything read off a clock is under
 * `timings`; `metrics` holds only what repeats exactly (parameter counts, calls handed back to stock kernels).
 * Ratios are taken within one run, so both sides see the same machine; `npm run bench` is the entry point.
 *
 * Then Question 3's training step at the exact shapes of q3-asr's `listening` and `full` profiles, here and in
 * PyTorch, with the `full` profile's projected epoch and batch peak (./bench-asr-step.ts, issue 21).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { fallbackCounts, registerFastKernels, resetFallbackCounts, unregisterFastKernels } from '../../src/lib/backend/fast-kernels/index.ts';
import type { RunEffects, Threshold } from '../../src/lib/harness/experiment.ts';
import type { Row } from '../../src/lib/snapshot-schema.ts';
import { defineExperiment } from '../../src/lib/harness/experiment.ts';
import { hashJson } from '../../src/lib/provenance/hash.ts';
import type { Snapshot } from '../../src/lib/snapshot-schema.ts';
import type { CnnVariant } from '../../src/lib/models/cnn.ts';
import { countTrainableParams, createCnn, setDropoutSeed } from '../../src/lib/models/cnn.ts';
import { Random } from '../../src/lib/random.ts';
import { settings } from '../../src/lib/settings.ts';
import type { AsrStepResult } from './asr-step.ts';
import { asrShapeNames, asrStepShapes, benchAsrStep, collectAsrSteps, formatAsrSteps, torchAsrStep } from './asr-step.ts';

const poolImages = 64; // random images cycled through by the training steps

const config = z
  .object({
    seed: z.number().int().default(1), // model initialisation, the random images and the dropout seeds
    // Protocol (the homework's)
    batchSize: z
      .number()
      .int()
      .positive()
      .refine((b) => poolImages % b === 0, `must divide the ${poolImages} random images`)
      .default(8),
    learningRate: z.number().positive().default(0.01), // the homework's best rate for the pooled net
    // How long to measure
    stockSteps: z.number().int().positive().default(30), // training steps timed with the stock kernels (~430 ms each, pooled)
    fastSteps: z.number().int().positive().default(300), // training steps timed with the fast kernels, and in PyTorch
    evalImages: z.number().int().positive().default(2000), // inference images timed (fast; stock is capped at 1,000)
    torch: z.enum(['auto', 'on', 'off']).default('auto'), // auto: PyTorch when a python3 can import torch
    // Question 3's training step (issue 21), both decoders, here and in PyTorch
    asrShapes: z.array(z.enum(asrShapeNames)).default([...asrShapeNames]), // q3-asr profiles whose exact shape is measured; [] leaves Q3 out
    asrSteps: z.number().int().positive().default(2), // timed steps per shape and decoder, after one warm-up step
    asrClips: z
      .object({
        listening: z.number().int().positive().default(32), // the listening profile's whole batch, as it trains (~0.5 s a step)
        full: z.number().int().positive().default(2), // ~3.5 s a step here, ~7 s in PyTorch; its batch of 64 is projected
      })
      .strict()
      .default({}), // clips per measured step (one micro-batch)
  })
  .strict();

type Config = z.output<typeof config>;

const variants: readonly CnnVariant[] = ['pooled', 'strided'];
const sides = ['stock', 'fast', 'pytorch'] as const;

const classes = 4; // OCTMNIST
const evalBatchSize = 500;
const stockEvalCap = 1000; // stock inference is slow and its rate settles within a couple of batches
/**
 * The Q2 full tier: 3 learning rates for the pooled net and 3 runs of the strided one (experiments/q2-cnn.ts,
 * stridedAtAllRates), 15 epochs each, every epoch 50,000 training images and 10,000 validation images evaluated.
 */
export const fullTier = { runsPerVariant: 3, epochs: 15, trainImages: 50_000, valImages: 10_000 };

export const benchCpuKernels = defineExperiment({
  id: 'bench-cpu-kernels',
  title: 'Fast cpu kernels: Q2 CNN training throughput, stock vs fast tfjs kernels (and PyTorch)',
  module: import.meta.url,
  config,
  ciProfile: null, // a benchmark of speed: no rerun reproduces its numbers, so rerun it after changes
  profiles: {
    // The numbers of issue 4's report: enough steps that the stock side lasts ~10-15 s per variant.
    default: {},
    // To try the bench: a few steps, a minute at most.
    quick: { stockSteps: 3, fastSteps: 20, evalImages: 500, asrShapes: ['listening'], asrSteps: 1, asrClips: { listening: 4 } },
  },
  thresholds: {
    default: [
      { metric: 'pooled-cpuRatio', op: '>=', value: 15, why: "issue 4's target: at least 15x the stock cpu throughput on the pooled CNN, measured in one run" },
      ...deterministicGates(),
    ],
    quick: deterministicGates(),
  },
  baseline: {
    fallbacks: { direction: 'equal', tolerance: 0 },
    'pooled-params': { direction: 'equal', tolerance: 0 },
    'strided-params': { direction: 'equal', tolerance: 0 },
  },
  async data(config: Config) {
    // The images are generated: the "data set" is the generator, its seed and the shapes drawn.
    const shape = { images: [poolImages, 28, 28, 1], labels: [poolImages], classes };
    return {
      dataset: {
        id: 'random-images',
        description: `${poolImages} uniform [0, 1) images of 28x28x1 and uniform labels over ${classes} classes from mulberry32, seed ${config.seed}`,
        hash: hashJson({ generator: 'mulberry32', seed: config.seed, shape }),
      },
      data: undefined,
    };
  },
  async run(config: Config, _data, effects) {
    const { backend } = effects;
    if (backend.name !== 'cpu' || !backend.fastKernels) {
      throw new Error(
        `bench-cpu-kernels: compares the stock and fast kernels of the tfjs cpu backend, but the backend is ${backend.name}` +
          `${backend.name === 'cpu' ? ' with stock kernels' : ''}: run with TFJS_BACKEND=cpu and without TFJS_FAST_KERNELS=0`,
      );
    }
    const torchPython = config.torch === 'off' ? null : findTorchPython();
    if (config.torch === 'on' && !torchPython)
      throw new Error('bench-cpu-kernels: torch is on, but no python3 can import torch (apt-get install python3-torch, or set PYTHON)');
    if (!torchPython && config.torch === 'auto') effects.log('no python3 imports torch: PyTorch is left out (apt-get install python3-torch)');
    const loadBefore = loadavg()[0];
    const results: VariantResult[] = [];
    try {
      for (const variant of variants) results.push(await benchVariant(variant, config, torchPython, effects));
    } finally {
      // The process goes on with the fast kernels, as backend.ts set it up.
      registerFastKernels();
    }
    const asr: AsrStepResult[] = [];
    for (const name of config.asrShapes) asr.push(...benchAsrShape(name, config, torchPython, effects));
    const loadAfter = loadavg()[0];
    return collect(results, { loadBefore, loadAfter }, asr);
  },
});

function deterministicGates(): Threshold[] {
  return [{ metric: 'fallbacks', op: '<=', value: 0, why: 'every call the Q2 nets make has a fast path: no call may be handed to a stock kernel' }];
}

export interface Timing {
  steps: number;
  images: number;
  wallSeconds: number;
  cpuSeconds: number;
  imagesPerSecond: number;
  /** Images per second of this process's CPU time: less sensitive to other load on a shared machine. */
  cpuImagesPerSecond: number;
  msPerStep: number;
}

export interface KernelRow {
  kernel: string;
  calls: number;
  stockMs: number;
  fastMs: number;
}

export interface KernelTime {
  ms: number;
  calls: number;
}

export interface VariantResult {
  variant: CnnVariant;
  params: number;
  train: { stock: Timing; fast: Timing; pytorch: Timing | null };
  eval: { stock: Timing; fast: Timing };
  kernels: KernelRow[];
  fallbacks: Record<string, number>;
  /** E.g. `1.13.1 (2 threads)`, when PyTorch ran. */
  torchVersion: string | null;
}

interface Trainer {
  params: number;
  step(): number;
  evaluate(images: number): void;
  profileStep(): ReturnType<typeof tf.profile>;
  dispose(): void;
}

/** A model, an optimizer and a fixed pool of random batches, trained as src/lib/train/classifier.ts does. */
function createTrainer(variant: CnnVariant, config: Config): Trainer {
  const { batchSize } = config;
  const random = new Random(config.seed);
  const model = createCnn({ variant, classes, dropout: 0.7, seed: random.seed() });
  const optimizer = tf.train.sgd(config.learningRate);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const images = tf.tensor4d(
    Float32Array.from({ length: poolImages * 28 * 28 }, () => random.next()),
    [poolImages, 28, 28, 1],
  ); // [64, 28, 28, 1]
  const labels = tf.tidy(() =>
    tf
      .oneHot(
        tf.tensor1d(
          Int32Array.from({ length: poolImages }, () => random.int(classes)),
          'int32',
        ),
        classes,
      )
      .toFloat(),
  ); // [64, classes]
  let cursor = 0;
  const step = () => {
    setDropoutSeed(model, random.seed());
    const start = cursor;
    cursor = (cursor + batchSize) % poolImages;
    const cost = tf.tidy(() => {
      const x = tf.slice(images, [start, 0, 0, 0], [batchSize, 28, 28, 1]); // [batch, 28, 28, 1]
      const y = tf.slice(labels, [start, 0], [batchSize, classes]); // [batch, classes]
      return optimizer.minimize(
        () => {
          const logProbs = model.apply(x, { training: true }) as tf.Tensor; // [batch, classes]
          return tf.neg(tf.mean(tf.sum(tf.mul(logProbs, y), 1))) as tf.Scalar;
        },
        true,
        variables,
      )!;
    });
    const value = cost.dataSync()[0];
    cost.dispose();
    return value;
  };
  const evalImages = tf.tile(images, [Math.ceil(evalBatchSize / poolImages), 1, 1, 1]).slice(0, evalBatchSize); // [500, 28, 28, 1]
  return {
    params: countTrainableParams(model),
    step,
    evaluate(count: number) {
      for (let done = 0; done < count; done += evalBatchSize) {
        tf.tidy(() => (model.apply(evalImages, { training: false }) as tf.Tensor).argMax(1).dataSync());
      }
    },
    profileStep: () => tf.profile(() => void step()),
    dispose() {
      tf.dispose([images, labels, evalImages]);
      optimizer.dispose();
      model.dispose();
    },
  };
}

function time(steps: number, images: number, run: () => void): Timing {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  run();
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return timing(steps, images, wallSeconds, (cpu.user + cpu.system) / 1e6);
}

function timing(steps: number, images: number, wallSeconds: number, cpuSeconds: number): Timing {
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

function trainTiming(trainer: Trainer, steps: number, batchSize: number): Timing {
  for (let i = 0; i < 3; i++) trainer.step(); // warm-up: JIT, wasm compile, first allocations
  return time(steps, steps * batchSize, () => {
    for (let i = 0; i < steps; i++) trainer.step();
  });
}

function evalTiming(trainer: Trainer, images: number): Timing {
  trainer.evaluate(evalBatchSize);
  const batches = Math.ceil(images / evalBatchSize);
  return time(batches, batches * evalBatchSize, () => trainer.evaluate(batches * evalBatchSize));
}

/** Kernel time by kernel name over three profiled steps (one step is noisy on a shared machine). */
async function kernelProfile(trainer: Trainer): Promise<Map<string, KernelTime>> {
  const runs: Map<string, KernelTime>[] = [];
  for (let r = 0; r < 3; r++) {
    const info = await trainer.profileStep();
    runs.push(kernelTimes(info.kernels.map((k) => ({ name: k.name, ms: k.kernelTimeMs as number }))));
  }
  return medianKernelTimes(runs);
}

/** Sums the profiled kernel calls of one step by kernel name. */
export function kernelTimes(calls: readonly { name: string; ms: number }[]): Map<string, KernelTime> {
  const byName = new Map<string, KernelTime>();
  for (const call of calls) {
    const row = byName.get(call.name) ?? { ms: 0, calls: 0 };
    row.ms += call.ms;
    row.calls++;
    byName.set(call.name, row);
  }
  return byName;
}

/** Per kernel, the median time over the profiled steps (a kernel absent from a step counts 0 ms there). */
export function medianKernelTimes(runs: readonly Map<string, KernelTime>[]): Map<string, KernelTime> {
  if (!runs.length) throw new Error('medianKernelTimes: no profiled steps');
  const names = new Set(runs.flatMap((m) => [...m.keys()]));
  const median = new Map<string, KernelTime>();
  for (const name of names) {
    const values = runs.map((m) => m.get(name)?.ms ?? 0).sort((a, b) => a - b);
    const middle = values.length >> 1;
    const ms = values.length % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    median.set(name, { ms, calls: runs.find((m) => m.has(name))!.get(name)!.calls });
  }
  return median;
}

/** One row per kernel seen on either side, slowest stock kernel first; calls as the fast side makes them. */
export function kernelRows(stock: Map<string, KernelTime>, fast: Map<string, KernelTime>): KernelRow[] {
  return [...new Set([...stock.keys(), ...fast.keys()])]
    .map((kernel) => ({
      kernel,
      calls: (fast.get(kernel) ?? stock.get(kernel))!.calls,
      stockMs: round(stock.get(kernel)?.ms ?? 0, 3),
      fastMs: round(fast.get(kernel)?.ms ?? 0, 3),
    }))
    .sort((a, b) => b.stockMs - a.stockMs || b.fastMs - a.fastMs || (a.kernel < b.kernel ? -1 : 1));
}

async function benchVariant(variant: CnnVariant, config: Config, torchPython: string | null, effects: RunEffects): Promise<VariantResult> {
  const progress = effects.progress(variant, torchPython ? 7 : 6);
  unregisterFastKernels();
  const stockTrainer = createTrainer(variant, config);
  const stockTrain = trainTiming(stockTrainer, config.stockSteps, config.batchSize);
  progress.tick(1, `stock ${stockTrain.imagesPerSecond.toFixed(1)} images/s`);
  const stockEval = evalTiming(stockTrainer, Math.min(config.evalImages, stockEvalCap));
  progress.tick(1, 'stock eval');
  const stockKernels = await kernelProfile(stockTrainer);
  progress.tick(1, 'stock profile');
  const params = stockTrainer.params;
  stockTrainer.dispose();

  registerFastKernels();
  resetFallbackCounts();
  const fastTrainer = createTrainer(variant, config);
  const fastTrain = trainTiming(fastTrainer, config.fastSteps, config.batchSize);
  progress.tick(1, `fast ${fastTrain.imagesPerSecond.toFixed(1)} images/s`);
  const fastEval = evalTiming(fastTrainer, config.evalImages);
  progress.tick(1, 'fast eval');
  const fastKernels = await kernelProfile(fastTrainer);
  const fallbacks = fallbackCounts();
  progress.tick(1, 'fast profile');
  fastTrainer.dispose();

  let pytorch: Timing | null = null;
  let torchVersion: string | null = null;
  if (torchPython) {
    ({ timing: pytorch, version: torchVersion } = runTorch(torchPython, variant, config));
    progress.tick(1, `PyTorch ${pytorch.imagesPerSecond.toFixed(1)} images/s`);
  }
  const ratio = fastTrain.imagesPerSecond / stockTrain.imagesPerSecond;
  const cpuRatio = fastTrain.cpuImagesPerSecond / stockTrain.cpuImagesPerSecond;
  progress.done(`fast/stock ${ratio.toFixed(1)}x (cpu ${cpuRatio.toFixed(1)}x)`);
  return {
    variant,
    params,
    train: { stock: stockTrain, fast: fastTrain, pytorch },
    eval: { stock: stockEval, fast: fastEval },
    kernels: kernelRows(stockKernels, fastKernels),
    fallbacks,
    torchVersion,
  };
}

/** Both decoders' training step at the shape of q3-asr's `name` profile, here and (with a torch) in PyTorch. */
function benchAsrShape(name: (typeof asrShapeNames)[number], config: Config, torchPython: string | null, effects: RunEffects): AsrStepResult[] {
  const shapes = asrStepShapes(name, config.asrClips[name]);
  const progress = effects.progress(`Q3 step, ${name} shape`, shapes.length * (torchPython ? 2 : 1));
  const options = { steps: config.asrSteps, seed: config.seed };
  return shapes.map((shape) => {
    const { params, side: project } = benchAsrStep(shape, options);
    progress.tick(1, `${shape.decoder}: ${project.msPerStep.toFixed(0)} ms, ${(project.bytesPerClip / 1024 ** 2).toFixed(0)} MiB per clip`);
    let torch: ReturnType<typeof torchAsrStep> | null = null;
    if (torchPython) {
      torch = torchAsrStep(torchPython, shape, options);
      if (torch.params !== params)
        throw new Error(`bench-cpu-kernels: the ${name} ${shape.decoder} model has ${params} parameters here but ${torch.params} in scripts/hw2_torch.py`);
      progress.tick(1, `${shape.decoder}: PyTorch ${torch.side.msPerStep.toFixed(0)} ms`);
    }
    return { ...shape, params, project, pytorch: torch?.side ?? null, torchVersion: torch?.version ?? null };
  });
}

/** The snapshot's parts: deterministic counts as metrics, everything measured under timings. */
export function collect(results: readonly VariantResult[], load: { loadBefore: number; loadAfter: number }, asr: readonly AsrStepResult[] = []) {
  const metrics: Record<string, number> = { fallbacks: 0 };
  const values: Record<string, number> = { 'loadAverage-before': load.loadBefore, 'loadAverage-after': load.loadAfter };
  const throughput: Row[] = [];
  const kernels: Row[] = [];
  const fallbackRows: Row[] = [];
  for (const r of results) {
    metrics[`${r.variant}-params`] = r.params;
    const fallbacks = Object.values(r.fallbacks).reduce((a, b) => a + b, 0);
    metrics[`${r.variant}-fallbacks`] = fallbacks;
    metrics.fallbacks += fallbacks;
    for (const [kernel, calls] of Object.entries(r.fallbacks)) fallbackRows.push({ variant: r.variant, kernel, calls });
    for (const side of sides) {
      const t = r.train[side];
      if (!t) continue;
      values[`${r.variant}-${side}-imagesPerSecond`] = t.imagesPerSecond;
      values[`${r.variant}-${side}-cpuImagesPerSecond`] = t.cpuImagesPerSecond;
      values[`${r.variant}-${side}-msPerStep`] = t.msPerStep;
      const engine = side === 'pytorch' ? `PyTorch ${r.torchVersion}` : `tfjs cpu, ${side} kernels`;
      throughput.push({
        variant: r.variant,
        side,
        imagesPerSecond: t.imagesPerSecond,
        cpuImagesPerSecond: t.cpuImagesPerSecond,
        msPerStep: t.msPerStep,
        steps: t.steps,
        wallSeconds: t.wallSeconds,
        cpuSeconds: t.cpuSeconds,
        engine,
      });
    }
    Object.assign(values, ratioValues(`${r.variant}-`, r.train.stock, r.train.fast));
    if (r.train.pytorch) {
      // Below 1: how far fast tfjs is from PyTorch's CPU speed, the goal beyond issue 4.
      values[`${r.variant}-fastOverPytorch`] = r.train.fast.imagesPerSecond / r.train.pytorch.imagesPerSecond;
      values[`${r.variant}-cpuFastOverPytorch`] = r.train.fast.cpuImagesPerSecond / r.train.pytorch.cpuImagesPerSecond;
    }
    for (const side of ['stock', 'fast'] as const) {
      values[`${r.variant}-eval-${side}-imagesPerSecond`] = r.eval[side].imagesPerSecond;
      values[`${r.variant}-eval-${side}-cpuImagesPerSecond`] = r.eval[side].cpuImagesPerSecond;
    }
    Object.assign(values, ratioValues(`${r.variant}-eval-`, r.eval.stock, r.eval.fast));
    for (const k of r.kernels) kernels.push({ variant: r.variant, kernel: k.kernel, calls: k.calls, stockMs: k.stockMs, fastMs: k.fastMs });
  }
  for (const side of ['stock', 'fast'] as const) {
    values[`fullTier-${side}-hours`] = projectedHours(results, side, 'imagesPerSecond');
    // As if the process had a core to itself: the same work at the CPU-time rates.
    values[`fullTier-${side}-cpuHours`] = projectedHours(results, side, 'cpuImagesPerSecond');
  }
  const q3 = collectAsrSteps(asr);
  return {
    metrics: { ...metrics, ...q3.metrics },
    tables: { fullTier: [{ ...fullTier, variants: results.length }], fallbacks: fallbackRows },
    timings: { values: { ...values, ...q3.values }, curves: { throughput, kernels, asrStep: q3.asrStep, asrProjection: q3.asrProjection } },
  };
}

/** fast/stock, by wall clock (`ratio`) and by process CPU time (`cpuRatio`). */
export function ratioValues(prefix: string, stock: Timing, fast: Timing): Record<string, number> {
  return {
    [`${prefix}ratio`]: fast.imagesPerSecond / stock.imagesPerSecond,
    [`${prefix}cpuRatio`]: fast.cpuImagesPerSecond / stock.cpuImagesPerSecond,
  };
}

/** Hours the Q2 full tier would take at the measured training and evaluation rates. */
export function projectedHours(
  results: readonly Pick<VariantResult, 'train' | 'eval'>[],
  side: 'stock' | 'fast',
  rate: 'imagesPerSecond' | 'cpuImagesPerSecond',
): number {
  let seconds = 0;
  for (const r of results) {
    const perEpoch = fullTier.trainImages / r.train[side][rate] + fullTier.valImages / r.eval[side][rate];
    seconds += fullTier.runsPerVariant * fullTier.epochs * perEpoch;
  }
  return seconds / 3600;
}

// The same net in PyTorch, trained the same way (SGD, NLL, dropout 0.7), with as many threads as PyTorch
// chooses by default (one per core). Prints one JSON line.
// biome-ignore lint/complexity/noUselessStringRaw: raw, so an escape added to the Python later reaches Python unchanged
const torchScript = String.raw`
import json, sys, time, torch, torch.nn as nn, torch.nn.functional as F
variant, steps, batch, lr = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
torch.manual_seed(0)
class Cnn(nn.Module):
    def __init__(self, pooled):
        super().__init__()
        self.pooled = pooled
        self.conv1 = nn.Conv2d(1, 8, 3, stride=1 if pooled else 2, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=1 if pooled else 2, padding=0)
        self.fc1, self.fc2, self.fc3 = nn.Linear(576, 320), nn.Linear(320, 120), nn.Linear(120, 4)
        self.drop = nn.Dropout(0.7)
    def forward(self, x):
        x = F.relu(self.conv1(x))
        if self.pooled: x = F.max_pool2d(x, 2, 2)
        x = F.relu(self.conv2(x))
        if self.pooled: x = F.max_pool2d(x, 2, 2)
        x = self.drop(F.relu(self.fc1(x.flatten(1))))
        return F.log_softmax(self.fc3(F.relu(self.fc2(x))), dim=1)
model = Cnn(variant == 'pooled')
opt = torch.optim.SGD(model.parameters(), lr=lr)
images, labels = torch.rand(64, 1, 28, 28), torch.randint(0, 4, (64,))
def step(i):
    s = (i * batch) % 64
    opt.zero_grad()
    loss = F.nll_loss(model(images[s:s + batch]), labels[s:s + batch])
    loss.backward()
    opt.step()
    return loss.item()
for i in range(10): step(i)
c0, t0 = time.process_time(), time.perf_counter()
for i in range(steps): step(i)
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({"wall": wall, "cpu": cpu, "threads": torch.get_num_threads(), "version": torch.__version__}))
`;

/** The first Python that imports torch: $PYTHON, then python3 on the PATH, then Debian's (python3-torch). */
export function findTorchPython(): string | null {
  const candidates = [settings().python, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
  return candidates.find((python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) ?? null;
}

function runTorch(python: string, variant: CnnVariant, config: Config): { timing: Timing; version: string } {
  const { fastSteps: steps, batchSize } = config;
  const output = execFileSync(python, ['-c', torchScript, variant, String(steps), String(batchSize), String(config.learningRate)], { encoding: 'utf8' });
  const line = output.trim().split('\n').pop() ?? '';
  let result: { wall: number; cpu: number; threads: number; version: string };
  try {
    result = JSON.parse(line);
  } catch {
    throw new Error(`bench-cpu-kernels: the PyTorch run (${python}) printed no result line, got '${line.slice(0, 200)}'`);
  }
  return {
    timing: timing(steps, steps * batchSize, result.wall, result.cpu),
    version: `${result.version} (${result.threads} thread${result.threads === 1 ? '' : 's'})`,
  };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * The human-readable report of a snapshot of this experiment: images/s per variant and side, ratios, eval
 * throughput, the kernel table (kernels under `minKernelMs` on both sides left out) and the projection.
 */
export function formatBenchReport(snapshot: Pick<Snapshot, 'provenance' | 'metrics' | 'tables' | 'timings'>, minKernelMs = 0.05): string {
  const { values, curves } = snapshot.timings;
  const config = snapshot.provenance.config as Partial<Config>;
  const num = (value: number | undefined, digits = 1) => (value === undefined ? '-' : value.toFixed(digits)).padStart(9);
  const lines: string[] = [];
  const { tfjs, node, cpu } = snapshot.provenance;
  lines.push(`tfjs ${tfjs.version} ${tfjs.tfjsBackend} backend, Node ${node}, ${cpu}; batch ${config.batchSize}, SGD lr ${config.learningRate}`);
  const load = values['loadAverage-before'];
  if (load !== undefined) {
    const cores = Number(/x(\d+)$/.exec(cpu)?.[1] ?? 1);
    const busy = load > 0.75 * cores ? ': the machine is busy, trust the CPU-time rates and ratios more than wall-clock rates' : '';
    lines.push(`load average ${load.toFixed(2)} before, ${(values['loadAverage-after'] ?? NaN).toFixed(2)} after, on ${cores} cores${busy}`);
  }
  const torchRan = (curves.throughput ?? []).some((row) => row.side === 'pytorch');
  lines.push(`steps: stock ${config.stockSteps}, fast ${config.fastSteps}${torchRan ? `, PyTorch ${config.fastSteps}` : ''}; eval batch ${evalBatchSize}`, '');
  for (const variant of variants) {
    const v = (key: string) => values[`${variant}-${key}`];
    const pad = ' '.repeat(variant.length);
    const line = (label: string, prefix: string) =>
      `${label}   stock ${num(v(`${prefix}stock-imagesPerSecond`))} (cpu ${num(v(`${prefix}stock-cpuImagesPerSecond`))})   ` +
      `fast ${num(v(`${prefix}fast-imagesPerSecond`))} (cpu ${num(v(`${prefix}fast-cpuImagesPerSecond`))})   ` +
      `ratio ${(v(`${prefix}ratio`) ?? NaN).toFixed(1)}x (cpu ${(v(`${prefix}cpuRatio`) ?? NaN).toFixed(1)}x)`;
    lines.push(`${variant}: ${line('training images/s', '')}`);
    lines.push(`${pad}  ${line('eval images/s    ', 'eval-')}`);
    lines.push(`${pad}  ms per training step: stock ${(v('stock-msPerStep') ?? NaN).toFixed(1)}, fast ${(v('fast-msPerStep') ?? NaN).toFixed(2)}`);
    const torchRow = (curves.throughput ?? []).find((row) => row.variant === variant && row.side === 'pytorch');
    if (torchRow) {
      lines.push(
        `${pad}  ${torchRow.engine}: ${num(v('pytorch-imagesPerSecond'))} (cpu ${num(v('pytorch-cpuImagesPerSecond'))}) images/s; ` +
          `fast tfjs reaches ${(v('fastOverPytorch') ?? NaN).toFixed(2)}x of it (cpu ${(v('cpuFastOverPytorch') ?? NaN).toFixed(2)}x)`,
      );
    }
    const fallbacks = (snapshot.tables.fallbacks ?? []).filter((row) => row.variant === variant);
    if (fallbacks.length) lines.push(`${pad}  calls handed to stock kernels: ${fallbacks.map((row) => `${row.kernel} ${row.calls}`).join(', ')}`);
    const rows = (curves.kernels ?? []).filter((row) => row.variant === variant);
    lines.push('', `  ${'kernel (one training step)'.padEnd(26)} ${'calls'.padStart(5)} ${'stock ms'.padStart(9)} ${'fast ms'.padStart(9)}`);
    for (const row of rows) {
      const stockMs = Number(row.stockMs);
      const fastMs = Number(row.fastMs);
      if (stockMs >= minKernelMs || fastMs >= minKernelMs)
        lines.push(`  ${String(row.kernel).padEnd(26)} ${String(row.calls).padStart(5)} ${num(stockMs, 2)} ${num(fastMs, 2)}`);
    }
    const total = (column: 'stockMs' | 'fastMs') => rows.reduce((sum, row) => sum + Number(row[column]), 0);
    lines.push(`  ${'all kernels'.padEnd(26)} ${''.padStart(5)} ${num(total('stockMs'), 2)} ${num(total('fastMs'), 2)}`, '');
  }
  const hours = (key: string, digits: number) => (values[key] ?? NaN).toFixed(digits);
  lines.push(
    `Q2 full tier (${fullTier.runsPerVariant} runs x ${variants.length} nets x ${fullTier.epochs} epochs x (${fullTier.trainImages} train + ${fullTier.valImages} val images)): ` +
      `stock ${hours('fullTier-stock-hours', 1)} h, fast ${hours('fullTier-fast-hours', 2)} h ` +
      `(at CPU-time rates: stock ${hours('fullTier-stock-cpuHours', 1)} h, fast ${hours('fullTier-fast-cpuHours', 2)} h)`,
  );
  const asr = formatAsrSteps(curves.asrStep ?? [], curves.asrProjection ?? []);
  if (asr.length) lines.push('', ...asr);
  return lines.join('\n');
}
