/**
 * The run-details disclosure under every figure and table, which says which run produced it: experiment and
 * profile, seeds, data set, backend, commit, date (in words) and freshness, and the command that runs it again
 * (where to download the snapshot and the figure's rows: src/site/downloads.ts). Pure functions; `<RunDetails>`
 * renders them.
 */
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { dateInWords } from '../site/citation.ts';
import { compactList } from '../site/format.ts';
import type { FreshnessState } from '../site/freshness.ts';
import { seedList } from '../site/snapshots.ts';

export interface RunDetails {
  run: string;
  seeds: string;
  dataset: string;
  backend: string;
  commit: { short: string; full: string; dirty: boolean; href: string | undefined };
  date: string;
  freshness: FreshnessState;
  command: string;
}

export function runDetails(snapshot: Snapshot, freshness: FreshnessState, repository: string | undefined): RunDetails {
  const { provenance } = snapshot;
  const seeds = seedList(snapshot);
  const { tfjs, git } = provenance;
  return {
    run: `${snapshot.experiment} / ${snapshot.profile}`,
    seeds: seeds.length === 1 ? `seed ${seeds[0]}` : `seeds ${compactList(seeds)} (${seeds.length})`,
    dataset: provenance.dataset.id,
    backend: `tfjs ${tfjs.version} ${tfjs.backend}${tfjs.fastKernels ? ' + fast kernels' : ''}`,
    commit: { short: git.commit.slice(0, 7), full: git.commit, dirty: git.dirty, href: repository ? `${repository}/commit/${git.commit}` : undefined },
    date: dateInWords(snapshot.timings.startedAt.slice(0, 10)),
    freshness,
    command: rerunCommand(snapshot.experiment, snapshot.profile),
  };
}

/** The command that runs one experiment at one profile again and rewrites its snapshot (see README.md). */
export function rerunCommand(experiment: string, profile: string): string {
  if (experiment === 'bench-cpu-kernels') return 'npm run bench';
  // Both LJ Speech experiments run from one suite, which picks the experiment by profile.
  const suite = experiment === 'q3-ljspeech-transfer' ? 'q3-ljspeech' : experiment;
  const data =
    experiment.startsWith('q3-ljspeech') || (experiment === 'q3-asr' && profile === 'full')
      ? 'LJSPEECH_DIR=… '
      : profile === 'octmnist'
        ? 'OCTMNIST_NPZ=… '
        : '';
  return `${data}EXPERIMENT_PROFILE=${profile} HW2_UPDATE=1 npx vitest run --project experiments test/experiments/${suite}.test.ts`;
}
