/**
 * The check behind an attestation, in a process of its own (started by attest.ts, never by hand).
 *
 * 1. Reruns the experiment's CI profile under the code as it is now, at the config and seeds its committed snapshot
 *    records (the same as the profile's, unless the profile itself changed since). The parent sets
 *    `NODE_V8_COVERAGE`, so this process and every worker it starts record which code ran.
 * 2. Writes this process's coverage and stops recording (nothing after this point counts as run by the check),
 *    then reports the fresh snapshot and the config the CI profile and each profile to vouch for resolve to under
 *    the current code.
 * 3. On request, loads the data of the profiles still in the running and reports the data description each
 *    would record (`provenance.dataset`), then exits.
 */
import { join } from 'node:path';
import v8 from 'node:v8';
import type { Snapshot } from '../snapshot-schema.ts';
import { initBackend } from '../backend/backend.ts';
import type { DatasetInfo } from '../data/dataset-info.ts';
import type { ExperimentDefinition, RunEffects } from './experiment.ts';
import { resolveProfile } from './experiment.ts';
import { runExperiment } from './runner.ts';

export interface ProbeRequest {
  module: string;
  experiment: string;
  cheapProfile: string;
  /** What the cheap profile's committed snapshot records: the rerun repeats it as it was. */
  recorded: { config: unknown; seeds: number[] };
  /** The profiles to vouch for. */
  targets: string[];
  root: string;
  snapshotsDir: string;
  scratchDir: string;
  workers?: number;
  /** An empty folder: the rerun must run every part, not read back results of earlier runs. */
  checkpointsDir: string;
}

/** Messages between attest.ts and this process. */
export type ProbeMessage =
  | { type: 'log'; line: string }
  | { type: 'reran'; snapshot: Snapshot; configs: Record<string, unknown> }
  | { type: 'described'; datasets: Record<string, DatasetInfo | { error: string }> }
  | { type: 'failed'; message: string };

export type ParentMessage = { type: 'probe'; request: ProbeRequest } | { type: 'describe'; profiles: string[] } | { type: 'exit' };

const send = (message: ProbeMessage) => process.send?.(message);
const log = (line: string) => send({ type: 'log', line });
let definition: ExperimentDefinition | undefined;
let request: ProbeRequest | undefined;

process.on('message', (message: ParentMessage) => {
  if (message.type === 'exit') process.exit(0);
  const step = message.type === 'probe' ? rerun(message.request) : describe(message.profiles);
  step.catch((error: Error) => {
    send({ type: 'failed', message: error.message });
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
  });
});

async function rerun(job: ProbeRequest): Promise<void> {
  request = job;
  const module = (await import(job.module)) as Record<string, unknown>;
  definition = Object.values(module).find((value): value is ExperimentDefinition => (value as ExperimentDefinition | undefined)?.id === job.experiment);
  if (!definition) throw new Error(`attest: ${job.module} exports no experiment '${job.experiment}'`);
  const outcome = await runExperiment(definition, {
    profile: job.cheapProfile,
    config: job.recorded.config,
    seeds: job.recorded.seeds,
    mode: 'check',
    root: job.root,
    snapshotsDir: job.snapshotsDir,
    scratchDir: job.scratchDir,
    workers: job.workers,
    checkpointsDir: job.checkpointsDir,
    effects: { log, progress: () => ({ tick: () => {}, done: () => {} }) },
  });
  // Only the rerun counts as run by the check: what follows (resolving configs, loading other profiles' data) must not.
  v8.takeCoverage();
  v8.stopCoverage();
  delete process.env.NODE_V8_COVERAGE;
  const configs = Object.fromEntries([job.cheapProfile, ...job.targets].map((profile) => [profile, resolveProfile(definition!, profile).config]));
  send({ type: 'reran', snapshot: outcome.snapshot, configs });
}

async function describe(profiles: string[]): Promise<void> {
  if (!definition || !request) throw new Error('attest: asked to describe data before the rerun');
  const backend = await initBackend({ log: () => {} });
  const datasets: Record<string, DatasetInfo | { error: string }> = {};
  for (const profile of profiles) {
    const effects: RunEffects = {
      log: (line) => log(`${profile}: ${line}`),
      now: () => performance.now(),
      progress: () => ({ tick: () => {}, done: () => {} }),
      cacheDir: join(request.root, '.cache', 'data'),
      checkpointDir: '',
      backend,
    };
    try {
      datasets[profile] = (await definition.data(resolveProfile(definition, profile).config, effects)).dataset;
    } catch (error) {
      datasets[profile] = { error: (error as Error).message.split('\n')[0] };
    }
  }
  send({ type: 'described', datasets });
}
