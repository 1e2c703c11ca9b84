/**
 * Training of question 2's CNNs as the homework did it: plain SGD (no momentum, no weight decay), batch 8,
 * NLL loss on the log-softmax outputs, dropout in training only, reshuffling every epoch; per epoch the mean
 * training loss and validation accuracy; at the end test accuracy and the confusion matrix.
 *
 * Determinism: one seed fixes everything. It draws the initialisation seed, a shuffling generator and a
 * dropout generator (our Random, never Math.random); the dropout layer gets a fresh seed every step, since
 * tfjs draws the same mask for the same seed. Both generators' states go into the checkpoint written after
 * every epoch, so a run stopped and resumed ends with the same weights and metrics, bit for bit, as one
 * that ran straight through (on the same backend).
 *
 * The epochs run in ./loop.ts, which holds the policy on resuming, divergence (a non-finite loss ends the run as
 * `diverged` with the epoch and step; the caller's sweep goes on) and stopping.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Effects } from '../effects.ts';
import { writeFileAtomic } from '../fs/atomic.ts';
import type { ImageDataset, ImageSplit } from '../data/images.ts';
import { cnnDefaults, cnnStateDict, countTrainableParams, createCnn, loadCnnStateDict, setDropoutSeed, type CnnVariant } from '../models/cnn.ts';
import { Random } from '../random.ts';
import { serializeSafetensors } from '../weights/safetensors.ts';
import type { EpochTrainer } from './loop.ts';
import { runEpochs } from './loop.ts';

export interface TrainClassifierOptions {
  data: ImageDataset;
  variant: CnnVariant;
  learningRate: number;
  epochs: number; // homework: 15
  seed: number;
  batchSize?: number; // homework: 8
  dropout?: number; // homework: 0.7
  evalBatchSize?: number; // evaluation only; does not change any number
  /** Folder for this run's checkpoints; a checkpoint found there for the same setup is resumed. */
  checkpointDir?: string;
  /** Any text that must also match for a checkpoint to be resumed (e.g. a hash of the code); default ''. */
  checkpointKey?: string;
  /** Stop cleanly after this epoch's checkpoint, as a killed run would (for the resume test). */
  stopAfterEpoch?: number;
  /** Aborts between steps; the last checkpoint stays. */
  signal?: AbortSignal;
  /** Progress label, e.g. `pooled lr 0.01`. */
  label?: string;
  /** Write the final weights here (safetensors, PyTorch names) when the run finishes. */
  finalWeightsPath?: string;
}

export interface EpochRow {
  epoch: number;
  /** Mean over the epoch's batches of the batch-mean NLL (as the homework's loop averaged it). */
  trainLoss: number;
  valLoss: number;
  valAccuracy: number;
}

export interface ClassifierResult {
  status: 'finished' | 'diverged' | 'stopped';
  epochs: EpochRow[];
  diverged: { epoch: number; step: number; loss: number } | null;
  /** Null when the run diverged or stopped. */
  test: { accuracy: number; loss: number; confusion: number[][] } | null;
  params: number;
  /** Epochs taken from a checkpoint instead of trained in this call. */
  resumedFromEpoch: number;
  /** Clock measurements (effects.now), over all epochs including those before a resume. */
  timing: { trainSeconds: number; trainImages: number; imagesPerSecond: number };
}

type TrainEffects = Pick<Effects, 'log' | 'progress' | 'now'>;

const epochRow = z.object({ epoch: z.number().int(), trainLoss: z.number(), valLoss: z.number(), valAccuracy: z.number() }).strict();
/** The classifier's half of a checkpoint (./loop.ts holds the rest): generator states, optimizer and timings. */
const trainerState = z
  .object({
    shuffleState: z.number().int(),
    dropoutState: z.number().int(),
    optimizer: z.object({ name: z.literal('sgd'), learningRate: z.number() }).strict(),
    trainSeconds: z.number(),
    trainImages: z.number(),
  })
  .strict();
type TrainerState = z.infer<typeof trainerState>;

export async function trainClassifier(options: TrainClassifierOptions, effects: TrainEffects): Promise<ClassifierResult> {
  const { data, variant, learningRate, epochs, seed } = options;
  const batchSize = options.batchSize ?? 8;
  const dropout = options.dropout ?? cnnDefaults.dropout;
  const evalBatchSize = options.evalBatchSize ?? 500;
  const label = options.label ?? `${variant} lr ${learningRate}`;
  const classes = data.classNames.length;
  if (!(learningRate > 0)) throw new Error(`trainClassifier: learningRate must be > 0, got ${learningRate}`);
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`trainClassifier: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`trainClassifier: batchSize must be a positive integer, got ${batchSize}`);

  const master = new Random(seed);
  const modelSeed = master.seed();
  let shuffle = new Random(master.seed());
  let dropoutRandom = new Random(master.seed());
  const model = createCnn({ variant, classes, dropout, seed: modelSeed });
  const optimizer = tf.train.sgd(learningRate);
  try {
    const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
    const overall = effects.progress(label, epochs);
    let trainSeconds = 0;
    let trainImages = 0;
    const train = data.train;
    const pixels = data.imageShape[0] * data.imageShape[1] * data.imageShape[2];
    const steps = Math.ceil(train.count / batchSize);

    const trainer: EpochTrainer<EpochRow, TrainerState> = {
      async start(resumedEpochs) {
        if (resumedEpochs > 0) overall.tick(resumedEpochs, `resumed after epoch ${resumedEpochs}`);
      },
      async epoch(epoch) {
        const order = shuffle.permutation(train.count);
        const bar = effects.progress(`${label} epoch ${epoch}/${epochs}`, steps);
        const started = effects.now();
        let lossSum = 0;
        for (let step = 0; step < steps; step++) {
          if (options.signal?.aborted) throw options.signal.reason ?? new Error('trainClassifier: aborted');
          const indices = order.subarray(step * batchSize, Math.min((step + 1) * batchSize, train.count));
          setDropoutSeed(model, dropoutRandom.seed());
          const loss = trainStep(model, optimizer, variables, batchOf(train, indices, pixels), classes);
          if (!Number.isFinite(loss)) {
            bar.done(`loss ${loss}`);
            return { diverged: { step: step + 1, loss } };
          }
          lossSum += loss;
          bar.tick(1, `loss ${(lossSum / (step + 1)).toFixed(3)}`);
        }
        trainSeconds += (effects.now() - started) / 1000;
        trainImages += train.count;
        const val = evaluateClassifier(model, data.val, classes, evalBatchSize, data.imageShape);
        const row: EpochRow = { epoch, trainLoss: lossSum / steps, valLoss: val.loss, valAccuracy: val.accuracy };
        bar.done(`loss ${row.trainLoss.toFixed(3)}, val acc ${row.valAccuracy.toFixed(4)}`);
        overall.tick(1, `epoch ${epoch}: loss ${row.trainLoss.toFixed(3)}, val acc ${row.valAccuracy.toFixed(4)}`);
        return { row };
      },
      save: () => ({
        state: {
          shuffleState: shuffle.state,
          dropoutState: dropoutRandom.state,
          optimizer: { name: 'sgd', learningRate },
          trainSeconds,
          trainImages,
        },
        tensors: cnnStateDict(model),
      }),
      restore(state, weights) {
        loadCnnStateDict(model, weights);
        shuffle = Random.fromState(state.shuffleState);
        dropoutRandom = Random.fromState(state.dropoutState);
        ({ trainSeconds, trainImages } = state);
      },
    };
    const run = await runEpochs(trainer, {
      kind: 'classifier',
      // Everything that shapes the trajectory; `epochs` is left out because the first k epochs do not depend on it.
      setup: { variant, classes, dropout, learningRate, batchSize, seed, data: data.hash },
      checkpointKey: options.checkpointKey,
      epochs,
      label: `[train] ${label}`,
      log: effects.log,
      checkpointDir: options.checkpointDir,
      stopAfterEpoch: options.stopAfterEpoch,
      rowSchema: epochRow,
      stateSchema: trainerState,
    });

    let test: ClassifierResult['test'] = null;
    if (run.status === 'diverged') overall.done(`diverged in epoch ${run.diverged?.epoch}`);
    else if (run.status === 'stopped') overall.done(`stopped after epoch ${run.rows.length}`);
    else {
      test = evaluateClassifier(model, data.test, classes, evalBatchSize, data.imageShape);
      overall.done(`test acc ${test.accuracy.toFixed(4)}`);
      if (options.finalWeightsPath) await writeFileAtomic(options.finalWeightsPath, serializeSafetensors(cnnStateDict(model)));
    }
    return {
      status: run.status,
      epochs: run.rows,
      diverged: run.diverged,
      test,
      params: countTrainableParams(model),
      resumedFromEpoch: run.resumedEpochs,
      timing: { trainSeconds, trainImages, imagesPerSecond: trainSeconds > 0 ? trainImages / trainSeconds : 0 },
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

interface Batch {
  images: Float32Array; // [batch, 28, 28, 1]
  labels: Int32Array; // [batch]
}

function batchOf(split: ImageSplit, indices: ArrayLike<number>, pixels: number): Batch {
  // Fresh arrays per batch: tfjs may keep a reference to the data of a tensor made from a typed array.
  const images = new Float32Array(indices.length * pixels);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const source = indices[i];
    images.set(split.images.subarray(source * pixels, (source + 1) * pixels), i * pixels);
    labels[i] = split.labels[source];
  }
  return { images, labels };
}

/** Mean NLL of log-probabilities `logProbs` [batch, classes] against one-hot targets [batch, classes]. */
function nll(logProbs: tf.Tensor, targets: tf.Tensor): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(logProbs, targets), 1))) as tf.Scalar; // [batch] -> scalar
}

function trainStep(model: tf.LayersModel, optimizer: tf.Optimizer, variables: tf.Variable[], batch: Batch, classes: number): number {
  const cost = tf.tidy(() => {
    const [height, width, channels] = model.inputs[0].shape.slice(1) as number[];
    const x = tf.tensor4d(batch.images, [batch.labels.length, height, width, channels]); // [batch, 28, 28, 1]
    const targets = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), classes); // [batch, classes]
    return optimizer.minimize(() => nll(model.apply(x, { training: true }) as tf.Tensor, targets), true, variables)!;
  });
  const value = cost.dataSync()[0];
  cost.dispose();
  return value;
}

export interface Evaluation {
  accuracy: number;
  /** Mean NLL per image. */
  loss: number;
  /** confusion[true][predicted], counts. */
  confusion: number[][];
}

/** Eval mode (dropout off), in batches; batch size changes no number. */
export function evaluateClassifier(model: tf.LayersModel, split: ImageSplit, classes: number, batchSize = 500, imageShape = [28, 28, 1]): Evaluation {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const pixels = imageShape[0] * imageShape[1] * imageShape[2];
  let lossSum = 0;
  for (let start = 0; start < split.count; start += batchSize) {
    const end = Math.min(start + batchSize, split.count);
    const [predicted, losses] = tf.tidy(() => {
      const x = tf.tensor4d(split.images.slice(start * pixels, end * pixels), [end - start, imageShape[0], imageShape[1], imageShape[2]]); // [batch, 28, 28, 1]
      const logProbs = model.apply(x, { training: false }) as tf.Tensor; // [batch, classes]
      const targets = tf.oneHot(tf.tensor1d(split.labels.slice(start, end), 'int32'), classes); // [batch, classes]
      return [tf.argMax(logProbs, 1), tf.neg(tf.sum(tf.mul(logProbs, targets), 1))]; // [batch], [batch]
    });
    const predictions = predicted.dataSync();
    const lossValues = losses.dataSync();
    tf.dispose([predicted, losses]);
    for (let i = 0; i < end - start; i++) {
      confusion[split.labels[start + i]][predictions[i]]++;
      lossSum += lossValues[i];
    }
  }
  const correct = confusion.reduce((sum, row, i) => sum + row[i], 0);
  return { accuracy: correct / split.count, loss: lossSum / split.count, confusion };
}
