/**
 * `npm run experiments:attest`: for every experiment whose committed snapshots no longer match the sources,
 * rerun its CI profile under the current code, with coverage; where that reproduces its committed snapshot exactly,
 * attest the other snapshots whose changed lines it ran (or that changed by pure renames) and whose config and data
 * description are unchanged (src/lib/harness/attest.ts). Prints what it found and did, with the `file:line` ranges
 * the check never ran; exits 1 when anything stays stale.
 * Refused from a tree with uncommitted sources, as `experiments:update` is: an attestation names a commit, and under
 * CI. A refusal is one line and exit 2; a failure one line and exit 1 (the stack only with HW2_DEBUG=1).
 * `npm run experiments:attest -- q3-asr [...]` looks at the named experiments only (e.g. after one snapshot landed).
 */
import { join } from 'node:path';
import { experiments } from '../experiments/index.ts';
import { attestExperiment } from '../src/lib/harness/attest.ts';
import { ciProfileOf } from '../src/lib/harness/experiment.ts';
import { gitState } from '../src/lib/harness/provenance.ts';
import { projectRoot } from '../src/lib/harness/runner.ts';
import { settings } from '../src/lib/settings.ts';
import { runScript, UsageError } from './cli.ts';

async function main(): Promise<number> {
  const env = settings();
  if (env.ci) throw new UsageError('experiments:attest: CI is set: snapshots are never rewritten in CI; run it outside CI and commit what it writes');
  const named = process.argv.slice(2);
  const unknown = named.filter((id) => !experiments.some((definition) => definition.id === id));
  if (unknown.length > 0)
    throw new UsageError(
      `experiments:attest: no experiment named ${unknown.join(', ')}; they are: ${experiments.map((definition) => definition.id).join(', ')}`,
    );
  const git = gitState(projectRoot);
  if (git.dirty && !env.allowDirty)
    throw new UsageError(`experiments:attest: uncommitted sources (${git.changed.join(', ')}): commit them first, or set HW2_ALLOW_DIRTY=1`);
  const started = performance.now();
  let stale = 0;
  for (const definition of experiments.filter((candidate) => named.length === 0 || named.includes(candidate.id))) {
    const log = (line: string) => process.stderr.write(`[attest] ${line}\n`);
    const cheapProfile = ciProfileOf(definition);
    if (cheapProfile === null) {
      process.stdout.write(`${definition.id}: no CI profile to vouch (a benchmark of speed): rerun it after changes\n`);
      continue;
    }
    let report: Awaited<ReturnType<typeof attestExperiment>>;
    try {
      report = await attestExperiment(definition, { root: projectRoot, snapshotsDir: join(projectRoot, 'snapshots'), cheapProfile, log });
    } catch (error) {
      // One experiment that cannot rerun (its data is missing, say) must not stop the others being vouched for.
      stale += 1;
      process.stdout.write(`${definition.id}: could not rerun ${cheapProfile}, nothing attested: ${(error as Error).message}\n`);
      continue;
    }
    for (const row of report.profiles) {
      if (row.after === 'stale') stale += 1;
      process.stdout.write(`${definition.id}/${row.profile}: ${row.before} -> ${row.after}${row.note ? ` (${row.note})` : ''}\n`);
    }
    for (const moved of report.moved) process.stdout.write(`  moved: ${moved.metric} ${moved.committed} -> ${moved.now}\n`);
  }
  process.stdout.write(`experiments:attest: ${((performance.now() - started) / 1000).toFixed(1)} s; ${stale} snapshot(s) still stale\n`);
  return stale ? 1 : 0;
}

await runScript('experiments:attest', main);
