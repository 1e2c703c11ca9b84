/**
 * `npm run experiments:calibrate`: measures, once, how much each CI profile's gated metrics move from seed to
 * seed. Runs the profile with seeds 1-5 (parts on HW2_WORKERS processes) and writes, per experiment,
 * `snapshots/<id>/calibration/<profile>.json`: the seeds, the date, the commit, and per gated metric n, mean, sd,
 * range and interval. The baseline gate then uses max(3 sd, the declared tolerance) for those metrics
 * (src/lib/harness/gates.ts). Rerun it when a CI profile changes.
 *
 *   npx tsx scripts/calibrate.ts [experiment ...]
 *
 * Refused under CI, and an experiment it does not know, with one line and exit 2; a run that fails stops it with one
 * line and exit 1 (the stack only with HW2_DEBUG=1).
 */
import { join } from 'node:path';
import { experiments } from '../experiments/index.ts';
import { ciProfileOf } from '../src/lib/harness/experiment.ts';
import { gitState } from '../src/lib/harness/provenance.ts';
import { projectRoot, runExperiment } from '../src/lib/harness/runner.ts';
import { calibrationPath, writeCalibration } from '../src/lib/harness/snapshot.ts';
import { settings } from '../src/lib/settings.ts';
import type { Calibration } from '../src/lib/snapshot-schema.ts';
import { runScript, UsageError } from './cli.ts';

const seeds = [1, 2, 3, 4, 5];
const sdMultiple = 3;

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
    const calibrating = { ...definition, profiles: { ...definition.profiles, [profile]: { ...definition.profiles[profile], seeds } } };
    const outcome = await runExperiment(calibrating, { profile, mode: 'check', scratchDir: join(projectRoot, '.scratch', 'calibrate') });
    const aggregates = outcome.snapshot.seeds!.aggregates;
    const calibration: Calibration = {
      experiment: definition.id,
      profile,
      seeds,
      date: new Date().toISOString(),
      commit: gitState(projectRoot).commit,
      backend: `${outcome.snapshot.provenance.tfjs.backend}${outcome.snapshot.provenance.tfjs.fastKernels ? ' + fast kernels' : ''}`,
      sdMultiple,
      metrics: Object.fromEntries(Object.keys(definition.baseline).flatMap((metric) => (aggregates[metric] ? [[metric, aggregates[metric]]] : []))),
    };
    const path = calibrationPath(join(projectRoot, 'snapshots'), definition.id, profile);
    await writeCalibration(path, calibration);
    process.stdout.write(`${definition.id}/${profile}: ${Object.keys(calibration.metrics).length} metrics over seeds ${seeds.join(', ')} -> ${path}\n`);
    for (const [metric, summary] of Object.entries(calibration.metrics)) {
      process.stdout.write(`  ${metric}: mean ${summary.mean.toPrecision(6)}, sd ${summary.sd?.toPrecision(3) ?? '-'}\n`);
    }
  }
  return 0;
}

await runScript('experiments:calibrate', main);
