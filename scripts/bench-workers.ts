/**
 * `npm run bench:workers -- <experiment> <profile> [--seeds 1,2] [--workers 1,2]`: what running an experiment's
 * independent parts on more processes buys here. Runs the profile once per worker count, each time from an empty
 * checkpoint folder so every part really runs, in check mode (committed snapshots are never touched), and prints
 * each wall time and its speed-up over the first count. Timings on a shared machine are noisy, so the counts run
 * back to back in one invocation and the ratio is what to read.
 *
 * The runs must also agree: the snapshots, timings aside, are compared byte for byte, and a difference exits 1.
 * Exit 2 on a bad argument.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { experiments } from '../experiments/index.ts';
import { runExperiment } from '../src/lib/harness/runner.ts';
import { runScript, UsageError } from './cli.ts';

const usage = 'usage: npm run bench:workers -- <experiment> <profile> [--seeds 1,2] [--workers 1,2]';

function integers(flag: string, value: string | undefined): number[] {
  const list = value?.split(',').map(Number) ?? [];
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1))
    throw new UsageError(`bench:workers: ${flag} takes positive integers like 1,2, got '${value ?? ''}'`);
  return list;
}

function parseOptions(argv: string[]) {
  const [id, profile, ...flags] = argv;
  const definition = experiments.find((experiment) => experiment.id === id);
  if (!definition || !profile) throw new UsageError(`${usage}\nexperiments: ${experiments.map((experiment) => experiment.id).join(', ')}`);
  const options = { definition, profile, seeds: undefined as number[] | undefined, workers: [1, 2] };
  for (let i = 0; i < flags.length; i += 2) {
    if (flags[i] === '--seeds') options.seeds = integers('--seeds', flags[i + 1]);
    else if (flags[i] === '--workers') options.workers = integers('--workers', flags[i + 1]);
    else throw new UsageError(`bench:workers: unknown argument '${flags[i]}'\n${usage}`);
  }
  return options;
}

async function main(): Promise<number> {
  const { definition, profile, seeds, workers } = parseOptions(process.argv.slice(2));
  const runs: { workers: number; seconds: number; snapshot: string }[] = [];
  for (const count of workers) {
    const scratch = await mkdtemp(join(tmpdir(), 'hw2-bench-workers-'));
    try {
      const started = performance.now();
      const outcome = await runExperiment(definition, {
        profile,
        seeds,
        mode: 'check',
        ci: false,
        workers: count,
        checkpointsDir: join(scratch, 'checkpoints'),
        scratchDir: join(scratch, 'snapshots'),
      });
      const seconds = (performance.now() - started) / 1000;
      const { timings: _timings, ...rest } = JSON.parse(await readFile(outcome.writtenTo!, 'utf8'));
      runs.push({ workers: count, seconds, snapshot: JSON.stringify(rest) });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  const [first] = runs;
  console.log(`\n${definition.id}/${profile}${seeds ? ` seeds ${seeds.join(',')}` : ''}: wall time by worker count (data loading included)`);
  console.log('| workers | wall (s) | speed-up | snapshot (timings aside) |\n| ---: | ---: | ---: | --- |');
  for (const run of runs) {
    const same = run.snapshot === first.snapshot ? 'same' : 'DIFFERENT';
    console.log(`| ${run.workers} | ${run.seconds.toFixed(1)} | ${(first.seconds / run.seconds).toFixed(2)} | ${same} |`);
  }
  return runs.every((run) => run.snapshot === first.snapshot) ? 0 : 1;
}

await runScript('bench:workers', main);
