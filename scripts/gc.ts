/**
 * `npm run experiments:gc [-- --dry-run] [--root <folder>]`: removes the checkpoint folders under
 * `.cache/checkpoints/` that nothing needs, and lists every folder it keeps and removes with the reason (a live
 * run's lease, the inputs of a committed snapshot, superseded; see src/lib/harness/checkpoints.ts). Runs never
 * remove other runs' folders when they start; this is the explicit clean-up. `--dry-run` removes nothing and says
 * what it would remove; `--root` sweeps another checkout (its `.cache/checkpoints/` against its `snapshots/`).
 * Exit 2 on a bad argument.
 */
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectGarbage } from '../src/lib/harness/checkpoints.ts';
import { runScript, UsageError } from './cli.ts';

const usage = 'usage: npm run experiments:gc -- [--dry-run] [--root <folder>]';

function parseOptions(argv: string[]): { dryRun: boolean; root: string } {
  const options = { dryRun: false, root: fileURLToPath(new URL('..', import.meta.url)) };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--dry-run') options.dryRun = true;
    else if (argv[i] === '--root' && argv[i + 1] !== undefined) options.root = resolve(argv[++i]);
    else throw new UsageError(`experiments:gc: ${argv[i] === '--root' ? '--root needs a folder' : `unknown argument '${argv[i]}'`}\n${usage}`);
  }
  return options;
}

async function main(): Promise<number> {
  const { dryRun, root } = parseOptions(process.argv.slice(2));
  const checkpointsDir = join(root, '.cache', 'checkpoints');
  const shown = (path: string) => {
    const local = relative(root, path);
    return local.startsWith('..') || isAbsolute(local) ? path : local;
  };
  const verdicts = await collectGarbage({ checkpointsDir, snapshotsDir: join(root, 'snapshots'), dryRun, log: (line) => console.error(line) });
  for (const verdict of verdicts) console.log(`${verdict.action.padEnd(12)} ${shown(verdict.folder)}: ${verdict.why.replaceAll(`${root}/`, '')}`);
  const count = (action: string) => verdicts.filter((verdict) => verdict.action === action).length;
  const removed = dryRun ? `${count('would remove')} would be removed (dry run: nothing removed)` : `${count('removed')} removed`;
  console.log(`experiments:gc: ${shown(checkpointsDir)}: ${count('kept')} kept, ${removed}`);
  return 0;
}

await runScript('experiments:gc', main);
