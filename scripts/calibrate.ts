/**
 * `npm run experiments:calibrate`: measures, once, how much each CI profile's gated metrics move from seed to
 * seed. Runs the profile with five seeds from its own first one (1-5 for most, 2023-2027 for q1), so that the
 * config, whose `seed` is the first, is the CI run's and the calibration applies to it (parts on HW2_WORKERS
 * processes). Writes, per experiment, `snapshots/<id>/calibration/<profile>.json`: the seeds, the date, the
 * commit, the parts hash of the inputs it ran under, and per gated metric each seed's value with their n, mean,
 * sd, range and interval. The baseline gate then uses max(3 sd, the declared tolerance) for those metrics while a
 * run's inputs are those the calibration was measured under (src/lib/harness/gates.ts); after a change to them it
 * reports the calibration stale and uses the declared tolerance. Rerun it when a CI profile or anything in its
 * input hash changes.
 *
 *   npx tsx scripts/calibrate.ts [experiment ...]
 *
 * Refused under CI, and an experiment it does not know, with one line and exit 2; a run that fails stops it with one
 * line and exit 1 (the stack only with HW2_DEBUG=1).
 */
import { join } from 'node:path';
import { experiments } from '../experiments/index.ts';
import { measureCalibration } from '../src/lib/harness/calibration.ts';
import { ciProfileOf, resolveProfile } from '../src/lib/harness/experiment.ts';
import { gitState } from '../src/lib/harness/provenance.ts';
import { projectRoot, runExperiment } from '../src/lib/harness/runner.ts';
import { calibrationPath, writeCalibration } from '../src/lib/harness/snapshot.ts';
import { settings } from '../src/lib/settings.ts';
import { runScript, UsageError } from './cli.ts';

/** How many seeds a calibration runs. */
const seedCount = 5;

async function main(): Promise<number> {
  const env = settings();
  if (env.ci) throw new UsageError('experiments:calibrate: CI is set: calibrations are measured and committed, never rewritten in CI');
  const wanted = process.argv.slice(2);
  const calibrated = experiments.filter((definition) => ciProfileOf(definition) !== null).map((definition) => definition.id);
  const unknown = wanted.filter((id) => !calibrated.includes(id));
  if (unknown.length)
    throw new UsageError(`experiments:calibrate: no experiment with a CI profile named ${unknown.join(', ')}; they are: ${calibrated.join(', ')}`);
  const chosen = experiments.filter((definition) => ciProfileOf(definition) !== null && (wanted.length === 0 || wanted.includes(definition.id)));
  for (const definition of chosen) {
    const profile = ciProfileOf(definition)!;
    const first = resolveProfile(definition, profile).seeds[0];
    const seeds = Array.from({ length: seedCount }, (_, index) => first + index);
    const calibrating = { ...definition, profiles: { ...definition.profiles, [profile]: { ...definition.profiles[profile], seeds } } };
    // Measured against no baseline and no calibration: the one being replaced may be stale or from an older layout.
    const scratch = join(projectRoot, '.scratch', 'calibrate');
    const outcome = await runExperiment(calibrating, { profile, mode: 'check', scratchDir: scratch, snapshotsDir: join(scratch, 'none') });
    const calibration = measureCalibration(outcome.snapshot, Object.keys(definition.baseline), {
      commit: gitState(projectRoot).commit,
      date: new Date().toISOString(),
    });
    const path = calibrationPath(join(projectRoot, 'snapshots'), definition.id, profile);
    await writeCalibration(path, calibration);
    process.stdout.write(
      `${definition.id}/${profile}: ${Object.keys(calibration.metrics).length} metrics over seeds ${seeds.join(', ')} under inputs ${calibration.partsHash.slice(0, 16)} -> ${path}\n`,
    );
    for (const [metric, summary] of Object.entries(calibration.metrics)) {
      process.stdout.write(`  ${metric}: mean ${summary.mean.toPrecision(6)}, sd ${summary.sd?.toPrecision(3) ?? '-'}\n`);
    }
  }
  return 0;
}

await runScript('experiments:calibrate', main);
