import { defineConfig } from 'vitest/config';
import { settingsAtStartup } from './src/lib/failure.ts';
import { settings } from './src/lib/settings.ts';
import { siteSettings } from './src/lib/site-settings.ts';

// Two projects: fast unit tests, and experiment suites that train real models at a profile
// (EXPERIMENT_PROFILE, default `smoke`). `npm test` runs both, one after the other, so no unit test competes
// with a timed experiment for the two cores. Both settings modules are validated here before any test starts
// (src/lib/settings.ts, src/lib/site-settings.ts); a bad variable is one line per problem and exit 2, not a stack.
settingsAtStartup('vitest', settings, siteSettings);
const experimentTimeout = settings().experimentProfile === 'smoke' ? 30 * 60_000 : 48 * 60 * 60_000;

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/support/matchers.ts'],
          testTimeout: 60_000,
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
