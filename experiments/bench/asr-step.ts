/**
 * The Question 3 training step in the benchmark (issue 21): one AdamW step of q3-asr's model at a profile's exact
 * shape, timed and its peak memory measured, here and in PyTorch (the homework's modules, scripts/hw2_torch.py),
 * in one run so the ratios compare like with like; and from those, the wall time of a profile's epoch and its
 * peak memory at the profile's batch.
 *
 * A step is `clips` clips in one forward and backward pass (one micro-batch) and the optimizer step. Memory per
 * clip: here, the most bytes of distinct tensor buffers held during a step beyond those held before it
 * (parameters, AdamW's moments, the clips), over `clips` (and, beside it, the same by tf.memory().numBytes, which
 * counts a buffer once per tensor sharing it: src/lib/backend/memory-peak.ts); in PyTorch, which has no such
 * counter on the CPU, the growth of the process's peak resident set (VmHWM) over the steps, in a fresh
 * process per shape, over `clips`. PyTorch runs one thread,
 * as the tfjs cpu backend does: the ratios are per core. Inputs are random (time and memory do not depend on the
 * values).
 */
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { measurePeak } from '../../src/lib/backend/memory-peak.ts';
import { splitCounts } from '../../src/lib/data/asr-split.ts';
import { LJ_SPEECH_SPLITS } from '../../src/lib/data/ljspeech.ts';
import { resolveConfig } from '../../src/lib/harness/experiment.ts';
import type { DecoderKind } from '../../src/lib/models/asr-decoders.ts';
import type { AsrModelConfig } from '../../src/lib/models/asr.ts';
import { createAsrModel } from '../../src/lib/models/asr.ts';
import { Random } from '../../src/lib/random.ts';
import type { Row } from '../../src/lib/snapshot-schema.ts';
import { VOCAB_SIZE } from '../../src/lib/text/tokens.ts';
import { AdamW } from '../../src/lib/train/adamw.ts';
import { batchLossAndGradients } from '../../src/lib/train/asr.ts';
import { asrTrainingConfig } from '../q3/config.ts';
import { stepFixedTensorBytes } from '../../src/lib/train/asr-memory.ts';
import { q3Asr } from '../q3/asr.ts';

export const asrShapeNames = ['listening', 'full'] as const;
export type AsrShapeName = (typeof asrShapeNames)[number];
const asrDecoders: readonly DecoderKind[] = ['recurrent', 'attention'];

// The homework's protocol (experiments/q3-asr.ts defaults), for both sides.
const learningRate = 1e-3;
const weightDecay = 0.01;
const labelSmoothing = 0.1;

/** One shape to measure: a decoder's model as a q3-asr profile builds it, and how many clips a step takes. */
export interface AsrStepShape {
  shape: string; // the q3-asr profile it comes from (or a test's name)
  decoder: DecoderKind;
  model: AsrModelConfig; // its frames: log-mel frames per clip
  clips: number; // clips per measured step (one micro-batch)
  trainBatch: number; // the profile's batch: the projection's step
  trainClips: number; // training clips per epoch in the profile
}

/** The shapes of q3-asr's `name` profile, one per decoder, measured `clips` clips at a time. */
export function asrStepShapes(name: AsrShapeName, clips: number): AsrStepShape[] {
  const profile = resolveConfig(q3Asr, name);
  const [start, end] = LJ_SPEECH_SPLITS.train;
  const trainClips = profile.corpus === 'ljspeech' ? end - start : splitCounts(profile.clips, profile.trainFraction, profile.validationFraction).train;
  return asrDecoders.map((decoder) => ({
    shape: name,
    decoder,
    model: asrTrainingConfig({ ...profile, seed: 1 }, decoder).model,
    clips,
    trainBatch: profile.trainBatch,
    trainClips,
  }));
}

/** What one side measured for one shape. */
export interface AsrStepSide {
  steps: number;
  msPerStep: number;
  cpuMsPerStep: number;
  /** Peak memory of a step above what was held before it, per clip (bytes): tensor buffers here, resident set in PyTorch. */
  bytesPerClip: number;
  /** Here only: the same by tf.memory().numBytes, which counts shared buffers once per tensor. */
  countedBytesPerClip?: number;
  /** The process's peak resident set during the steps (bytes). */
  peakRss: number;
}

export interface AsrStepResult extends AsrStepShape {
  params: number;
  project: AsrStepSide;
  /** Null when no python3 imports torch. */
  pytorch: AsrStepSide | null;
  torchVersion: string | null;
}

function randomBatch(shape: AsrStepShape, random: Random): { audio: Float32Array; text: Int32Array } {
  const { nMels, frames, textLength } = shape.model;
  return {
    audio: Float32Array.from({ length: shape.clips * nMels * frames }, () => random.normal()),
    text: Int32Array.from({ length: shape.clips * textLength }, () => random.int(VOCAB_SIZE)),
  };
}

/**
 * This project's step at `shape`: one warm-up step, `steps` timed ones, then one more under measurePeak (kept out
 * of the timing: sampling the resident set costs a little). Leaves no tensor behind.
 */
export function benchAsrStep(shape: AsrStepShape, options: { steps: number; seed: number }): { params: number; side: AsrStepSide } {
  const random = new Random(options.seed);
  const model = createAsrModel(shape.model, new Random(random.seed()));
  const optimizer = new AdamW(model.namedParameters(), { learningRate, weightDecay });
  const batch = randomBatch(shape, random);
  const audio = tf.tensor3d(batch.audio, [shape.clips, shape.model.nMels, shape.model.frames]); // [clips, nMels, frames]
  const text = tf.tensor2d(batch.text, [shape.clips, shape.model.textLength], 'int32'); // [clips, textLength]
  const step = () => {
    const { gradients } = batchLossAndGradients(model, audio, text, labelSmoothing, shape.clips);
    try {
      optimizer.step(gradients);
    } finally {
      tf.dispose([...gradients.values()]);
    }
  };
  try {
    step(); // warm-up: AdamW's moments, JIT, the fast kernels' WebAssembly memory
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < options.steps; i++) step();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const peak = measurePeak(step);
    return {
      params: model.parameterCount(),
      side: {
        steps: options.steps,
        msPerStep: ms / options.steps,
        cpuMsPerStep: (cpu.user + cpu.system) / 1000 / options.steps,
        bytesPerClip: peak.peakBufferBytes / shape.clips,
        countedBytesPerClip: (peak.peakBytes - peak.startBytes) / shape.clips,
        peakRss: peak.peakRss,
      },
    };
  } finally {
    tf.dispose([audio, text]);
    optimizer.dispose();
    model.dispose();
  }
}

// The same step in PyTorch with the homework's modules, one thread, in a fresh process (its VmHWM is then this
// shape's alone). argv: the folder of hw2_torch.py, then the shape as JSON. Prints one JSON line.
// biome-ignore lint/complexity/noUselessStringRaw: raw, so an escape added to the Python later reaches Python unchanged
const torchStepScript = String.raw`
import json, sys, time
import torch, torch.nn.functional as F
torch.set_num_threads(1)
sys.path.insert(0, sys.argv[1])
from hw2_torch import VOCAB_SIZE, AsrModel, reference_config
spec = json.loads(sys.argv[2])
c, clips = spec['model'], spec['clips']
torch.manual_seed(spec['seed'])
model = AsrModel(reference_config(c), c['decoder'])
opt = torch.optim.AdamW(model.parameters(), lr=spec['learningRate'], weight_decay=spec['weightDecay'])
audio = torch.randn(clips, c['nMels'], c['frames'])
text = torch.randint(0, VOCAB_SIZE, (clips, c['textLength']))
def step():
    opt.zero_grad(set_to_none=True)
    logits = model(audio, text[:, :-1])
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), text[:, 1:].reshape(-1), label_smoothing=spec['labelSmoothing'])
    loss.backward()
    opt.step()
    return loss.item()
# The peak resident set of this process image: VmHWM, reset at exec. (ru_maxrss is not: Linux carries it over from
# the parent through fork and exec, so under a Node parent of a few GB it reads the parent's peak and never grows.)
def maxrss():
    with open('/proc/self/status') as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith('VmHWM:'))
before = maxrss()
step()
c0, t0 = time.process_time(), time.perf_counter()
for _ in range(spec['steps']): step()
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({'wall': wall, 'cpu': cpu, 'rssBefore': before, 'rssPeak': maxrss(), 'params': sum(p.numel() for p in model.parameters()),
                  'threads': torch.get_num_threads(), 'version': torch.__version__}))
`;

// The module file itself, so the harness hashes it as one of the bench's sources; Python imports it from its folder.
const torchModules = fileURLToPath(new URL('../../scripts/hw2_torch.py', import.meta.url));

/** PyTorch's step at `shape` (see torchStepScript): the side, its parameter count and version. */
export function torchAsrStep(
  python: string,
  shape: AsrStepShape,
  options: { steps: number; seed: number },
): { params: number; side: AsrStepSide; version: string } {
  const spec = {
    model: shape.model,
    clips: shape.clips,
    steps: options.steps,
    seed: options.seed,
    learningRate,
    weightDecay,
    labelSmoothing,
  };
  const output = execFileSync(python, ['-c', torchStepScript, dirname(torchModules), JSON.stringify(spec)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = output.trim().split('\n').pop() ?? '';
  let result: { wall: number; cpu: number; rssBefore: number; rssPeak: number; params: number; threads: number; version: string };
  try {
    result = JSON.parse(line);
  } catch {
    throw new Error(`bench-cpu-kernels: the PyTorch Q3 step (${python}, ${shape.shape} ${shape.decoder}) printed no result line, got '${line.slice(0, 200)}'`);
  }
  return {
    params: result.params,
    side: {
      steps: options.steps,
      msPerStep: (result.wall * 1000) / options.steps,
      cpuMsPerStep: (result.cpu * 1000) / options.steps,
      bytesPerClip: (result.rssPeak - result.rssBefore) / shape.clips,
      peakRss: result.rssPeak,
    },
    version: `${result.version} (${result.threads} thread${result.threads === 1 ? '' : 's'})`,
  };
}

const mib = 1024 ** 2;

/** Hours of training steps per epoch: ceil(trainClips / trainBatch) steps, each trainBatch / clips measured steps. */
export function epochHours(result: Pick<AsrStepResult, 'trainClips' | 'trainBatch' | 'clips'>, msPerStep: number): number {
  const steps = Math.ceil(result.trainClips / result.trainBatch);
  return (steps * (result.trainBatch / result.clips) * msPerStep) / 3.6e6;
}

/** Tensor bytes of a step with the whole batch in one pass: per clip x batch, plus what any step holds. */
export function batchPeakBytes(result: Pick<AsrStepResult, 'model' | 'trainBatch' | 'params'>, bytesPerClip: number): number {
  return bytesPerClip * result.trainBatch + stepFixedTensorBytes(result, result.params);
}

/**
 * The snapshot's parts for the Q3 steps: parameter counts as metrics (they repeat exactly), the rest under
 * timings: a row per shape and decoder with both sides and their ratios (`asrStep`), a row per shape and decoder
 * with its projected epoch and batch peak (`asrProjection`), and the same numbers as named values.
 */
export function collectAsrSteps(results: readonly AsrStepResult[]): {
  metrics: Record<string, number>;
  values: Record<string, number>;
  asrStep: Row[];
  asrProjection: Row[];
} {
  const metrics: Record<string, number> = {};
  const values: Record<string, number> = {};
  const asrStep: Row[] = [];
  const asrProjection: Row[] = [];
  for (const r of results) {
    const key = `asr-${r.shape}-${r.decoder}`;
    const { project, pytorch } = r;
    metrics[`${key}-params`] = r.params;
    const speedRatio = pytorch ? pytorch.cpuMsPerStep / project.cpuMsPerStep : null;
    const memoryRatio = pytorch ? project.bytesPerClip / pytorch.bytesPerClip : null;
    Object.assign(values, {
      [`${key}-msPerStep`]: project.msPerStep,
      [`${key}-cpuMsPerStep`]: project.cpuMsPerStep,
      [`${key}-mibPerClip`]: project.bytesPerClip / mib,
      ...(project.countedBytesPerClip === undefined ? {} : { [`${key}-countedMibPerClip`]: project.countedBytesPerClip / mib }),
      [`${key}-residentMib`]: project.peakRss / mib,
    });
    if (pytorch) {
      Object.assign(values, {
        [`${key}-pytorch-msPerStep`]: pytorch.msPerStep,
        [`${key}-pytorch-cpuMsPerStep`]: pytorch.cpuMsPerStep,
        [`${key}-pytorch-mibPerClip`]: pytorch.bytesPerClip / mib,
        [`${key}-pytorch-residentMib`]: pytorch.peakRss / mib,
        [`${key}-speedRatio`]: speedRatio!,
        [`${key}-memoryRatio`]: memoryRatio!,
      });
    }
    asrStep.push({
      shape: r.shape,
      decoder: r.decoder,
      hidden: r.model.hidden,
      frames: r.model.frames,
      textLength: r.model.textLength,
      clips: r.clips,
      msPerStep: project.msPerStep,
      cpuMsPerStep: project.cpuMsPerStep,
      mibPerClip: project.bytesPerClip / mib,
      countedMibPerClip: project.countedBytesPerClip === undefined ? null : project.countedBytesPerClip / mib,
      residentMib: project.peakRss / mib,
      pytorchMsPerStep: pytorch?.msPerStep ?? null,
      pytorchCpuMsPerStep: pytorch?.cpuMsPerStep ?? null,
      pytorchMibPerClip: pytorch ? pytorch.bytesPerClip / mib : null,
      pytorchResidentMib: pytorch ? pytorch.peakRss / mib : null,
      speedRatio,
      memoryRatio,
      pytorch: r.torchVersion,
    });
    const hours = epochHours(r, project.msPerStep);
    const cpuHours = epochHours(r, project.cpuMsPerStep);
    const batchGib = batchPeakBytes(r, project.bytesPerClip) / 1024 ** 3;
    Object.assign(values, { [`${key}-epochHours`]: hours, [`${key}-epochCpuHours`]: cpuHours, [`${key}-batchPeakGib`]: batchGib });
    asrProjection.push({
      shape: r.shape,
      decoder: r.decoder,
      trainClips: r.trainClips,
      trainBatch: r.trainBatch,
      stepsPerEpoch: Math.ceil(r.trainClips / r.trainBatch),
      epochHours: hours,
      epochCpuHours: cpuHours,
      pytorchEpochCpuHours: pytorch ? epochHours(r, pytorch.cpuMsPerStep) : null,
      batchPeakGib: batchGib,
    });
  }
  return { metrics, values, asrStep, asrProjection };
}

/** The report's Q3 lines: per shape and decoder, both sides and the ratios, then the projection. */
export function formatAsrSteps(asrStep: readonly Row[], asrProjection: readonly Row[]): string[] {
  if (!asrStep.length) return [];
  const fixed = (value: Row[string], digits: number) => (typeof value === 'number' ? value.toFixed(digits) : '-');
  const lines = [
    'Q3 training step (AdamW, one pass of `clips` clips; memory per clip: tensor buffers here (as tf.memory() counts them), resident set in PyTorch; ratios per CPU-second):',
  ];
  for (const row of asrStep) {
    const torch =
      row.pytorch === null
        ? 'PyTorch not run'
        : `PyTorch ${row.pytorch} ${fixed(row.pytorchMsPerStep, 0)} ms (cpu ${fixed(row.pytorchCpuMsPerStep, 0)}), ${fixed(row.pytorchMibPerClip, 1)} MiB/clip; ` +
          `speed ${fixed(row.speedRatio, 2)}x, memory ${fixed(row.memoryRatio, 2)}x`;
    lines.push(
      `  ${row.shape} ${row.decoder} (width ${row.hidden}, ${row.frames} frames, text ${row.textLength}, ${row.clips} clips): ` +
        `${fixed(row.msPerStep, 0)} ms (cpu ${fixed(row.cpuMsPerStep, 0)}), ${fixed(row.mibPerClip, 1)} MiB/clip (${fixed(row.countedMibPerClip, 1)}), resident ${fixed(row.residentMib, 0)} MiB; ${torch}`,
    );
  }
  for (const row of asrProjection) {
    lines.push(
      `  ${row.shape} ${row.decoder} epoch (${row.stepsPerEpoch} steps of ${row.trainBatch}): ${fixed(row.epochHours, 2)} h ` +
        `(cpu ${fixed(row.epochCpuHours, 2)} h; PyTorch cpu ${fixed(row.pytorchEpochCpuHours, 2)} h); batch ${row.trainBatch} in one pass: ${fixed(row.batchPeakGib, 2)} GiB of tensor buffers`,
    );
  }
  return lines;
}
