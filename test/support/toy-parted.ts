/**
 * A parted toy experiment for the harness tests (test/unit/harness/workers.test.ts and friends): two parts per
 * seed, each a few numbers drawn with the project's generator and reduced by a tfjs op, so a worker process loads
 * the backend as a real run does. Worker processes import it by path (src/lib/harness/worker.ts), hence a module
 * of its own. Runs in milliseconds; nothing trains.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { PartResult, PartResults, RunEffects } from '../../src/lib/harness/experiment.ts';
import { defineExperiment } from '../../src/lib/harness/experiment.ts';
import { Random } from '../../src/lib/random.ts';
import type { Row } from '../../src/lib/snapshot-schema.ts';

const config = z
  .object({
    seed: z.number().int().default(1),
    draws: z.number().int().positive().default(8), // values each part draws
    failPart: z.string().optional(), // a part that throws on purpose ...
    failSeed: z.number().int().optional(), // ... at this seed
    partMs: z.number().int().nonnegative().optional(), // how long each part takes (ms), so runs overlap in the lease tests
    gated: z.boolean().optional(), // each part waits for the file `gateFile` in the profile's checkpoint folder (see gatePath)
  })
  .strict();

type Config = z.output<typeof config>;

/** A part's result: the mean square of its draws (float32, through tfjs) and its first draws as a curve. */
interface ToyPart extends PartResult {
  meanSquare: number;
  draws: number[];
}

export const toyPartsLog = 'toy-parted: computing';

const spreads = { narrow: 1, wide: 3 } as const;
const toyParts = ['narrow', 'wide'] as const;
type ToyPartName = (typeof toyParts)[number];

/**
 * The gate of `toyOverlap`'s `gated` profile: `<checkpoints>/toy-overlap/gated/open`, three folders above a part's folder
 * (`<parts hash>/seed-<s>/<part>`). A test holds the runs' parts mid-way, whichever processes run them, until it
 * writes this file.
 */
export function gatePath(partFolder: string): string {
  return join(partFolder, '..', '..', '..', 'open');
}

export const toyParted = defineExperiment({
  id: 'toy-parted',
  title: 'Toy parted experiment',
  module: import.meta.url,
  config,
  profiles: {
    smoke: { seeds: [1, 2] },
    broken: { seeds: [1, 2], failPart: 'wide', failSeed: 2 },
  },
  thresholds: { smoke: [{ metric: 'seed', op: '>=', value: 1, why: 'toy' }] },
  baseline: { 'wide-meanSquare': { direction: 'higher', tolerance: 0.5 } },
  async data() {
    return { dataset: { id: 'toy', description: 'no data', hash: '0' }, data: { offset: 0.25 } };
  },
  parts: () => toyParts,
  async runPart(config: Config, data: { offset: number }, part: ToyPartName, effects: RunEffects): Promise<ToyPart> {
    if (part === config.failPart && config.seed === config.failSeed) throw new Error(`toy-parted: part '${part}' fails on purpose`);
    effects.log(`${toyPartsLog} ${part}`);
    if (config.partMs) await sleep(config.partMs);
    while (config.gated && !existsSync(gatePath(effects.checkpointDir))) await sleep(20);
    const spread = spreads[part];
    const random = new Random(config.seed * 100 + spread);
    const draws = Array.from({ length: config.draws }, () => data.offset + spread * random.normal());
    const meanSquare = tf.tidy(() => tf.tensor1d(draws).square().mean().dataSync()[0]);
    const artifacts = [];
    if (part === 'wide') {
      // A published file, as trained weights are: float32 bytes of the draws.
      const path = join(effects.checkpointDir, 'draws.bin');
      await writeFile(path, new Uint8Array(Float32Array.from(draws).buffer));
      artifacts.push({ name: 'draws', path, description: { seed: config.seed, part } });
    }
    return { meanSquare, draws, artifacts };
  },
  assemble(config: Config, _data: unknown, results: PartResults<ToyPartName, ToyPart>) {
    const parts = toyParts.map((part) => ({ part, result: results.of(part) }));
    return {
      metrics: { seed: config.seed, 'narrow-meanSquare': results.of('narrow').meanSquare, 'wide-meanSquare': results.of('wide').meanSquare },
      curves: { draws: parts.flatMap(({ part, result }) => result.draws.slice(0, 3).map((value, step): Row => ({ part, step, value }))) },
      tables: { parts: parts.map(({ part, result }): Row => ({ part, meanSquare: result.meanSquare })) },
    };
  },
  comparisons: () => [{ id: 'wide-minus-narrow', description: 'wide minus narrow mean square', a: 'wide-meanSquare', b: 'narrow-meanSquare' }],
});

/**
 * The same parts at profiles whose runs overlap (test/unit/harness/checkpoints.test.ts): at `slow` each part takes
 * 400 ms, at `gated` each waits for its gate (`gatePath`). No metric is gated against a baseline, so a run that
 * finishes succeeds without a committed snapshot.
 */
export const toyOverlap = defineExperiment({
  ...toyParted,
  id: 'toy-overlap',
  profiles: { slow: { seeds: [1, 2], partMs: 400 }, gated: { seeds: [1], gated: true } },
  thresholds: {},
  baseline: {},
});
