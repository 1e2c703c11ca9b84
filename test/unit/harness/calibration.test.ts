/**
 * Calibration files are not taken on trust (issue 19.4): a damaged file names itself, a summary its per-seed values
 * do not give is refused naming the metric, and a calibration measured under other inputs is reported stale while
 * the declared tolerance applies.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { measureCalibration } from '../../../src/lib/harness/calibration.ts';
import { defineExperiment } from '../../../src/lib/harness/experiment.ts';
import { runExperiment } from '../../../src/lib/harness/runner.ts';
import { calibrationPath, readCalibration, writeCalibration } from '../../../src/lib/harness/snapshot.ts';
import type { Calibration } from '../../../src/lib/snapshot-schema.ts';
import { summarize } from '../../../src/lib/stats/summary.ts';
import { quietEffects, removeTempRoots, tempRoot } from '../../support/harness.ts';

afterAll(removeTempRoots);

// Accuracy by seed, spread like a CI profile's (sd 0.0095); the parameter count is the same for every seed (sd 0).
const accuracyBySeed: Record<number, number> = { 1: 0.7633333333, 2: 0.75, 3: 0.7733333333, 4: 0.7566666667, 5: 0.77 };

const toy = (label = 'a') =>
  defineExperiment({
    id: 'toy-calibrated',
    title: 'toy with a seed spread',
    module: import.meta.url,
    config: z.object({ seed: z.number().int().default(1), label: z.string().default(label) }).strict(),
    profiles: { smoke: { seeds: [1, 2, 3, 4, 5] } },
    thresholds: {},
    baseline: { accuracy: { direction: 'higher', tolerance: 0.005 }, params: { direction: 'equal', tolerance: 0 } },
    async data() {
      return { dataset: { id: 'none', description: 'nothing', hash: '0' }, data: undefined };
    },
    async run(config) {
      return { metrics: { accuracy: accuracyBySeed[config.seed], params: 225618 } };
    },
  });

let root: string;
let path: string;
let calibration: Calibration;

const run = (seeds: number[], mode: 'check' | 'update', label = 'a') =>
  runExperiment(toy(label), { root, profile: 'smoke', mode, seeds, ci: false, allowDirty: false, workers: 1, effects: quietEffects().effects });

beforeAll(async () => {
  root = await tempRoot('calibration');
  // As `npm run experiments:calibrate` does: every seed of the profile, then the gated metrics' values by seed.
  const measured = await run([1, 2, 3, 4, 5], 'check');
  calibration = measureCalibration(measured.snapshot, ['accuracy', 'params'], { commit: 'abc', date: '2026-12-01T10:00:00.000Z' });
  path = calibrationPath(join(root, 'snapshots'), 'toy-calibrated', 'smoke');
  await writeCalibration(path, calibration);
});

/** The parts of a calibration file the edits below touch, as JSON. */
interface CalibrationJson {
  schemaVersion?: number;
  partsHash?: string;
  sdMultiple: number;
  metrics: Record<string, { sd: number; low: number; high: number; values?: number[] }>;
}

/** The committed file with `edit` applied, written back as a hand edit would. */
async function tamper(edit: (json: CalibrationJson) => void): Promise<void> {
  const json = JSON.parse(await readFile(path, 'utf8')) as CalibrationJson;
  edit(json);
  await writeFile(path, JSON.stringify(json, null, 2));
}

describe('calibration files', () => {
  it('keep each seed value the summary is computed from, and read back as written', async () => {
    const values = [1, 2, 3, 4, 5].map((seed) => accuracyBySeed[seed]);
    expect(calibration.metrics.accuracy).toEqual({ ...summarize(values), values });
    expect(calibration.metrics.params).toMatchObject({ values: [225618, 225618, 225618, 225618, 225618], sd: 0 });
    expect(calibration.partsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await readCalibration(path)).toEqual(JSON.parse(await readFile(path, 'utf8')));
  });

  it('a truncated file is an error naming the file', async () => {
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.slice(0, Math.floor(text.length / 2)));
    await expect(readCalibration(path)).rejects.toThrow(`${path}: not valid JSON (`);
    await writeFile(path, text);
  });

  it('an sd edited by hand is refused, naming the file and the metric', async () => {
    await tamper((json) => {
      json.metrics.accuracy.sd = 0.887;
    });
    await expect(readCalibration(path)).rejects.toThrow(
      `${path}: does not match the calibration schema: metrics.accuracy.sd: 0.887 is not the sd of its values (${calibration.metrics.accuracy.sd})`,
    );
    // A run reading it fails the same way, instead of widening its gate.
    await expect(run([1], 'check')).rejects.toThrow(`${path}: does not match the calibration schema: metrics.accuracy.sd`);
    await writeCalibration(path, calibration);
  });

  it("a parameter count's sd edited from 0 to 9000 is refused", async () => {
    await tamper((json) => {
      json.metrics.params.sd = 9000;
    });
    await expect(readCalibration(path)).rejects.toThrow(
      `${path}: does not match the calibration schema: metrics.params.sd: 9000 is not the sd of its values (0)`,
    );
    await writeCalibration(path, calibration);
  });

  it('a widened sd multiple, a value too few or an interval edited to match the sd are refused', async () => {
    await tamper((json) => {
      json.sdMultiple = 300;
    });
    await expect(readCalibration(path)).rejects.toThrow(/: does not match the calibration schema: sdMultiple: Invalid literal value, expected 3/);
    await tamper((json) => {
      json.sdMultiple = 3;
      json.metrics.accuracy.values?.pop();
    });
    await expect(readCalibration(path)).rejects.toThrow('metrics.accuracy.values: 4 values for 5 seeds');
    await writeCalibration(path, calibration);
    await tamper((json) => {
      json.metrics.accuracy.low = 0.5;
      json.metrics.accuracy.high = 1;
    });
    await expect(readCalibration(path)).rejects.toThrow(
      /metrics\.accuracy\.low: 0\.5 is not the low of its values .*; metrics\.accuracy\.high: 1 is not the high/,
    );
    await writeCalibration(path, calibration);
  });

  it('a file from before per-seed values were kept says to measure it again', async () => {
    await tamper((json) => {
      delete json.schemaVersion;
      delete json.partsHash;
      for (const metric of Object.values(json.metrics)) delete metric.values;
    });
    await expect(readCalibration(path)).rejects.toThrow(
      `${path}: a calibration from before per-seed values were kept (its sds cannot be checked): measure it again with \`npm run experiments:calibrate -- toy-calibrated\``,
    );
    await writeCalibration(path, calibration);
  });
});

describe('a calibration tied to the inputs it was measured under', () => {
  it('widens the gate of a run under the same inputs, whatever its seeds', async () => {
    await run([1], 'update');
    // Seed 2 is 1.4 sd (0.0133) below seed 1: beyond the declared 0.005, within 3 measured sds.
    const reseeded = await run([2], 'check');
    expect(reseeded.comparison[0]).toMatchObject({ metric: 'accuracy', verdict: 'ok', band: { n: 5, sdMultiple: 3 } });
    expect(reseeded.comparison[0].tolerance.tolerance).toBeCloseTo(3 * calibration.metrics.accuracy.sd!, 12);
    expect(reseeded.report).toMatch(/accuracy .* 3 sd = 3 x 0\.00954521 \(n 5, 2026-12-01\)\s+ok/);
  });

  it('is reported stale under other inputs, and the declared tolerance applies', async () => {
    // A config default changed, as an edit of the experiment would: the same numbers, but other inputs, whose
    // spread the calibration did not measure.
    const changed = await run([2], 'check', 'b');
    expect(changed.comparison[0]).toMatchObject({
      metric: 'accuracy',
      verdict: 'regressed',
      tolerance: { tolerance: 0.005 },
      staleCalibration: { partsHash: calibration.partsHash },
    });
    expect(changed.comparison[0].band).toBeUndefined();
    expect(changed.baselinePassed).toBe(false);
    expect(changed.report).toContain(`declared: calibration stale (measured under ${calibration.partsHash.slice(0, 16)})`);
  });
});
