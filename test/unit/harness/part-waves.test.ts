/**
 * Parts that start from another part (issue 18.4: one pre-training per seed and decoder serves every fold): the
 * runner runs them in waves, the shared part once per seed on one worker or several, and a part whose dependency
 * has not finished fails naming it.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineExperiment } from '../../../src/lib/harness/experiment.ts';
import { dependencyResult, partWaves } from '../../../src/lib/harness/parts.ts';
import { runExperiment } from '../../../src/lib/harness/runner.ts';
import { quietEffects, removeTempRoots, tempRoot } from '../../support/harness.ts';
import { toyBaseLog, toyDependent } from '../../support/toy-dependent.ts';

afterAll(removeTempRoots);

function withDependencies(dependencies: Record<string, string[]>) {
  return defineExperiment({
    ...toyDependent,
    parts: () => Object.keys(dependencies),
    dependsOn: (_config: unknown, part: string) => dependencies[part],
  });
}

describe('partWaves', () => {
  it('puts every part after the parts it depends on, keeping declaration order within a wave', () => {
    expect(partWaves(toyDependent, { seed: 1, uses: 3 })).toEqual([['base'], ['use-0', 'use-1', 'use-2']]);
    expect(partWaves(withDependencies({ c: ['b'], a: [], b: ['a'], d: [] }), { seed: 1, uses: 1 })).toEqual([['a', 'd'], ['b'], ['c']]);
  });

  it('is one wave when no part depends on another', () => {
    const { dependsOn: _none, ...independent } = toyDependent;
    expect(partWaves(independent, { seed: 1, uses: 2 })).toEqual([['use-0', 'use-1', 'base']]);
  });

  it('rejects a dependency on an unknown part and a cycle, naming them', () => {
    expect(() => partWaves(withDependencies({ a: ['z'] }), { seed: 1, uses: 1 })).toThrow(/part 'a' depends on 'z', which is not one of its parts/);
    expect(() => partWaves(withDependencies({ a: ['b'], b: ['a'], c: [] }), { seed: 1, uses: 1 })).toThrow(/in a cycle: a, b/);
  });
});

describe('dependent parts through the runner', () => {
  it.each([1, 2])(
    'runs the shared part once per seed and every dependent part from its result (%i worker(s))',
    async (workers) => {
      const root = await tempRoot('part-waves');
      const quiet = quietEffects();
      // Two dependent parts a seed: with two workers that is 2 + 4 worker processes, each loading the backend.
      const toy = { ...toyDependent, profiles: { smoke: { seeds: [1, 2], uses: 2 } } };
      const outcome = await runExperiment(toy, { root, profile: 'smoke', mode: 'check', ci: false, workers, effects: quiet.effects });
      expect(quiet.lines.filter((line) => line.includes(toyBaseLog))).toHaveLength(2);
      for (const entry of outcome.snapshot.seeds!.perSeed) {
        const { base, ...uses } = entry.metrics;
        expect(base).toBeGreaterThan(0);
        expect(uses).toEqual({ 'use-0': base, 'use-1': base + 1 });
      }
      expect(outcome.snapshot.seeds!.perSeed[0].metrics.base).not.toBe(outcome.snapshot.seeds!.perSeed[1].metrics.base);
      // A second run (in this process) finds every part finished: base is not computed again.
      const again = quietEffects();
      await runExperiment(toy, { root, profile: 'smoke', mode: 'check', ci: false, workers: 1, effects: again.effects });
      expect(again.lines.filter((line) => line.includes(toyBaseLog))).toEqual([]);
      expect(again.lines.filter((line) => line.includes('finished earlier with the same inputs'))).toHaveLength(6);
    },
    180_000,
  );

  it('fails a part whose dependency has not finished, naming both', async () => {
    const folder = join(await tempRoot('part-waves-missing'), 'seed-1', 'use-0');
    await mkdir(folder, { recursive: true });
    await expect(dependencyResult({ checkpointDir: folder }, 'base')).rejects.toThrow(
      /part 'use-0' starts from part 'base', which has not finished \(no .*seed-1\/base\/result\.json\)/,
    );
  });
});
