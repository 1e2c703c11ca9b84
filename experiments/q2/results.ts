/**
 * Question 2's results: the rate chosen on validation, per-run metrics, curves and tables (runs, confusion matrices,
 * layers, classes), the networks published, and the comparisons the write-up states.
 */
import type { ImageDataset } from '../../src/lib/data/images.ts';
import type { Comparison, PartResults, RunResult } from '../../src/lib/harness/experiment.ts';
import type { CnnVariant } from '../../src/lib/models/cnn.ts';
import { cnnLayerTable, createCnn } from '../../src/lib/models/cnn.ts';
import type { Row } from '../../src/lib/snapshot-schema.ts';
import type { ClassifierResult } from '../../src/lib/train/classifier.ts';
import type { ClassifierPart, CnnExperimentConfig, CnnPart } from './config.ts';
import { partName, variants } from './config.ts';

type Config = CnnExperimentConfig;

/** One seed's result from its parts. */
export function assembleCnn(config: Config, data: ImageDataset, results: PartResults<CnnPart, ClassifierPart>): RunResult {
  const result = (variant: CnnVariant, learningRate: number) => results.of({ variant, learningRate }).result;
  const pooled = new Map(config.learningRates.map((rate) => [rate, result('pooled', rate)]));
  const strided = new Map(config.learningRates.map((rate) => [rate, result('strided', rate)]));
  const bestRate = pickBestRate(pooled);
  const runs = variants.flatMap((variant) => config.learningRates.map((rate) => ({ variant, rate, result: result(variant, rate) })));
  const metrics: Record<string, number> = { bestLearningRate: bestRate, classes: data.classNames.length };
  const timings: Record<string, number> = {};
  for (const { variant, rate, result } of runs) {
    const key = `${variant}-lr${rate}`;
    metrics[`${variant}-params`] = result.params;
    if (result.test) metrics[`${key}-testAccuracy`] = result.test.accuracy;
    if (result.epochs.length) metrics[`${key}-finalValAccuracy`] = result.epochs.at(-1)!.valAccuracy;
    timings[`${key}-imagesPerSecond`] = result.timing.imagesPerSecond;
  }
  for (const [variant, byRate] of [
    ['pooled', pooled],
    ['strided', strided],
  ] as const) {
    const best = byRate.get(bestRate)?.test;
    if (best) metrics[`${variant}-best-testAccuracy`] = best.accuracy;
  }
  return {
    metrics,
    curves: { epochs: runs.flatMap(({ variant, rate, result }) => result.epochs.map((row): Row => ({ variant, learningRate: rate, ...row }))) },
    tables: {
      runs: runs.map(
        ({ variant, rate, result }): Row => ({
          variant,
          learningRate: rate,
          chosen: rate === bestRate,
          status: result.status,
          divergedEpoch: result.diverged?.epoch ?? null,
          finalValAccuracy: result.epochs.at(-1)?.valAccuracy ?? null,
          testAccuracy: result.test?.accuracy ?? null,
          testLoss: result.test?.loss ?? null,
          params: result.params,
        }),
      ),
      confusion: runs.flatMap(({ variant, rate, result }) =>
        (result.test?.confusion ?? []).flatMap((counts, truth) =>
          counts.map((count, predicted): Row => ({ variant, learningRate: rate, truth: data.classNames[truth], predicted: data.classNames[predicted], count })),
        ),
      ),
      layers: variants.flatMap((variant) => layerRows(variant, data.classNames.length)),
      classes: data.classNames.map((name, index): Row => ({ index, name })),
    },
    timings: { values: timings },
    // The weights of the run the homework reports for each network: both at the rate chosen on validation.
    publish: variants.map((variant) => partName({ variant, learningRate: bestRate })),
  };
}

/** Max-pooling minus stride-2 test accuracy at each rate and at the chosen one. */
export function cnnComparisons(config: Config): Comparison[] {
  return [
    ...config.learningRates.map((rate) => ({
      id: `pooled-minus-strided-lr${rate}`,
      description: `max-pooling minus stride-2 test accuracy at learning rate ${rate}`,
      a: `pooled-lr${rate}-testAccuracy`,
      b: `strided-lr${rate}-testAccuracy`,
    })),
    {
      id: 'pooled-minus-strided-best',
      description: 'max-pooling minus stride-2 test accuracy at the chosen rate',
      a: 'pooled-best-testAccuracy',
      b: 'strided-best-testAccuracy',
    },
  ];
}

/** The homework's rule: the rate whose run ends with the best validation accuracy; diverged runs never win. */
function pickBestRate(results: Map<number, ClassifierResult>): number {
  let best: { rate: number; accuracy: number } | undefined;
  for (const [rate, result] of results) {
    if (result.status !== 'finished') continue;
    const accuracy = result.epochs.at(-1)!.valAccuracy;
    if (!best || accuracy > best.accuracy) best = { rate, accuracy };
  }
  if (!best) throw new Error('q2-cnn: every run of the pooled net diverged; no learning rate to choose');
  return best.rate;
}

function layerRows(variant: CnnVariant, classes: number): Row[] {
  const model = createCnn({ variant, classes, dropout: 0.7, seed: 1 });
  try {
    return cnnLayerTable(model).map(
      (row): Row => ({ variant, layer: row.name, description: row.description, outputShape: row.outputShape.join('×'), params: row.params }),
    );
  } finally {
    model.dispose();
  }
}
