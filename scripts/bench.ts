/**
 * Benchmark of the fast cpu kernels (issue 4): trains question 2's CNN, pooled and strided, with plain SGD at
 * batch 8 on the tfjs cpu backend, first with the stock kernels and then with the fast ones, in one process,
 * and prints images/s and their ratio, evaluation throughput, a per-kernel profile of one training step
 * before and after, and the projected time of the Q2 full tier. With python3-torch installed it also trains
 * the same net in PyTorch (CPU) for the same number of steps.
 *
 *   npx tsx scripts/bench.ts [--stock-steps 30] [--fast-steps 300] [--eval-images 2000] [--torch auto|on|off] [--out bench.json]
 *
 * Images are random (throughput does not depend on pixel values); models come from src/lib/models/cnn.ts.
 * Timings are wall clock on a machine that may be shared; the CPU time of the process is printed beside it,
 * and ratios are taken within one run so both sides see the same machine.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/lib/backend/backend.ts';
import { fallbackCounts, registerFastKernels, resetFallbackCounts, unregisterFastKernels } from '../src/lib/backend/fast-kernels/index.ts';
import { createCnn, setDropoutSeed } from '../src/lib/models/cnn.ts';
import type { CnnVariant } from '../src/lib/models/cnn.ts';
import { Random } from '../src/lib/random.ts';

interface Options {
  stockSteps: number;
  fastSteps: number;
  evalImages: number;
  torch: 'auto' | 'on' | 'off';
  out?: string;
}

const batchSize = 8; // the homework's
const evalBatchSize = 500;
const classes = 4; // OCTMNIST
const learningRate = 0.01; // the homework's best rate for the pooled net
const variants: CnnVariant[] = ['pooled', 'strided'];
// The Q2 full tier: 3 learning rates for the pooled net and 3 runs of the strided one, 15 epochs each, every
// epoch 50,000 training images and 10,000 validation images evaluated.
const fullTier = { runsPerVariant: 3, epochs: 15, trainImages: 50_000, valImages: 10_000 };

interface Timing {
  steps: number;
  images: number;
  wallSeconds: number;
  cpuSeconds: number;
  imagesPerSecond: number;
  /** Images per second of this process's CPU time: less sensitive to other load on a shared machine. */
  cpuImagesPerSecond: number;
  msPerStep: number;
}

interface KernelRow {
  kernel: string;
  calls: number;
  stockMs: number;
  fastMs: number;
}

interface VariantResult {
  variant: CnnVariant;
  train: { stock: Timing; fast: Timing; ratio: number; cpuRatio: number };
  eval: { stock: Timing; fast: Timing; ratio: number; cpuRatio: number };
  kernels: KernelRow[];
  fallbacks: Record<string, number>;
  torch: Timing | null;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { stockSteps: 30, fastSteps: 300, evalImages: 2000, torch: 'auto' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const count = () => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new Error(`bench: ${flag} needs a positive integer, got '${value}'`);
      i++;
      return n;
    };
    if (flag === '--stock-steps') options.stockSteps = count();
    else if (flag === '--fast-steps') options.fastSteps = count();
    else if (flag === '--eval-images') options.evalImages = count();
    else if (flag === '--torch') {
      if (value !== 'auto' && value !== 'on' && value !== 'off') throw new Error(`bench: --torch takes auto, on or off, got '${value}'`);
      options.torch = value;
      i++;
    } else if (flag === '--out') {
      if (!value) throw new Error('bench: --out needs a path');
      options.out = value;
      i++;
    } else throw new Error(`bench: unknown argument '${flag}' (see the header of scripts/bench.ts)`);
  }
  return options;
}

interface Trainer {
  step(): number;
  evaluate(images: number): void;
  profileStep(): ReturnType<typeof tf.profile>;
  dispose(): void;
}

/** A model, an optimizer and a fixed pool of random batches, trained as src/lib/train/classifier.ts does. */
function createTrainer(variant: CnnVariant, seed: number): Trainer {
  const random = new Random(seed);
  const model = createCnn({ variant, classes, dropout: 0.7, seed: random.seed() });
  const optimizer = tf.train.sgd(learningRate);
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  const poolImages = 64;
  const images = tf.tensor4d(Float32Array.from({ length: poolImages * 28 * 28 }, () => random.next()), [poolImages, 28, 28, 1]); // [64, 28, 28, 1]
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from({ length: poolImages }, () => random.int(classes)), 'int32'), classes).toFloat()); // [64, classes]
  let cursor = 0;
  const step = () => {
    setDropoutSeed(model, random.seed());
    const start = cursor;
    cursor = (cursor + batchSize) % poolImages;
    const cost = tf.tidy(() => {
      const x = tf.slice(images, [start, 0, 0, 0], [batchSize, 28, 28, 1]); // [batch, 28, 28, 1]
      const y = tf.slice(labels, [start, 0], [batchSize, classes]); // [batch, classes]
      return optimizer.minimize(() => {
        const logProbs = model.apply(x, { training: true }) as tf.Tensor; // [batch, classes]
        return tf.neg(tf.mean(tf.sum(tf.mul(logProbs, y), 1))) as tf.Scalar;
      }, true, variables)!;
    });
    const value = cost.dataSync()[0];
    cost.dispose();
    return value;
  };
  const evalImages = tf.tile(images, [Math.ceil(evalBatchSize / poolImages), 1, 1, 1]).slice(0, evalBatchSize); // [500, 28, 28, 1]
  return {
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
  return {
    steps,
    images,
    wallSeconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    imagesPerSecond: images / wallSeconds,
    cpuImagesPerSecond: (images * 1e6) / (cpu.user + cpu.system),
    msPerStep: (wallSeconds * 1000) / steps,
  };
}

function trainTiming(trainer: Trainer, steps: number): Timing {
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

/** Kernel time by kernel name, the median over three profiled steps (one step is noisy on a shared machine). */
async function kernelProfile(trainer: Trainer): Promise<Map<string, { ms: number; calls: number }>> {
  const runs: Map<string, { ms: number; calls: number }>[] = [];
  for (let r = 0; r < 3; r++) {
    const info = await trainer.profileStep();
    const byName = new Map<string, { ms: number; calls: number }>();
    for (const k of info.kernels) {
      const row = byName.get(k.name) ?? { ms: 0, calls: 0 };
      row.ms += k.kernelTimeMs as number;
      row.calls++;
      byName.set(k.name, row);
    }
    runs.push(byName);
  }
  const names = new Set(runs.flatMap((m) => [...m.keys()]));
  const median = new Map<string, { ms: number; calls: number }>();
  for (const name of names) {
    const values = runs.map((m) => m.get(name)?.ms ?? 0).sort((a, b) => a - b);
    median.set(name, { ms: values[1], calls: runs[0].get(name)?.calls ?? 0 });
  }
  return median;
}

async function benchVariant(variant: CnnVariant, options: Options, torchPython: string | null): Promise<VariantResult> {
  unregisterFastKernels();
  const stockTrainer = createTrainer(variant, 1);
  const stockTrain = trainTiming(stockTrainer, options.stockSteps);
  const stockEval = evalTiming(stockTrainer, Math.min(options.evalImages, 1000));
  const stockKernels = await kernelProfile(stockTrainer);
  stockTrainer.dispose();

  registerFastKernels();
  resetFallbackCounts();
  const fastTrainer = createTrainer(variant, 1);
  const fastTrain = trainTiming(fastTrainer, options.fastSteps);
  const fastEval = evalTiming(fastTrainer, options.evalImages);
  const fallbacks = fallbackCounts();
  const fastKernels = await kernelProfile(fastTrainer);
  fastTrainer.dispose();
  unregisterFastKernels();

  const kernels = [...new Set([...stockKernels.keys(), ...fastKernels.keys()])]
    .map((kernel) => ({
      kernel,
      calls: (fastKernels.get(kernel) ?? stockKernels.get(kernel))!.calls,
      stockMs: round(stockKernels.get(kernel)?.ms ?? 0, 3),
      fastMs: round(fastKernels.get(kernel)?.ms ?? 0, 3),
    }))
    .sort((a, b) => b.stockMs - a.stockMs);
  const torch = torchPython ? runTorch(torchPython, variant, options.fastSteps) : null;
  return {
    variant,
    train: { stock: stockTrain, fast: fastTrain, ...ratios(stockTrain, fastTrain) },
    eval: { stock: stockEval, fast: fastEval, ...ratios(stockEval, fastEval) },
    kernels,
    fallbacks,
    torch,
  };
}

// The same net in PyTorch, trained the same way (SGD, batch 8, NLL, dropout 0.7), one thread per core as
// PyTorch chooses by default. Prints one JSON line.
const torchScript = String.raw`
import json, sys, time, resource, torch, torch.nn as nn, torch.nn.functional as F
variant, steps = sys.argv[1], int(sys.argv[2])
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
opt = torch.optim.SGD(model.parameters(), lr=0.01)
images, labels = torch.rand(64, 1, 28, 28), torch.randint(0, 4, (64,))
def step(i):
    s = (i * 8) % 64
    opt.zero_grad()
    loss = F.nll_loss(model(images[s:s + 8]), labels[s:s + 8])
    loss.backward()
    opt.step()
    return loss.item()
for i in range(10): step(i)
c0, t0 = time.process_time(), time.perf_counter()
for i in range(steps): step(i)
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({"wall": wall, "cpu": cpu, "threads": torch.get_num_threads(), "version": torch.__version__}))
`;

function ratios(stock: Timing, fast: Timing): { ratio: number; cpuRatio: number } {
  return { ratio: fast.imagesPerSecond / stock.imagesPerSecond, cpuRatio: fast.cpuImagesPerSecond / stock.cpuImagesPerSecond };
}

/** The first Python that imports torch: $PYTHON, then python3 on the PATH, then Debian's (python3-torch). */
function findTorchPython(): string | null {
  const candidates = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
  return candidates.find((python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) ?? null;
}

let torchVersion: string | null = null;

function runTorch(python: string, variant: CnnVariant, steps: number): Timing {
  const output = execFileSync(python, ['-c', torchScript, variant, String(steps)], { encoding: 'utf8' });
  const result = JSON.parse(output.trim().split('\n').pop()!) as { wall: number; cpu: number; threads: number; version: string };
  torchVersion = `${result.version} (${result.threads} threads)`;
  return {
    steps,
    images: steps * batchSize,
    wallSeconds: result.wall,
    cpuSeconds: result.cpu,
    imagesPerSecond: (steps * batchSize) / result.wall,
    cpuImagesPerSecond: (steps * batchSize) / result.cpu,
    msPerStep: (result.wall * 1000) / steps,
  };
}

function projectedHours(results: VariantResult[], side: 'stock' | 'fast', rate: 'imagesPerSecond' | 'cpuImagesPerSecond'): number {
  let seconds = 0;
  for (const r of results) {
    const perEpoch = fullTier.trainImages / r.train[side][rate] + fullTier.valImages / r.eval[side][rate];
    seconds += fullTier.runsPerVariant * fullTier.epochs * perEpoch;
  }
  return seconds / 3600;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function fmt(value: number, digits = 1): string {
  return value.toFixed(digits).padStart(9);
}

function writeAtomically(path: string, text: string): void {
  const target = resolve(path);
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, target);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const backend = await initBackend({ requested: 'cpu', fastKernels: false, log: () => {} });
  const torchPython = options.torch === 'off' ? null : findTorchPython();
  if (options.torch === 'on' && !torchPython) throw new Error('bench: --torch on, but no python3 can import torch (apt-get install python3-torch, or set PYTHON)');
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`tfjs ${backend.tfjsVersion} cpu backend, Node ${process.version}, ${cpu} x${cpus().length}; batch ${batchSize}, SGD lr ${learningRate}`);
  const loadBefore = loadavg()[0];
  console.log(`load average ${loadBefore.toFixed(2)} on ${cpus().length} cores${loadBefore > 1.5 ? ': the machine is busy, trust the ratios and CPU-time rates more than wall-clock rates' : ''}`);
  console.log(`steps: stock ${options.stockSteps}, fast ${options.fastSteps}${torchPython ? `, PyTorch ${options.fastSteps}` : ''}; eval batch ${evalBatchSize}\n`);

  const results: VariantResult[] = [];
  for (const variant of variants) {
    const r = await benchVariant(variant, options, torchPython);
    results.push(r);
    const pad = ' '.repeat(variant.length);
    const line = (label: string, t: { stock: Timing; fast: Timing; ratio: number; cpuRatio: number }) =>
      `${label}   stock ${fmt(t.stock.imagesPerSecond)} (cpu ${fmt(t.stock.cpuImagesPerSecond)})   fast ${fmt(t.fast.imagesPerSecond)} (cpu ${fmt(t.fast.cpuImagesPerSecond)})   ratio ${t.ratio.toFixed(1)}x (cpu ${t.cpuRatio.toFixed(1)}x)`;
    console.log(`${variant}: ${line('training images/s', r.train)}`);
    console.log(`${pad}  ${line('eval images/s    ', r.eval)}`);
    console.log(`${pad}  ms per training step: stock ${r.train.stock.msPerStep.toFixed(1)}, fast ${r.train.fast.msPerStep.toFixed(2)}`);
    if (r.torch) {
      console.log(
        `${pad}  PyTorch ${torchVersion}: ${fmt(r.torch.imagesPerSecond)} (cpu ${fmt(r.torch.cpuImagesPerSecond)}) images/s; ` +
          `fast tfjs reaches ${(r.train.fast.imagesPerSecond / r.torch.imagesPerSecond).toFixed(2)}x of it (cpu ${(r.train.fast.cpuImagesPerSecond / r.torch.cpuImagesPerSecond).toFixed(2)}x)`,
      );
    }
    if (Object.keys(r.fallbacks).length) console.log(`${' '.repeat(variant.length)}  calls handed to stock kernels: ${JSON.stringify(r.fallbacks)}`);
    console.log(`\n  ${'kernel (one training step)'.padEnd(26)} ${'calls'.padStart(5)} ${'stock ms'.padStart(9)} ${'fast ms'.padStart(9)}`);
    for (const k of r.kernels.filter((row) => row.stockMs >= 0.05 || row.fastMs >= 0.05)) {
      console.log(`  ${k.kernel.padEnd(26)} ${String(k.calls).padStart(5)} ${fmt(k.stockMs, 2)} ${fmt(k.fastMs, 2)}`);
    }
    const total = (side: 'stockMs' | 'fastMs') => r.kernels.reduce((sum, k) => sum + k[side], 0);
    console.log(`  ${'all kernels'.padEnd(26)} ${''.padStart(5)} ${fmt(total('stockMs'), 2)} ${fmt(total('fastMs'), 2)}\n`);
  }
  const projection = {
    ...fullTier,
    stockHours: round(projectedHours(results, 'stock', 'imagesPerSecond'), 2),
    fastHours: round(projectedHours(results, 'fast', 'imagesPerSecond'), 2),
    // As if the process had a core to itself: the same work at the CPU-time rates.
    stockCpuHours: round(projectedHours(results, 'stock', 'cpuImagesPerSecond'), 2),
    fastCpuHours: round(projectedHours(results, 'fast', 'cpuImagesPerSecond'), 2),
  };
  console.log(
    `Q2 full tier (${fullTier.runsPerVariant} runs x 2 nets x ${fullTier.epochs} epochs x (${fullTier.trainImages} train + ${fullTier.valImages} val images)): ` +
      `stock ${projection.stockHours.toFixed(1)} h, fast ${projection.fastHours.toFixed(2)} h ` +
      `(at CPU-time rates: stock ${projection.stockCpuHours.toFixed(1)} h, fast ${projection.fastCpuHours.toFixed(2)} h)`,
  );

  if (options.out) {
    const snapshot = {
      tool: 'scripts/bench.ts',
      date: new Date().toISOString(),
      machine: { cpu, cores: cpus().length, node: process.version, tfjs: backend.tfjsVersion, torch: torchVersion, loadAverage: { before: round(loadBefore, 2), after: round(loadavg()[0], 2) } },
      config: { batchSize, evalBatchSize, classes, learningRate, stockSteps: options.stockSteps, fastSteps: options.fastSteps, evalImages: options.evalImages },
      variants: results.map((r) => ({
        ...r,
        train: { stock: roundTiming(r.train.stock), fast: roundTiming(r.train.fast), ratio: round(r.train.ratio, 2), cpuRatio: round(r.train.cpuRatio, 2) },
        eval: { stock: roundTiming(r.eval.stock), fast: roundTiming(r.eval.fast), ratio: round(r.eval.ratio, 2), cpuRatio: round(r.eval.cpuRatio, 2) },
        torch: r.torch ? roundTiming(r.torch) : null,
      })),
      projection,
    };
    writeAtomically(options.out, `${JSON.stringify(snapshot, null, 2)}\n`);
    console.log(`wrote ${options.out}`);
  }
}

function roundTiming(t: Timing): Timing {
  return {
    steps: t.steps,
    images: t.images,
    wallSeconds: round(t.wallSeconds, 3),
    cpuSeconds: round(t.cpuSeconds, 3),
    imagesPerSecond: round(t.imagesPerSecond, 1),
    cpuImagesPerSecond: round(t.cpuImagesPerSecond, 1),
    msPerStep: round(t.msPerStep, 3),
  };
}

await main();
