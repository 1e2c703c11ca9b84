/**
 * Matchers for experiment outcomes. They return the tables the harness prints, so a failure shows the
 * threshold or baseline diff table (metric, baseline, now, change, tolerance, verdict) in the test output.
 */
import { expect } from 'vitest';
import { formatBaselineTable, formatThresholdTable } from '../../src/lib/harness/gates.ts';
import type { Outcome } from '../../src/lib/harness/runner.ts';

expect.extend({
  toPassThresholds(outcome: Outcome) {
    const failed = outcome.thresholds.filter((verdict) => !verdict.passed);
    return {
      pass: failed.length === 0,
      message: () => `${outcome.experiment}/${outcome.profile}: thresholds\n${formatThresholdTable(outcome.thresholds)}`,
      actual: failed.map((v) => `${v.metric} = ${v.actual}`),
      expected: failed.map((v) => `${v.metric} ${v.op} ${v.value}`),
    };
  },
  toMatchBaseline(outcome: Outcome) {
    return {
      pass: outcome.baselinePassed,
      message: () =>
        `${outcome.experiment}/${outcome.profile}: against the committed baseline\n${formatBaselineTable(outcome.comparison)}\n` +
        (outcome.baseline ? '' : 'No baseline is committed: run `npm run experiments:update` and commit snapshots/.'),
      actual: outcome.comparison.map((row) => `${row.metric}: ${row.now}`),
      expected: outcome.comparison.map((row) => `${row.metric}: ${row.baseline}`),
    };
  },
});
