/**
 * The runs of `.github/workflows/full-experiments.yml`, one per experiment x profile x seed, printed as the JSON
 * matrix its `run` jobs take:
 *
 *   npx tsx scripts/plan-runs.ts [--experiment q2-cnn,q3-asr] [--profile full]
 *
 * Every profile of every experiment except its CI profile (`ciProfile`, default `smoke`: `npm test` reruns that one
 * on every push), with every seed the profile declares. Experiments without a CI profile measure time
 * (bench-cpu-kernels): a shared runner's numbers say nothing about this project's speed, so they run by hand.
 * The filters take comma-separated names; empty means all (the workflow's inputs are empty when not given).
 *
 * Each row names the runner it needs (`runnerFor`) and the artifact its parts are uploaded as; the merge jobs
 * find a run's seeds by those names.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { experiments } from '../experiments/index.ts';
import type { ExperimentDefinition } from '../src/lib/harness/experiment.ts';
import { ciProfileOf, resolveProfile } from '../src/lib/harness/experiment.ts';

/** `cpu`: a GitHub-hosted ubuntu-latest runner. `gpu`: a self-hosted runner labelled `gpu` (see the workflow). */
export type Runner = 'cpu' | 'gpu';

export interface PlannedRun {
  experiment: string;
  profile: string;
  seed: number;
  runner: Runner;
  /** The artifact holding this seed's part folders (`.cache/checkpoints/<experiment>/<profile>/`). */
  artifact: string;
}

export interface PlanFilter {
  /** Experiment ids; empty or absent: all. */
  experiments?: string[];
  /** Profile names; empty or absent: all. */
  profiles?: string[];
}

/**
 * Runs that cannot finish on a CPU runner inside GitHub's 6-hour job limit. Q3 `full` is the homework's setting on
 * LJ Speech (width 200, 2,754 frames, text 99, batch 64): ~41 GB of activations per step and days per epoch on a CPU.
 */
export const gpuOnlyRuns: ReadonlyArray<{ experiment: string; profile: string }> = [{ experiment: 'q3-asr', profile: 'full' }];

/** The routing rule, in one place: the runner a run of `experiment` at `profile` needs. */
export function runnerFor(experiment: string, profile: string): Runner {
  return gpuOnlyRuns.some((run) => run.experiment === experiment && run.profile === profile) ? 'gpu' : 'cpu';
}

/**
 * Entries of `gpuOnlyRuns` that name no experiment or profile of `definitions`: after a rename the rule would
 * no longer match, and the renamed run would go to a CPU runner, so the plan refuses to start.
 */
export function unknownGpuOnlyRuns(definitions: readonly ExperimentDefinition[]): string[] {
  return gpuOnlyRuns
    .filter((run) => !definitions.some((definition) => definition.id === run.experiment && run.profile in definition.profiles))
    .map((run) => `${run.experiment}/${run.profile}`);
}

export function artifactName(run: Omit<PlannedRun, 'artifact'>): string {
  return `parts-${run.runner}-${run.experiment}-${run.profile}-seed-${run.seed}`;
}

/** Every (experiment, non-CI profile, seed) that the filter selects, in declaration order. */
export function planRuns(definitions: readonly ExperimentDefinition[], filter: PlanFilter = {}): PlannedRun[] {
  const wantedExperiments = filter.experiments?.length ? filter.experiments : undefined;
  const wantedProfiles = filter.profiles?.length ? filter.profiles : undefined;
  const unknownExperiments = wantedExperiments?.filter((id) => !definitions.some((definition) => definition.id === id)) ?? [];
  if (unknownExperiments.length) {
    throw new Error(`no experiment ${unknownExperiments.join(', ')} (experiments: ${definitions.map((definition) => definition.id).join(', ')})`);
  }
  const chosen = definitions.filter((definition) => !wantedExperiments || wantedExperiments.includes(definition.id));
  const unknownProfiles = wantedProfiles?.filter((profile) => !chosen.some((definition) => profile in definition.profiles)) ?? [];
  if (unknownProfiles.length) {
    const declared = chosen.map((definition) => `${definition.id} (${Object.keys(definition.profiles).join(', ')})`);
    throw new Error(`no profile ${unknownProfiles.join(', ')} in ${declared.join('; ')}`);
  }

  const runs: PlannedRun[] = [];
  for (const definition of chosen) {
    const ciProfile = ciProfileOf(definition);
    if (ciProfile === null) continue;
    for (const profile of Object.keys(definition.profiles)) {
      if (profile === ciProfile || (wantedProfiles && !wantedProfiles.includes(profile))) continue;
      const runner = runnerFor(definition.id, profile);
      for (const seed of resolveProfile(definition, profile).seeds) {
        const run = { experiment: definition.id, profile, seed, runner };
        runs.push({ ...run, artifact: artifactName(run) });
      }
    }
  }
  if (runs.length === 0) {
    const skipped = chosen.map(
      (definition) => `${definition.id}: ${ciProfileOf(definition) === null ? 'measures time, run by hand' : `CI profile ${ciProfileOf(definition)}`}`,
    );
    throw new Error(`nothing to run: the selection holds only CI profiles and timing experiments (${skipped.join('; ')})`);
  }
  const names = runs.map((run) => run.artifact);
  const repeated = names.filter((name, i) => names.indexOf(name) !== i);
  if (repeated.length) throw new Error(`two runs would upload the same artifact: ${[...new Set(repeated)].join(', ')}`);
  return runs;
}

function commaList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { experiment: { type: 'string' }, profile: { type: 'string' } } });
  const stale = unknownGpuOnlyRuns(experiments);
  if (stale.length) throw new Error(`gpuOnlyRuns names ${stale.join(', ')}, which no experiment declares: update the rule in scripts/plan-runs.ts`);
  const runs = planRuns(experiments, { experiments: commaList(values.experiment), profiles: commaList(values.profile) });
  process.stdout.write(`${JSON.stringify(runs)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`plan-runs: ${(error as Error).message}\n`);
    process.exit(2);
  }
}
