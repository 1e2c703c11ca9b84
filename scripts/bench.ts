/**
 * `npm run bench`: the fast cpu kernel benchmark (issue 4), experiments/bench/cpu-kernels.ts, run through the
 * harness so its result is a snapshot the site can show: snapshots/bench-cpu-kernels/<profile>.json is
 * rewritten (always run, even when its inputs are unchanged, since timings are what it is for). Under CI
 * snapshots are never rewritten: the run goes to .scratch/snapshots/ instead. Prints the tables and the
 * thresholds and the comparison with the committed snapshot; exits 1 when a threshold fails, 2 on a bad argument.
 *
 *   npx tsx scripts/bench.ts [--profile default|quick] [--out bench.json]
 *
 * --out writes one more copy of the snapshot, anywhere. Set PYTHON to choose the Python that runs PyTorch.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { benchCpuKernels, formatBenchReport } from '../experiments/bench/cpu-kernels.ts';
import { initBackend } from '../src/lib/backend/backend.ts';
import { writeFileAtomic } from '../src/lib/fs/atomic.ts';
import { runExperiment } from '../src/lib/harness/runner.ts';
import { formatSnapshot } from '../src/lib/harness/snapshot.ts';
import { settings } from '../src/lib/settings.ts';
import { runScript, UsageError } from './cli.ts';

interface Options {
  profile: string;
  out?: string;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { profile: 'default' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--profile') {
      if (!value || !(value in benchCpuKernels.profiles)) {
        throw new UsageError(`bench: --profile takes one of ${Object.keys(benchCpuKernels.profiles).join(', ')}, got '${value ?? ''}'`);
      }
      options.profile = value;
      i++;
    } else if (flag === '--out') {
      if (!value) throw new UsageError('bench: --out needs a path');
      options.out = value;
      i++;
    } else throw new UsageError(`bench: unknown argument '${flag}' (see the header of scripts/bench.ts)`);
  }
  return options;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  // The bench compares the kernels of the cpu backend, whatever TFJS_BACKEND says; the fast ones start registered.
  await initBackend({ requested: 'cpu', fastKernels: true, log: (line) => process.stderr.write(`${line}\n`) });
  const { ci } = settings();
  const outcome = await runExperiment(benchCpuKernels, { profile: options.profile, mode: ci ? 'check' : 'update', force: true, ci });
  console.log(`\n${formatBenchReport(outcome.snapshot)}\n`);
  console.log(outcome.report);
  console.log(`\nsnapshot: ${outcome.writtenTo}${ci ? ' (CI: committed snapshots are never rewritten)' : ''}`);
  if (!outcome.thresholdsPassed && !ci) console.log('a threshold failed: the committed snapshot was kept');
  if (options.out) {
    await mkdir(dirname(resolve(options.out)), { recursive: true });
    await writeFileAtomic(resolve(options.out), formatSnapshot(outcome.snapshot));
    console.log(`copy: ${options.out}`);
  }
  return outcome.thresholdsPassed ? 0 : 1;
}

await runScript('bench', main);
