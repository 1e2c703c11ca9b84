import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineExperiment } from '../../../src/lib/harness/experiment.ts';
import { compareToBaseline, formatBaselineTable } from '../../../src/lib/harness/gates.ts';
import { runExperiment } from '../../../src/lib/harness/runner.ts';
import { parseSnapshot } from '../../../src/lib/harness/snapshot.ts';
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
    expect(again.report).toMatch(/accuracy\s+0\.97\s+0\.9\s+-0\.07\s+>= ±0\.02\s+regressed/);
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
      'metric    baseline  now   change  tolerance  verdict',
      '--------  --------  ----  ------  ---------  ---------',
      'accuracy  0.9       0.85  -0.05   >= ±0.02   regressed',
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

  it('refuses to update under CI', async () => {
    const dirs = await scratchProject();
    await expect(runExperiment(toy, { ...dirs, mode: 'update', ci: true, effects: quiet })).rejects.toThrow(/never rewritten in CI/);
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
