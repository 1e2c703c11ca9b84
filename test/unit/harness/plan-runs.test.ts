/**
 * The plan of the full-experiments workflow (scripts/plan-runs.ts, issue 12.7): one row per experiment x non-CI
 * profile x seed, and the GPU-only run routed to the GPU runner, never to a CPU one.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { experiments } from '../../../experiments/index.ts';
import type { ExperimentDefinition } from '../../../src/lib/harness/experiment.ts';
import { ciProfileOf, resolveProfile } from '../../../src/lib/harness/experiment.ts';
import { artifactName, gpuOnlyRuns, planRuns, runnerFor, unknownGpuOnlyRuns } from '../../../scripts/plan-runs.ts';
import { toyParted } from '../../support/toy-parted.ts';

const key = (run: { experiment: string; profile: string; seed: number }) => `${run.experiment}/${run.profile}/seed-${run.seed}`;

describe('planRuns over the project', () => {
  const runs = planRuns(experiments);

  it('covers every (experiment, non-CI profile, seed) exactly once', () => {
    const expected = experiments
      .filter((definition) => definition.ciProfile !== null)
      .flatMap((definition) =>
        Object.keys(definition.profiles)
          .filter((profile) => profile !== ciProfileOf(definition))
          .flatMap((profile) => resolveProfile(definition, profile).seeds.map((seed) => key({ experiment: definition.id, profile, seed }))),
      );
    const planned = runs.map(key);
    expect(new Set(planned).size).toBe(planned.length);
    expect([...planned].sort()).toEqual([...expected].sort());
    // The selection the workflow relies on, spelled out.
    expect(planned).toContain('q3-asr/listening/seed-3');
    expect(planned).toContain('q3-asr/full/seed-1');
    expect(planned.filter((run) => /\/(smoke|lj-smoke)\//.test(run))).toEqual([]);
    expect(runs.filter((run) => run.experiment === 'bench-cpu-kernels')).toEqual([]);
  });

  it('routes q3-asr full, and only it, to the GPU runner', () => {
    expect(runnerFor('q3-asr', 'full')).toBe('gpu');
    expect(runnerFor('q3-asr', 'listening')).toBe('cpu');
    expect(runnerFor('q2-cnn', 'full')).toBe('cpu');
    for (const run of runs) expect(run.runner, key(run)).toBe(runnerFor(run.experiment, run.profile));
    expect(runs.filter((run) => run.runner === 'gpu').map((run) => `${run.experiment}/${run.profile}`)).toEqual(
      resolveProfile(experiments.find((definition) => definition.id === 'q3-asr')!, 'full').seeds.map(() => 'q3-asr/full'),
    );
    expect(runs.filter((run) => run.experiment === 'q3-asr' && run.profile === 'full' && run.runner !== 'gpu')).toEqual([]);
  });

  it('has a GPU rule that names runs the experiments declare, so a rename cannot send one to a CPU runner', () => {
    expect(gpuOnlyRuns.length).toBeGreaterThan(0);
    expect(unknownGpuOnlyRuns(experiments)).toEqual([]);
    const renamed = experiments.map((definition) => (definition.id === 'q3-asr' ? { ...definition, profiles: { smoke: {}, ljspeech: {} } } : definition));
    expect(unknownGpuOnlyRuns(renamed)).toEqual(['q3-asr/full']);
  });

  it('names one artifact per row, with the runner in it', () => {
    expect(new Set(runs.map((run) => run.artifact)).size).toBe(runs.length);
    for (const run of runs) expect(run.artifact).toBe(artifactName(run));
    expect(artifactName({ experiment: 'q3-asr', profile: 'full', seed: 1, runner: 'gpu' })).toBe('parts-gpu-q3-asr-full-seed-1');
  });

  it('is what the command prints, as JSON on one line', async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/plan-runs.ts', '--experiment', '', '--profile', ''], {
      cwd: root,
    });
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(stdout)).toEqual(runs);
  });
});

describe('planRuns filters', () => {
  const toyTimed: ExperimentDefinition = { ...toyParted, id: 'toy-timed', ciProfile: null };
  const toyWide: ExperimentDefinition = { ...toyParted, id: 'toy-wide', ciProfile: 'broken', profiles: { ...toyParted.profiles, wide: { seeds: [4, 5, 6] } } };
  const definitions = [toyParted, toyTimed, toyWide];

  it('keeps the profiles other than each CI profile, with every seed, and no timing experiment', () => {
    expect(ciProfileOf(toyParted)).toBe('smoke');
    expect(ciProfileOf(toyWide)).toBe('broken');
    expect(ciProfileOf(toyTimed)).toBeNull();
    expect(planRuns(definitions).map(key)).toEqual([
      'toy-parted/broken/seed-1',
      'toy-parted/broken/seed-2',
      'toy-wide/smoke/seed-1',
      'toy-wide/smoke/seed-2',
      'toy-wide/wide/seed-4',
      'toy-wide/wide/seed-5',
      'toy-wide/wide/seed-6',
    ]);
  });

  it('selects experiments and profiles by name; empty means all', () => {
    expect(planRuns(definitions, { experiments: ['toy-wide'], profiles: ['wide'] }).map(key)).toEqual([
      'toy-wide/wide/seed-4',
      'toy-wide/wide/seed-5',
      'toy-wide/wide/seed-6',
    ]);
    expect(planRuns(definitions, { profiles: ['smoke'] }).map(key)).toEqual(['toy-wide/smoke/seed-1', 'toy-wide/smoke/seed-2']);
    expect(planRuns(definitions, { experiments: [], profiles: [] })).toEqual(planRuns(definitions));
  });

  it('refuses unknown names and a selection with nothing to run', () => {
    expect(() => planRuns(definitions, { experiments: ['toy-typo'] })).toThrow(/no experiment toy-typo \(experiments: toy-parted, toy-timed, toy-wide\)/);
    expect(() => planRuns(definitions, { experiments: ['toy-parted'], profiles: ['wide'] })).toThrow(/no profile wide in toy-parted \(smoke, broken\)/);
    expect(() => planRuns(definitions, { experiments: ['toy-parted'], profiles: ['smoke'] })).toThrow(/nothing to run.*toy-parted: CI profile smoke/);
    expect(() => planRuns(definitions, { experiments: ['toy-timed'] })).toThrow(/nothing to run.*toy-timed: measures time/);
  });
});
