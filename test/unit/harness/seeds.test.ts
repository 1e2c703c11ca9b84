/** The snapshot's `seeds` section (issue 12.1, 12.5): every seed's numbers, their spread, and paired comparisons. */
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../src/lib/harness/experiment.ts';
import { runExperiment, summarizeSeeds } from '../../../src/lib/harness/runner.ts';
import { parseSnapshot } from '../../../src/lib/harness/snapshot.ts';
import { quietEffects, removeTempRoots, tempRoot } from '../../support/harness.ts';
import { toyParted } from '../../support/toy-parted.ts';

afterAll(removeTempRoots);

describe('seeds summary', () => {
  it('aggregates three seeds and pairs a comparison seed by seed (numbers by hand)', () => {
    const results = new Map<number, RunResult>([
      [1, { metrics: { pooled: 0.8, strided: 0.78 }, curves: { loss: [{ epoch: 1, loss: 1 }] } }],
      [2, { metrics: { pooled: 0.84, strided: 0.8 } }],
      [3, { metrics: { pooled: 0.82, strided: 0.81, onlyHere: 5 } }],
    ]);
    const comparisons = [
      { id: 'pooled-minus-strided', description: 'pooled - strided', a: 'pooled', b: 'strided' },
      { id: 'never-paired', description: 'no seed has both', a: 'pooled', b: 'absent' },
    ];
    const seeds = summarizeSeeds([1, 2, 3], results, comparisons);
    expect(seeds.list).toEqual([1, 2, 3]);
    expect(seeds.shown).toBe(1);
    expect(seeds.perSeed).toEqual([
      { seed: 1, metrics: { pooled: 0.8, strided: 0.78 }, curves: { loss: [{ epoch: 1, loss: 1 }] } },
      { seed: 2, metrics: { pooled: 0.84, strided: 0.8 }, curves: {} },
      { seed: 3, metrics: { pooled: 0.82, strided: 0.81, onlyHere: 5 }, curves: {} },
    ]);
    expect(Object.keys(seeds.aggregates)).toEqual(['onlyHere', 'pooled', 'strided']);
    // pooled: mean 0.82, sd 0.02, half width t(0.975, 2) x 0.02 / sqrt(3) = 4.303 x 0.0115470 = 0.0496868
    const pooled = seeds.aggregates.pooled;
    expect(pooled).toMatchObject({ n: 3, min: 0.8, max: 0.84 });
    expect(pooled.mean).toBeCloseTo(0.82, 12);
    expect(pooled.sd).toBeCloseTo(0.02, 12);
    expect(pooled.low).toBeCloseTo(0.7703132, 7);
    expect(pooled.high).toBeCloseTo(0.8696868, 7);
    // A metric only one seed reports: its own n, no interval.
    expect(seeds.aggregates.onlyHere).toEqual({ n: 1, mean: 5, sd: null, min: 5, max: 5, low: null, high: null });
    // Differences 0.02, 0.04, 0.01: mean 0.0233333, sd 0.0152753, interval 0.0233333 ± 0.0379489.
    expect(seeds.comparisons).toHaveLength(1);
    const [difference] = seeds.comparisons;
    expect(difference).toMatchObject({ id: 'pooled-minus-strided', a: 'pooled', b: 'strided', n: 3 });
    expect(difference.perSeed.map((value) => Number(value.toFixed(12)))).toEqual([0.02, 0.04, 0.01]);
    expect(difference.mean).toBeCloseTo(0.0233333, 7);
    expect(difference.sd).toBeCloseTo(0.0152753, 7);
    expect(difference.low).toBeCloseTo(-0.0146156, 7);
    expect(difference.high).toBeCloseTo(0.0612822, 7);
  });

  it("is written into a run's snapshot: per-seed metrics and curves, aggregates, the declared comparison", async () => {
    const root = await tempRoot('seeds');
    const outcome = await runExperiment(toyParted, { root, profile: 'smoke', mode: 'check', ci: false, workers: 1, effects: quietEffects().effects });
    const snapshot = parseSnapshot(await readFile(outcome.writtenTo!, 'utf8'), outcome.writtenTo!);
    const seeds = snapshot.seeds!;
    expect(snapshot.provenance.seeds).toEqual([1, 2]);
    expect(seeds.list).toEqual([1, 2]);
    expect(seeds.shown).toBe(1);
    // The top-level numbers are the shown seed's.
    expect(seeds.perSeed[0]).toEqual({ seed: 1, metrics: snapshot.metrics, curves: snapshot.curves });
    expect(seeds.perSeed[1].seed).toBe(2);
    expect(seeds.perSeed[1].curves.draws).toHaveLength(6);
    expect(seeds.perSeed[1].curves.draws).not.toEqual(snapshot.curves.draws);
    // The `seed` metric is 1 and 2: mean 1.5, sd sqrt(1/2), half width t(0.975, 1) x sd / sqrt(2) = 12.706 / 2 = 6.353.
    const seed = seeds.aggregates.seed;
    expect(seed).toMatchObject({ n: 2, mean: 1.5, min: 1, max: 2 });
    expect(seed.sd).toBeCloseTo(Math.SQRT1_2, 9);
    expect(seed.low).toBeCloseTo(-4.853, 9);
    expect(seed.high).toBeCloseTo(7.853, 9);
    for (const metric of ['narrow-meanSquare', 'wide-meanSquare']) {
      const values = seeds.perSeed.map((entry) => entry.metrics[metric]);
      expect(seeds.aggregates[metric]).toMatchObject({ n: 2, min: Math.min(...values), max: Math.max(...values) });
      expect(seeds.aggregates[metric].mean).toBeCloseTo((values[0] + values[1]) / 2, 8);
    }
    const [comparison] = seeds.comparisons;
    expect(comparison).toMatchObject({ id: 'wide-minus-narrow', a: 'wide-meanSquare', b: 'narrow-meanSquare', n: 2 });
    const differences = seeds.perSeed.map((entry) => entry.metrics['wide-meanSquare'] - entry.metrics['narrow-meanSquare']);
    comparison.perSeed.forEach((value, i) => expect(value).toBeCloseTo(differences[i], 8));
    expect(comparison.mean).toBeCloseTo((differences[0] + differences[1]) / 2, 8);
    expect(comparison.sd).toBeCloseTo(Math.abs(differences[0] - differences[1]) / Math.SQRT2, 8);
  });
});
