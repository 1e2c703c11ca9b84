/** `npm run bench:workers`: a mistake on its command line is one line on stderr and exit 2, before anything runs. */
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

describe('bench:workers arguments', () => {
  it.each([
    [[], /^usage: npm run bench:workers -- <experiment> <profile>.*\nexperiments: q1-linear-attention, /],
    [['no-such-experiment', 'smoke'], /^usage: /],
    [['q2-cnn', 'smoke', '--workers', '0,2'], /^bench:workers: --workers takes positive integers like 1,2, got '0,2'/],
    [['q2-cnn', 'smoke', '--seeds'], /^bench:workers: --seeds takes positive integers like 1,2, got ''/],
    [['q2-cnn', 'smoke', '--fast'], /^bench:workers: unknown argument '--fast'/],
  ])('%j', async (args, message) => {
    const run = await runCli('bench-workers', args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
  });
});
