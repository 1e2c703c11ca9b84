/**
 * A toy experiment whose parts depend on another part (test/unit/harness/part-waves.test.ts): `base` draws a value
 * once per seed, and each `use-<i>` part reads it from base's result, as every fold of a cross-validation starts
 * from its seed's one pre-training. Worker processes import it by path, hence a module of its own.
 */
import { z } from 'zod';
import type { PartResult, PartResults, RunEffects } from '../../src/lib/harness/experiment.ts';
import { defineExperiment } from '../../src/lib/harness/experiment.ts';
import { dependencyResult } from '../../src/lib/harness/parts.ts';
import { Random } from '../../src/lib/random.ts';

const config = z
  .object({
    seed: z.number().int().default(1),
    uses: z.number().int().positive().default(3), // parts that start from `base`
  })
  .strict();

type Config = z.output<typeof config>;

// Declared before `base` on purpose: the runner must order them, not the list.
const partsOf = (config: Config) => [...Array.from({ length: config.uses }, (_, i) => `use-${i}`), 'base'];

export const toyBaseLog = 'toy-dependent: computing base';

export const toyDependent = defineExperiment({
  id: 'toy-dependent',
  title: 'Toy experiment with a part the others start from',
  module: import.meta.url,
  config,
  profiles: { smoke: { seeds: [1, 2] } },
  thresholds: {},
  baseline: {},
  ciProfile: null,
  async data() {
    return { dataset: { id: 'toy', description: 'no data', hash: '0' }, data: null };
  },
  parts: partsOf,
  dependsOn: (_config: Config, part: string) => (part === 'base' ? [] : ['base']),
  async runPart(config: Config, _data: null, part: string, effects: RunEffects): Promise<PartResult> {
    if (part === 'base') {
      effects.log(toyBaseLog);
      return { value: new Random(config.seed).next() };
    }
    const base = (await dependencyResult(effects, 'base')) as { value: number };
    return { value: base.value + Number(part.slice('use-'.length)) };
  },
  assemble(config: Config, _data: null, results: PartResults<string, PartResult>) {
    return { metrics: Object.fromEntries(partsOf(config).map((part) => [part, results.of(part).value as number])) };
  },
});
