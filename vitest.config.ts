import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { settingsAtStartup } from './src/lib/failure.ts';
import { settings } from './src/lib/settings.ts';
import { siteSettings } from './src/lib/site-settings.ts';

// Three projects: fast unit tests, experiment suites that train real models at a profile (EXPERIMENT_PROFILE,
// default `smoke`), and integration tests, slow by nature. `npm test` runs the first two, one after the other, so
// no unit test competes with a timed experiment for the two cores; `npm run test:integration` runs the third, after
// `npm test` in every CI run (.ci/run). Both settings modules are validated here before any test starts
// (src/lib/settings.ts, src/lib/site-settings.ts); a bad variable is one line per problem and exit 2, not a stack.
settingsAtStartup('vitest', settings, siteSettings);
const experimentTimeout = settings().experimentProfile === 'smoke' ? 30 * 60_000 : 48 * 60 * 60_000;

// Whole-site builds, the command-line scripts run as processes, PyTorch, the homework's full Q3 shape, the harness
// tests that start worker or probe processes, and the sample-audio check (it speaks every committed run's corpus
// when the data cache lacks it). They live beside the unit tests of what they test; measured on a busy 2-core
// machine they were two thirds of the unit project's time.
// Then (issue 20: `npm test` within 3 minutes) what speaks or trains: the speech engines in every voice, Q3's
// training loop, the benchmark's measured step, and the harness's determinism and resume checks, which train an
// experiment again after its suite has. Measured under load on 2 cores, 79 of the unit files' 214 s.
const integration = [
  'test/unit/site/build.test.ts',
  'test/unit/site/sample-audio.test.ts',
  'test/unit/cli/*.test.ts',
  'test/unit/models/published-artifacts.test.ts',
  'test/unit/models/published-torch.test.ts',
  'test/unit/train/asr-full-shape.test.ts',
  'test/unit/harness/attest.test.ts',
  'test/unit/harness/workers.test.ts',
  'test/unit/harness/part-waves.test.ts',
  'test/unit/harness/checkpoints.test.ts',
  'test/unit/fs/checkpoint-concurrency.test.ts',
  'test/unit/audio/flite.test.ts',
  'test/unit/data/synthetic-speech.test.ts',
  'test/unit/data/sample-clips.test.ts',
  'test/unit/bench/bench-asr-step.test.ts',
  'test/unit/train/asr.test.ts',
  'test/unit/train/asr-micro-batch.test.ts',
  'test/unit/train/asr-variable-batches.test.ts',
  'test/unit/harness/determinism.test.ts',
];

export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores: one worker on a 2-core machine, so the unit files would
    // run one after another. Unit files use every core; the integration and experiment projects stay one file at
    // a time (singleFork below).
    maxWorkers: availableParallelism(),
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          exclude: integration,
          setupFiles: ['test/support/matchers.ts'],
          testTimeout: 60_000,
          // Run without per-file isolation (`--no-isolate` in package.json's scripts: a project's own pool options do
          // not reach the forks pool in Vitest 3.2): the files of a worker share one module graph instead of loading
          // tfjs, zod and the harness afresh each. Measured on a quiet 2-core machine: 46 s instead of 83 s of wall
          // time, 83 instead of 153 s of CPU, the same 795 tests passing in four file orders (three shuffled).
        },
      },
      {
        test: {
          name: 'integration',
          include: integration,
          setupFiles: ['test/support/matchers.ts'],
          // Builds, subprocesses and PyTorch on a loaded machine take minutes, not the unit tests' seconds.
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // One file at a time: each already keeps both cores busy (a build, a pool of workers, PyTorch).
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        test: {
          name: 'experiments',
          include: ['test/experiments/**/*.test.ts'],
          setupFiles: ['test/support/matchers.ts'],
          // The smoke tier must finish well inside CI's budget; other profiles train for hours on a CPU.
          testTimeout: experimentTimeout,
          hookTimeout: experimentTimeout,
          // Experiments measure and train: one process, one file at a time, so they do not skew each other's timings.
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
