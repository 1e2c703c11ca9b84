/**
 * Runs one experiment at one profile outside Vitest, for long runs under `nohup`:
 *
 *   npx tsx scripts/experiment.ts q3-asr listening [--update] [--force] [--seeds 1,2] [--parts-only | --assemble-only]
 *
 * `--seeds` runs some of the profile's seeds only (the snapshot lists which); a later run of more seeds reuses
 * the finished ones. `--parts-only` runs the parts and writes no snapshot: a shard of a run spread over machines
 * (.github/workflows/full-experiments.yml), merged by copying `.cache/checkpoints/<experiment>/<profile>/` and
 * running with `--assemble-only`, which fails rather than run a part that is missing.
 * Check mode (default) writes to .scratch/ and compares with the committed snapshot; `--update` replaces the
 * committed snapshot when the thresholds pass (as `npm run experiments:update`). Exits non-zero when a gate fails.
 */
import { experiments } from '../experiments/index.ts';
import type { RunOptions } from '../src/lib/harness/runner.ts';
import { assembleExperiment, runExperiment, runExperimentParts } from '../src/lib/harness/runner.ts';

const [id, profile, ...flags] = process.argv.slice(2);
const seedsAt = flags.indexOf('--seeds');
const seeds = seedsAt >= 0 ? flags.splice(seedsAt, 2)[1]?.split(',').map(Number) : undefined;
const partsOnly = flags.includes('--parts-only');
const assembleOnly = flags.includes('--assemble-only');
const unknownFlag =
  flags.find((flag) => !['--update', '--force', '--parts-only', '--assemble-only'].includes(flag)) ??
  (seeds?.some((seed) => !Number.isInteger(seed)) ? '--seeds' : undefined) ??
  (partsOnly && assembleOnly ? '--parts-only with --assemble-only' : undefined);
const definition = experiments.find((experiment) => experiment.id === id);
if (!definition || !profile || unknownFlag) {
  process.stderr.write(
    `usage: npx tsx scripts/experiment.ts <experiment> <profile> [--update] [--force] [--seeds 1,2] [--parts-only | --assemble-only]\nexperiments: ${experiments.map((experiment) => `${experiment.id} (${Object.keys(experiment.profiles).join(', ')})`).join('; ')}\n`,
  );
  process.exit(2);
}
const options: RunOptions = { profile, mode: flags.includes('--update') ? 'update' : 'check', force: flags.includes('--force'), seeds };
if (partsOnly) {
  // A shard has no snapshot to gate: it fails only by throwing.
  process.stdout.write(`${(await runExperimentParts(definition, options)).report}\n`);
  process.exit(0);
}
const outcome = await (assembleOnly ? assembleExperiment : runExperiment)(definition, options);
process.stdout.write(`${outcome.report}\n`);
process.exit(outcome.thresholdsPassed && outcome.baselinePassed ? 0 : 1);
