/**
 * The profile the experiment suites run (EXPERIMENT_PROFILE, default `smoke`), checked once against every
 * experiment: a profile no experiment declares is an error naming the profiles that exist; an experiment that
 * lacks it says so on stderr and in its suite title. `smoke` stands for each experiment's CI profile (q3-ljspeech's
 * is `lj-smoke`).
 */
import { experiments } from '../../experiments/index.ts';
import type { ExperimentDefinition } from '../../src/lib/harness/experiment.ts';
import { ciProfileOf } from '../../src/lib/harness/experiment.ts';
import { checkProfile, settings } from '../../src/lib/settings.ts';

const requested = settings().experimentProfile;
const profileOf = (definition: ExperimentDefinition) => (requested === 'smoke' ? (ciProfileOf(definition) ?? 'smoke') : requested);
const declared = Object.fromEntries(
  experiments.map((definition) => [
    definition.id,
    Object.keys(definition.profiles).map((name) => (name === profileOf(definition) && requested === 'smoke' ? 'smoke' : name)),
  ]),
);
const check = checkProfile(requested, declared);
if (check.unknown) throw new Error(check.unknown);

export interface SuiteProfile {
  /** The profile to run, or undefined when this experiment has none of that name. */
  profile: string | undefined;
  /** The suite title, saying when (and why) the suite is skipped. */
  title: string;
}

export function suiteProfile(definition: ExperimentDefinition, name: string): SuiteProfile {
  const profile = profileOf(definition);
  if (profile in definition.profiles) return { profile, title: name };
  process.stderr.write(`[${definition.id}] has no profile '${requested}' (it has ${Object.keys(definition.profiles).join(', ')}): skipped\n`);
  return { profile: undefined, title: `${name} (skipped: no profile '${requested}')` };
}
