/**
 * Question 3 as an experiment: a transformer audio encoder with the recurrent (LSTM) decoder and with the
 * attention decoder, each trained from the same seed on the same data with the same encoder config, compared
 * on loss and on the three string similarities of greedy transcripts.
 *
 * Data: `smoke` and `cpu` run on synthetic speech made by the project (Brown-corpus sentences spoken by
 * espeak-ng, generated into the shared data cache on first use); `full` is the homework's setting on
 * LJ Speech 1.1 (LJSPEECH_DIR) and is meant for a GPU host.
 *
 * Besides the trained model, each decoder's initial weights (the same draw training starts from) are scored
 * on the test split, so "it learned something" is a measured difference, not a hope.
 *
 * The experiment's pieces live beside it: the config (./config.ts), the profiles (./profiles.ts), the data
 * (./asr-data.ts), a decoder's training (./training.ts) and the results (./results.ts).
 */
import type { LoadedData, PartResults, RunEffects, Threshold } from '../../src/lib/harness/experiment.ts';
import { defineExperiment } from '../../src/lib/harness/experiment.ts';
import { speechSplit } from '../../src/lib/data/asr-split.ts';
import type { DecoderKind } from '../../src/lib/models/asr-decoders.ts';
import type { Q3Data } from './asr-data.ts';
import { asrCorpus, asrData } from './asr-data.ts';
import type { AsrConfig } from './config.ts';
import { asrConfig, asrTrainingConfig } from './config.ts';
import { croppedClips } from './data.ts';
import { asrProfiles } from './profiles.ts';
import { decoderMetrics, decoderTables, decoderTolerances, heldOutMetrics, heldOutTables } from './results.ts';
import type { Q3Part } from './training.ts';
import { scoreHeldOut, trainDecoderPart } from './training.ts';

type Config = AsrConfig;

export const q3Asr = defineExperiment({
  id: 'q3-asr',
  title: 'Question 3: speech recognition, recurrent vs attention decoder',
  module: import.meta.url,
  config: asrConfig,
  profiles: asrProfiles,
  thresholds: {
    smoke: smokeThresholds(),
    listening: listeningThresholds(),
    // None until a run of this profile is measured: issue 18's targets (held-out gap >= .20, test Jaccard >= .75) are
    // goals to report against, and a threshold here must come from a measured run with its margin.
    'multi-engine': [],
    full: [],
  },
  baseline: {
    // Same seed and backend repeat exactly; the slack is for another backend's rounding over hundreds of steps.
    ...decoderTolerances('', ['recurrent', 'attention'], 0.05, 0.03),
  },
  data: (config: Config, effects): Promise<LoadedData<Q3Data>> => asrCorpus(config, effects),
  comparisons: (config: Config) => [
    ...['loss', 'jaccard', 'cosine', 'damerau-levenshtein', 'cer'].map((measure) => ({
      id: `recurrent-minus-attention-${measure}`,
      description: `LSTM minus attention decoder, test ${measure}`,
      a: `recurrent-test-${measure}`,
      b: `attention-test-${measure}`,
    })),
    ...(config.heldOut
      ? ['jaccard', 'listening-gap-jaccard'].map((measure) => ({
          id: `recurrent-minus-attention-heldout-${measure}`,
          description: `LSTM minus attention decoder, held-out ${measure}`,
          a: `recurrent-heldout-${measure}`,
          b: `attention-heldout-${measure}`,
        }))
      : []),
  ],
  parts: (config: Config) => config.decoders,
  async runPart(config: Config, data: Q3Data, decoder: DecoderKind, effects: RunEffects): Promise<Q3Part> {
    const training = asrTrainingConfig(config, decoder);
    const part = await trainDecoderPart(training, asrData(data, config), effects, { folder: effects.checkpointDir, name: decoder });
    if (!data.splits.heldOut) return part;
    const heldOut = speechSplit(data.dataset, data.splits.heldOut, 'held out', config.normalize ? { normalize: true } : {});
    return { ...part, heldOut: await scoreHeldOut(training, part.artifacts![0].path, heldOut, effects) };
  },
  assemble(config: Config, data: Q3Data, results: PartResults<DecoderKind, Q3Part>) {
    const { dataset, splits } = data;
    const runs = config.decoders.map((decoder) => results.of(decoder));
    const metrics: Record<string, number> = {
      'train-clips': splits.train.length,
      'validation-clips': splits.validation.length,
      'test-clips': splits.test.length,
      'cropped-clips': croppedClips(dataset, [...splits.train, ...splits.validation, ...splits.test, ...(splits.heldOut ?? [])]),
      ...(splits.heldOut ? { 'heldout-clips': splits.heldOut.length } : {}),
    };
    for (const run of runs) Object.assign(metrics, decoderMetrics('', run), heldOutMetrics(run));
    const { curves, tables, timings } = decoderTables(runs);
    return {
      metrics,
      curves,
      tables: { ...tables, ...(splits.heldOut ? heldOutTables(runs) : {}), data: data.description },
      timings: { values: { ...timings?.values, 'feature-seconds': dataset.stats.computeSeconds }, curves: timings?.curves },
    };
  },
});

/**
 * Measured on the cpu backend with the fast kernels, seed 1, with both engines, slt held out and the augmentation on,
 * at 6 epochs (issue 20 halved them; `npx tsx scripts/experiment.ts q3-asr smoke`): runs repeat exactly on one
 * backend, so the baseline's tolerances are the tight gate. These floors say "both decoders learned": the test loss fell far below
 * its untrained value (ln 35 = 3.56 for uniform logits), the transcripts got closer to the targets than the untrained
 * model's, and the held-out voice's loss is as low, so its evaluation ran on the trained weights. Jaccard is not
 * gated on its gain: an untrained decoder babbles a long string of many letters, whose multiset already overlaps
 * the target's (measured 0.25 for the attention decoder). At this size neither decoder listens yet (listening gaps
 * -0.009 and 0.000), so no gap is gated here.
 */
function smokeThresholds(): Threshold[] {
  return [
    { metric: 'recurrent-test-loss', op: '<=', value: 2.65, why: 'measured 2.237 (untrained 3.362); margin 0.41' },
    { metric: 'attention-test-loss', op: '<=', value: 2.9, why: 'measured 2.488 (untrained 3.811); margin 0.41' },
    { metric: 'recurrent-test-loss-drop', op: '>=', value: 0.75, why: 'measured 1.125; margin 0.38' },
    { metric: 'attention-test-loss-drop', op: '>=', value: 0.9, why: 'measured 1.323; margin 0.42' },
    { metric: 'recurrent-test-damerau-levenshtein-gain', op: '>=', value: 0.08, why: 'measured 0.170 (0.086 -> 0.256); margin 0.09' },
    { metric: 'attention-test-damerau-levenshtein-gain', op: '>=', value: 0.06, why: 'measured 0.112 (0.158 -> 0.269); margin 0.05' },
    { metric: 'recurrent-test-damerau-levenshtein', op: '>=', value: 0.15, why: 'measured 0.256; margin 0.11' },
    { metric: 'attention-test-damerau-levenshtein', op: '>=', value: 0.17, why: 'measured 0.269; margin 0.10' },
    { metric: 'recurrent-heldout-loss', op: '<=', value: 2.75, why: 'measured 2.291 on the 15 slt clips; margin 0.46' },
    { metric: 'attention-heldout-loss', op: '<=', value: 2.95, why: 'measured 2.508 on the 15 slt clips; margin 0.44' },
  ];
}

/**
 * The listening profile's gates are issue 11's targets, not measurements: both decoders at least at the original
 * write-up's real-speech figures (Jaccard 0.71 / 0.76, Damerau-Levenshtein 0.51 / 0.63 for LSTM / attention)
 * on held-out synthetic speech, and at least 0.30 of Jaccard lost when each clip is given another clip's audio.
 */
function listeningThresholds(): Threshold[] {
  return (['recurrent', 'attention'] as const).flatMap((decoder): Threshold[] => [
    { metric: `${decoder}-test-jaccard`, op: '>=', value: 0.75, why: "issue 11: at least the original write-up's real-speech Jaccard (0.71 / 0.76)" },
    {
      metric: `${decoder}-test-damerau-levenshtein`,
      op: '>=',
      value: 0.6,
      why: "issue 11: near the original write-up's real-speech Damerau-Levenshtein (0.51 / 0.63)",
    },
    { metric: `${decoder}-listening-gap-jaccard`, op: '>=', value: 0.3, why: 'issue 11: the audio must be worth 0.30 of Jaccard (shuffled-audio control)' },
  ]);
}
