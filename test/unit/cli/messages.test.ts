/**
 * Every command's expected failures, as a user meets them (child processes): one line per problem naming it, exit 2
 * for usage (bad arguments or settings, a refused request), 1 for a run that failed, and a stack trace only with
 * HW2_DEBUG=1. Each case stops before anything trains; what costs is starting a process that loads the experiments
 * (several seconds on a busy machine), so independent cases run together and each kind of failure is tried once.
 */
import { describe, expect, it } from 'vitest';
import type { CliRun } from './run-cli.ts';
import { runCli, runNode } from './run-cli.ts';

const stackLine = /^\s+at /m;
const timeout = 120_000;

/** The run printed exactly `lines` on stderr (after the [backend] line, if any) and nothing that looks like a stack. */
function expectMessage(run: CliRun, code: number, lines: (string | RegExp)[]): void {
  const printed = run.stderr.split('\n').filter((line) => line !== '' && !line.includes('[backend]'));
  expect(run.stderr).not.toMatch(stackLine);
  expect(printed, run.stderr).toHaveLength(lines.length);
  lines.forEach((line, i) => (typeof line === 'string' ? expect(printed[i]).toBe(line) : expect(printed[i]).toMatch(line)));
  expect(run.code, run.stderr).toBe(code);
}

describe('scripts/experiment.ts', () => {
  it('names a profile the experiment lacks, and honours HW2_UPDATE, so under CI it is refused saying what to change (exit 2)', { timeout }, async () => {
    const [profile, update] = await Promise.all([
      runCli('experiment', ['q2-cnn', 'fulll'], { CI: undefined }),
      runCli('experiment', ['q2-cnn', 'smoke', '--update'], { CI: 'true', HW2_UPDATE: '1' }),
    ]);
    expectMessage(profile, 2, ["experiment: q2-cnn has no profile 'fulll'; its profiles: smoke, full, octmnist"]);
    expectMessage(update, 2, ['experiment: CI is set: snapshots are never rewritten in CI; run without --update and HW2_UPDATE=1']);
  });

  it('reports a run that fails in one line and exits 1; HW2_DEBUG=1 adds the stack', { timeout }, async () => {
    const missing = { CI: undefined, FASHION_MNIST_DIR: '/nonexistent-hw2-data' };
    const [plain, debug] = await Promise.all([
      runCli('experiment', ['q2-cnn', 'full'], { ...missing, HW2_DEBUG: undefined }),
      runCli('experiment', ['q2-cnn', 'full'], { ...missing, HW2_DEBUG: '1' }),
    ]);
    expectMessage(plain, 1, [/^experiment: \/nonexistent-hw2-data\/train-images-idx3-ubyte\.gz: missing \(fashion-mnist\): install Debian's/]);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toContain('experiment: /nonexistent-hw2-data/train-images-idx3-ubyte.gz: missing');
    expect(debug.stderr).toMatch(stackLine);
  });
});

describe('the other commands', () => {
  it('attest refuses under CI and names an experiment it does not know, calibrate too, bench names a bad setting (exit 2)', { timeout }, async () => {
    const [attest, attestOne, calibrate, bench] = await Promise.all([
      runCli('attest', [], { CI: 'true' }),
      runCli('attest', ['q3-asrr'], { CI: undefined }),
      runCli('calibrate', ['q2-cnnn'], { CI: undefined }),
      runCli('bench', ['--profile', 'quick'], { CI: undefined, HW2_WORKERS: '0' }),
    ]);
    expectMessage(attest, 2, ['experiments:attest: CI is set: snapshots are never rewritten in CI; run it outside CI and commit what it writes']);
    expectMessage(attestOne, 2, [/^experiments:attest: no experiment named q3-asrr; they are: q1-linear-attention, q2-cnn, /]);
    expectMessage(calibrate, 2, [/^experiments:calibrate: no experiment with a CI profile named q2-cnnn; they are: q1-linear-attention, q2-cnn, /]);
    expectMessage(bench, 2, ['bench: HW2_WORKERS is "0"; it accepts a positive integer']);
  });

  it('vitest and astro stop on bad settings before starting: one line per problem, exit 2; astro reads only the site settings', { timeout }, async () => {
    const bad = { HW2_WORKERS: 'many', SITE_URL: 'example.org' };
    const [vitest, astro] = await Promise.all([
      runNode(['node_modules/vitest/vitest.mjs', 'run', '--project', 'unit', 'test/unit/stats/summary.test.ts'], bad),
      runNode(['node_modules/astro/astro.js', 'build'], bad),
    ]);
    for (const run of [vitest, astro]) expect(run.stderr).not.toMatch(/SettingsError/);
    expectMessage(vitest, 2, [
      'vitest: HW2_WORKERS is "many"; it accepts a positive integer',
      'vitest: SITE_URL is "example.org"; it accepts an absolute http(s):// URL',
    ]);
    // The site is built without the hashed settings (src/lib/site-settings.ts): a bad HW2_WORKERS does not stop it.
    expectMessage(astro, 2, ['astro: SITE_URL is "example.org"; it accepts an absolute http(s):// URL']);
  });
});
