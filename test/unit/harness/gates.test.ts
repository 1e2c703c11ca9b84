import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineExperiment } from '../../../src/lib/harness/experiment.ts';
import { compareToBaseline, formatBaselineTable } from '../../../src/lib/harness/gates.ts';
import { runExperiment } from '../../../src/lib/harness/runner.ts';
import { partsHashOf } from '../../../src/lib/harness/calibration.ts';
import { calibrationPath, parseSnapshot, writeCalibration } from '../../../src/lib/harness/snapshot.ts';
import type { Calibration } from '../../../src/lib/snapshot-schema.ts';
import { calibrationSchemaVersion } from '../../../src/lib/snapshot-schema.ts';
import { summarize } from '../../../src/lib/stats/summary.ts';
import { toySnapshot } from '../../support/snapshots.ts';

const quiet = { log: () => {}, progress: () => ({ tick: () => {}, done: () => {} }) };

/** A tiny deterministic experiment: its metric is a function of the config alone. */
const toy = defineExperiment({
  id: 'toy',
  title: 'toy',
  module: import.meta.url,
  config: z.object({ seed: z.number().int().default(1), accuracy: z.number().default(0.9) }).strict(),
  profiles: { smoke: {}, worse: { accuracy: 0.8 }, better: { accuracy: 0.95 } },
  thresholds: { smoke: [{ metric: 'accuracy', op: '>=', value: 0.85, why: 'test' }] },
  baseline: { accuracy: { direction: 'higher', tolerance: 0.02 } },
  async data() {
    return { dataset: { id: 'none', description: 'nothing', hash: '0' }, data: undefined };
  },
  async run(config) {
    return { metrics: { accuracy: config.accuracy } };
  },
});

async function scratchProject() {
  const root = await mkdtemp(join(tmpdir(), 'hw2-gates-'));
  return { root, snapshotsDir: join(root, 'snapshots'), scratchDir: join(root, 'scratch') };
}

describe('baseline gate', () => {
  it('fails with a diff table when a committed baseline value is edited by hand', async () => {
    const dirs = await scratchProject();
    const first = await runExperiment(toy, { ...dirs, profile: 'smoke', mode: 'update', ci: false, effects: quiet });
    expect(first.writtenTo).toBe(join(dirs.snapshotsDir, 'toy', 'smoke.json'));

    // Someone raises the committed accuracy by hand: the same code now "regresses" against it.
    const path = first.writtenTo!;
    const committed = JSON.parse(await readFile(path, 'utf8'));
    committed.metrics.accuracy = 0.97;
    const edited = JSON.stringify(committed, null, 2);
    await writeFile(path, edited);

    const again = await runExperiment(toy, { ...dirs, profile: 'smoke', mode: 'check', ci: true, effects: quiet });
    expect(again.baselinePassed).toBe(false);
    expect(again.comparison[0]).toMatchObject({ metric: 'accuracy', baseline: 0.97, now: 0.9, verdict: 'regressed' });
    expect(again.report).toMatch(/accuracy\s+0\.97\s+0\.9\s+-0\.07\s+>= ±0\.02\s+declared\s+regressed/);
    expect(() => expect(again).toMatchBaseline()).toThrow(/regressed/);
    // CI never rewrites the baseline: the hand-edited file is untouched.
    expect(await readFile(path, 'utf8')).toBe(edited);
  });

  it('never fails on an improvement, and fails on a drop beyond the tolerance', () => {
    const base = snapshotWith({ accuracy: 0.9, loss: 1 });
    const tolerances = { accuracy: { direction: 'higher', tolerance: 0.02 }, loss: { direction: 'lower', tolerance: 0.1 } } as const;
    const verdicts = (metrics: Record<string, number>) => compareToBaseline(base, snapshotWith(metrics), tolerances).map((r) => r.verdict);
    expect(verdicts({ accuracy: 0.99, loss: 0.5 })).toEqual(['improved', 'improved']);
    expect(verdicts({ accuracy: 0.885, loss: 1.05 })).toEqual(['ok', 'ok']);
    expect(verdicts({ accuracy: 0.87, loss: 1.2 })).toEqual(['regressed', 'regressed']);
    expect(verdicts({ loss: 1 })).toEqual(['missing', 'ok']);
    expect(compareToBaseline(undefined, base, tolerances).map((r) => r.verdict)).toEqual(['no baseline', 'no baseline']);
  });

  it('prints a dvc-style table', () => {
    const rows = compareToBaseline(snapshotWith({ accuracy: 0.9 }), snapshotWith({ accuracy: 0.85 }), { accuracy: { direction: 'higher', tolerance: 0.02 } });
    expect(formatBaselineTable(rows).split('\n')).toEqual([
      'metric    baseline  now   change  tolerance  band      verdict',
      '--------  --------  ----  ------  ---------  --------  ---------',
      'accuracy  0.9       0.85  -0.05   >= ±0.02   declared  regressed',
    ]);
  });
});

describe('modes', () => {
  it('check mode writes to the scratch folder only; update mode skips unchanged inputs', async () => {
    const dirs = await scratchProject();
    const checked = await runExperiment(toy, { ...dirs, profile: 'smoke', mode: 'check', ci: false, effects: quiet });
    expect(checked.writtenTo).toBe(join(dirs.scratchDir, 'toy', 'smoke.json'));
    expect(checked.baselinePassed).toBe(false); // no baseline committed yet

    await runExperiment(toy, { ...dirs, profile: 'smoke', mode: 'update', ci: false, effects: quiet });
    const skipped = await runExperiment(toy, { ...dirs, profile: 'smoke', mode: 'update', ci: false, effects: quiet });
    expect(skipped.skipped).toBe(true);
    expect(skipped.writtenTo).toBeUndefined();
    const forced = await runExperiment(toy, { ...dirs, profile: 'smoke', mode: 'update', force: true, ci: false, effects: quiet });
    expect(forced.skipped).toBe(false);
  });

  it('takes force from HW2_FORCE unless the option says otherwise', async () => {
    const dirs = await scratchProject();
    await runExperiment(toy, { ...dirs, profile: 'smoke', mode: 'update', ci: false, effects: quiet });
    vi.stubEnv('HW2_FORCE', '1');
    try {
      expect((await runExperiment(toy, { ...dirs, profile: 'smoke', mode: 'update', ci: false, effects: quiet })).skipped).toBe(false);
      expect((await runExperiment(toy, { ...dirs, profile: 'smoke', mode: 'update', ci: false, force: false, effects: quiet })).skipped).toBe(true);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('refuses to update under CI, saying what to change', async () => {
    const dirs = await scratchProject();
    await expect(runExperiment(toy, { ...dirs, mode: 'update', ci: true, effects: quiet })).rejects.toThrow(
      /never rewritten in CI \(run without --update and HW2_UPDATE\)$/,
    );
  });

  it('keeps the baseline when an update fails its thresholds', async () => {
    const dirs = await scratchProject();
    await runExperiment(toy, { ...dirs, profile: 'smoke', mode: 'update', ci: false, effects: quiet });
    const low = defineExperiment({ ...toy, profiles: { smoke: { accuracy: 0.5 } } });
    const outcome = await runExperiment(low, { ...dirs, profile: 'smoke', mode: 'update', ci: false, effects: quiet });
    expect(outcome.thresholdsPassed).toBe(false);
    expect(outcome.writtenTo).toBe(join(dirs.scratchDir, 'toy', 'smoke.json'));
    const committed = parseSnapshot(await readFile(join(dirs.snapshotsDir, 'toy', 'smoke.json'), 'utf8'), 'committed');
    expect(committed.metrics.accuracy).toBe(0.9);
  });

  it('writes nothing when the run fails', async () => {
    const dirs = await scratchProject();
    const broken = defineExperiment({
      ...toy,
      async data() {
        throw new Error('data/broken.idx.gz: wrong magic number');
      },
    });
    await expect(runExperiment(broken, { ...dirs, profile: 'smoke', mode: 'update', ci: false, effects: quiet })).rejects.toThrow(/wrong magic/);
    await mkdir(dirs.snapshotsDir, { recursive: true });
    await expect(readFile(join(dirs.snapshotsDir, 'toy', 'smoke.json'))).rejects.toThrow(/ENOENT/);
  });

  it('rejects unknown config keys and unknown profiles', async () => {
    const dirs = await scratchProject();
    const typo = defineExperiment({ ...toy, profiles: { smoke: { acuracy: 0.9 } as never } });
    await expect(runExperiment(typo, { ...dirs, profile: 'smoke', effects: quiet })).rejects.toThrow(/Unrecognized key.*acuracy/);
    await expect(runExperiment(toy, { ...dirs, profile: 'nope', effects: quiet })).rejects.toThrow(/no profile 'nope'/);
  });
});

function snapshotWith(metrics: Record<string, number>) {
  return toySnapshot({ metrics });
}

describe('calibrated baseline gate', () => {
  // Measured spread over seeds 1-5: sd 0.01 for accuracy (3 sd = 0.03, wider than the declared 0.02); sd 0.001 for
  // loss (3 sd = 0.003, narrower than the declared 0.1, which stays).
  const measuredUnder = 'c'.repeat(64);
  const measured = (values: number[]) => ({ ...summarize(values), values });
  const calibration: Calibration = {
    schemaVersion: calibrationSchemaVersion,
    experiment: 'toy',
    profile: 'smoke',
    seeds: [1, 2, 3, 4, 5],
    date: '2026-11-28T10:00:00.000Z',
    commit: 'abc',
    backend: 'cpu + fast kernels',
    partsHash: measuredUnder,
    sdMultiple: 3,
    metrics: { accuracy: measured([0.89, 0.89, 0.9, 0.91, 0.91]), loss: measured([0.999, 0.999, 1, 1.001, 1.001]) },
  };
  const current = { calibration, partsHash: measuredUnder };
  const tolerances = { accuracy: { direction: 'higher', tolerance: 0.02 }, loss: { direction: 'lower', tolerance: 0.1 } } as const;
  const base = snapshotWith({ accuracy: 0.9, loss: 1 });

  it('uses max(3 sd, declared) as the tolerance and says how the band was measured', () => {
    const rows = compareToBaseline(base, snapshotWith({ accuracy: 0.9, loss: 1 }), tolerances, current);
    expect(rows[0].tolerance).toEqual({ direction: 'higher', tolerance: expect.closeTo(0.03, 12) });
    expect(rows[0].band).toEqual({ sd: expect.closeTo(0.01, 12), n: 5, sdMultiple: 3, date: '2026-11-28T10:00:00.000Z' });
    expect(rows[1].tolerance).toEqual({ direction: 'lower', tolerance: 0.1 });
    // Without a calibration the declared tolerances hold.
    expect(compareToBaseline(base, base, tolerances).map((row) => [row.tolerance.tolerance, row.band])).toEqual([
      [0.02, undefined],
      [0.1, undefined],
    ]);
  });

  it('passes a value 2 sd below the baseline, and 2.5 sd, which the declared tolerance alone fails', () => {
    const twoSd = compareToBaseline(base, snapshotWith({ accuracy: 0.9 - 2 * 0.01, loss: 1 }), tolerances, current);
    expect(twoSd[0].verdict).toBe('ok');
    const twoAndAHalfSd = snapshotWith({ accuracy: 0.9 - 2.5 * 0.01, loss: 1 });
    expect(compareToBaseline(base, twoAndAHalfSd, tolerances)[0].verdict).toBe('regressed');
    expect(compareToBaseline(base, twoAndAHalfSd, tolerances, current)[0].verdict).toBe('ok');
  });

  it('uses the declared tolerance, and says so, when the calibration was measured under other inputs', () => {
    const twoAndAHalfSd = snapshotWith({ accuracy: 0.9 - 2.5 * 0.01, loss: 1 });
    const rows = compareToBaseline(base, twoAndAHalfSd, tolerances, { calibration, partsHash: 'd'.repeat(64) });
    expect(rows.map((row) => [row.tolerance.tolerance, row.band, row.staleCalibration, row.verdict])).toEqual([
      [0.02, undefined, { partsHash: measuredUnder }, 'regressed'],
      [0.1, undefined, { partsHash: measuredUnder }, 'ok'],
    ]);
    expect(formatBaselineTable(rows).split('\n')[2]).toBe(
      'accuracy  0.9       0.875  -0.025  >= ±0.02   declared: calibration stale (measured under cccccccccccccccc)  regressed',
    );
  });

  it('fails a drop of 4 sd, and the table shows the band', () => {
    const rows = compareToBaseline(base, snapshotWith({ accuracy: 0.9 - 4 * 0.01, loss: 1 }), tolerances, current);
    expect(rows.map((row) => row.verdict)).toEqual(['regressed', 'ok']);
    expect(formatBaselineTable(rows).split('\n')).toEqual([
      'metric    baseline  now   change  tolerance  band                                                      verdict',
      '--------  --------  ----  ------  ---------  --------------------------------------------------------  ---------',
      'accuracy  0.9       0.86  -0.04   >= ±0.03   3 sd = 3 x 0.01 (n 5, 2026-11-28)                         regressed',
      'loss      1         1     0       <= ±0.1    declared (wider than 3 sd = 3 x 0.001 (n 5, 2026-11-28))  ok',
    ]);
  });

  it('is read from snapshots/<id>/calibration/<profile>.json by a run: a reseed passes, a 4 sd drop fails; under other inputs it is stale', async () => {
    const dirs = await scratchProject();
    // accuracy by seed: seed 1 0.9 (the baseline), seed 2 0.885 (a reseed, 1.5 sd below), seed 3 0.86 (4 sd below).
    const seeded = defineExperiment({
      ...toy,
      profiles: { smoke: { seeds: [1, 2, 3] } },
      thresholds: {},
      baseline: { accuracy: { direction: 'higher', tolerance: 0.005 } },
      async run(config) {
        return { metrics: { accuracy: ({ 1: 0.9, 2: 0.885, 3: 0.86 } as Record<number, number>)[config.seed] } };
      },
    });
    const run = (seeds: number[], mode: 'check' | 'update') =>
      runExperiment(seeded, { ...dirs, profile: 'smoke', mode, seeds, ci: false, workers: 1, effects: quiet });
    const first = await run([1], 'update');
    expect((await run([2], 'check')).baselinePassed).toBe(false); // the declared 0.005 alone: a reseed fails
    // Measured under these inputs: seeds aside, the runs' parts hash is the one the first run's provenance gives.
    const path = calibrationPath(dirs.snapshotsDir, 'toy', 'smoke');
    await writeCalibration(path, { ...calibration, partsHash: partsHashOf(first.snapshot), metrics: { accuracy: calibration.metrics.accuracy } });
    const reseeded = await run([2], 'check');
    expect(reseeded.baselinePassed).toBe(true);
    expect(reseeded.comparison[0]).toMatchObject({ now: 0.885, verdict: 'ok', tolerance: { tolerance: expect.closeTo(0.03, 12) } });
    expect(reseeded.comparison[0].staleCalibration).toBeUndefined();
    const dropped = await run([3], 'check');
    expect(dropped.baselinePassed).toBe(false);
    expect(dropped.report).toMatch(/accuracy\s+0\.9\s+0\.86\s+-0\.04\s+>= ±0\.03\s+3 sd = 3 x 0\.01 \(n 5, 2026-11-28\)\s+regressed/);
    expect(() => expect(dropped).toMatchBaseline()).toThrow(/3 sd = 3 x 0\.01 \(n 5, 2026-11-28\)/);

    // The same spread, measured under other inputs: the reseed meets the declared 0.005 again, and the table says why.
    await writeCalibration(path, { ...calibration, metrics: { accuracy: calibration.metrics.accuracy } });
    const stale = await run([2], 'check');
    expect(stale.baselinePassed).toBe(false);
    expect(stale.comparison[0]).toMatchObject({ verdict: 'regressed', tolerance: { tolerance: 0.005 }, staleCalibration: { partsHash: measuredUnder } });
    expect(stale.report).toMatch(/>= ±0\.005\s+declared: calibration stale \(measured under cccccccccccccccc\)\s+regressed/);
  });
});
