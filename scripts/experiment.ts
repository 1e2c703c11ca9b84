/**
 * Runs one experiment at one profile outside Vitest, for long runs under `nohup`:
 *
 *   npx tsx scripts/experiment.ts q3-asr listening [--update] [--force] [--seeds 1,2] [--parts-only | --assemble-only]
 *
 * `--seeds` runs some of the profile's seeds only (the snapshot lists which); a later run of more seeds reuses
 * the finished ones. `--parts-only` runs the parts and writes no snapshot: a shard of a run spread over machines
 * (.github/workflows/full-experiments.yml), merged by copying `.cache/checkpoints/<experiment>/<profile>/` and
 * running with `--assemble-only`, which fails rather than run a part that is missing.
 * Check mode (default) writes to .scratch/ and compares with the committed snapshot; `--update` (or HW2_UPDATE=1,
 * as `npm run experiments:update` sets it) replaces the committed snapshot when the thresholds pass, `--force` (or
 * HW2_FORCE=1) even when its inputs are unchanged. Under CI update mode is refused.
 *
 * Exit status: 0 the gates pass, 1 a gate fails or the run fails (one line naming the problem; the stack only with
 * HW2_DEBUG=1), 2 bad arguments or settings.
 */
import { experiments } from '../experiments/index.ts';
import { resolveProfile } from '../src/lib/harness/experiment.ts';
import type { RunOptions } from '../src/lib/harness/runner.ts';
import { assembleExperiment, runExperiment, runExperimentParts } from '../src/lib/harness/runner.ts';
import { settings } from '../src/lib/settings.ts';
import { runScript, UsageError } from './cli.ts';

const usage = 'usage: npx tsx scripts/experiment.ts <experiment> <profile> [--update] [--force] [--seeds 1,2] [--parts-only | --assemble-only]';

function parseOptions(argv: string[]) {
  const [id, profile, ...flags] = argv;
  const known = experiments.map((experiment) => `${experiment.id} (${Object.keys(experiment.profiles).join(', ')})`).join('; ');
  const definition = experiments.find((experiment) => experiment.id === id);
  if (!definition || !profile) throw new UsageError(`${usage}\nexperiments: ${known}`);
  const profiles = Object.keys(definition.profiles);
  if (!profiles.includes(profile)) throw new UsageError(`experiment: ${id} has no profile '${profile}'; its profiles: ${profiles.join(', ')}`);
  let seeds: number[] | undefined;
  const switches = new Set<string>();
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] === '--seeds') {
      const value = flags[++i];
      seeds = value?.split(',').map(Number);
      const declared = resolveProfile(definition, profile).seeds;
      if (!seeds?.length || seeds.some((seed) => !declared.includes(seed)))
        throw new UsageError(`experiment: --seeds takes some of ${id}/${profile}'s seeds (${declared.join(',')}), got '${value ?? ''}'`);
    } else if (['--update', '--force', '--parts-only', '--assemble-only'].includes(flags[i])) switches.add(flags[i]);
    else throw new UsageError(`experiment: unknown argument '${flags[i]}'\n${usage}`);
  }
  if (switches.has('--parts-only') && switches.has('--assemble-only')) throw new UsageError('experiment: --parts-only and --assemble-only exclude each other');
  return { definition, profile, seeds, switches };
}

async function main(): Promise<number> {
  const { definition, profile, seeds, switches } = parseOptions(process.argv.slice(2));
  const env = settings();
  const update = switches.has('--update') || env.update;
  if (update && env.ci) {
    const asked = [switches.has('--update') ? '--update' : '', env.update ? 'HW2_UPDATE=1' : ''].filter(Boolean).join(' and ');
    throw new UsageError(`experiment: CI is set: snapshots are never rewritten in CI; run without ${asked}`);
  }
  const options: RunOptions = { profile, mode: update ? 'update' : 'check', force: switches.has('--force') || env.force, seeds };
  if (switches.has('--parts-only')) {
    // A shard has no snapshot to gate: it fails only by throwing.
    process.stdout.write(`${(await runExperimentParts(definition, options)).report}\n`);
    return 0;
  }
  const outcome = await (switches.has('--assemble-only') ? assembleExperiment : runExperiment)(definition, options);
  process.stdout.write(`${outcome.report}\n`);
  return outcome.thresholdsPassed && outcome.baselinePassed ? 0 : 1;
}

await runScript('experiment', main);
// Exit now rather than wait for handles a run may leave open (worker processes' pipes, tfjs timers).
process.exit();
