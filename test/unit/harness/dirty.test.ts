/**
 * No baseline from an unknown tree (issue 10.5): update mode refuses to write a committed snapshot while tracked
 * sources differ from the commit, unless told to, and then says so in provenance. Results are not sources.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineExperiment } from '../../../src/lib/harness/experiment.ts';
import { gitState } from '../../../src/lib/harness/provenance.ts';
import { runExperiment } from '../../../src/lib/harness/runner.ts';
import { readSnapshot, snapshotPath } from '../../../src/lib/harness/snapshot.ts';
import { quietEffects, removeTempRoots, tempRoot } from '../../support/harness.ts';

afterAll(removeTempRoots);

/** A git repository holding a toy experiment, a committed snapshot and a published model, all committed. */
async function repository() {
  const root = await tempRoot('dirty');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  git('init', '--quiet');
  await writeFile(join(root, 'experiment.ts'), 'export const answer = 42;\n');
  await writeFile(join(root, 'README.md'), 'toy\n');
  await mkdir(join(root, 'snapshots', 'toy-dirty'), { recursive: true });
  await writeFile(join(root, 'snapshots', 'toy-dirty', 'notes.json'), '{}\n');
  await mkdir(join(root, 'models', 'toy-dirty'), { recursive: true });
  await writeFile(join(root, 'models', 'toy-dirty', 'weights.bin'), 'w');
  git('add', '.');
  git('commit', '--quiet', '-m', 'toy');
  const definition = defineExperiment({
    id: 'toy-dirty',
    title: 'toy in a git repository',
    module: pathToFileURL(join(root, 'experiment.ts')).href,
    config: z.object({ seed: z.number().int().default(1) }).strict(),
    profiles: { smoke: {} },
    thresholds: {},
    baseline: {},
    async data() {
      return { dataset: { id: 'none', description: 'nothing', hash: '0' }, data: undefined };
    },
    async run() {
      return { metrics: { answer: 42 } };
    },
  });
  const update = (allowDirty: boolean) =>
    runExperiment(definition, { root, profile: 'smoke', mode: 'update', ci: false, force: true, allowDirty, workers: 1, effects: quietEffects().effects });
  return { root, git, update, path: snapshotPath(join(root, 'snapshots'), 'toy-dirty', 'smoke') };
}

describe('dirty tree', () => {
  it('refuses to update from a modified tracked file, naming it; allowDirty writes and says so', async () => {
    const repo = await repository();
    await writeFile(join(repo.root, 'experiment.ts'), 'export const answer = 43;\n');
    await expect(repo.update(false)).rejects.toThrow(/refusing to write a committed snapshot from uncommitted sources \(experiment\.ts\)/);
    expect(await readSnapshot(repo.path)).toBeUndefined();

    const outcome = await repo.update(true);
    expect(outcome.writtenTo).toBe(repo.path);
    const snapshot = (await readSnapshot(repo.path))!;
    expect(snapshot.provenance.git).toEqual({ commit: repo.git('rev-parse', 'HEAD').trim(), dirty: true, allowDirty: true });
  });

  it('does not count changes under snapshots/ or models/, nor untracked files', async () => {
    const repo = await repository();
    await writeFile(join(repo.root, 'snapshots', 'toy-dirty', 'notes.json'), '{"rewritten": true}\n');
    await writeFile(join(repo.root, 'models', 'toy-dirty', 'weights.bin'), 'new weights');
    await writeFile(join(repo.root, 'untracked.ts'), 'export {};\n');
    expect(gitState(repo.root)).toMatchObject({ dirty: false, changed: [] });
    await repo.update(false);
    const snapshot = (await readSnapshot(repo.path))!;
    expect(snapshot.provenance.git).toEqual({ commit: repo.git('rev-parse', 'HEAD').trim(), dirty: false });
    // ... and the snapshot just written does not make the next update dirty.
    expect(gitState(repo.root).dirty).toBe(false);
    await expect(repo.update(false)).resolves.toMatchObject({ writtenTo: repo.path });
  });

  it('names every changed file, in the message and in gitState', async () => {
    const repo = await repository();
    await writeFile(join(repo.root, 'README.md'), 'changed\n');
    await writeFile(join(repo.root, 'experiment.ts'), 'export const answer = 0;\n');
    expect(gitState(repo.root)).toMatchObject({ dirty: true, changed: ['README.md', 'experiment.ts'] });
    await expect(repo.update(false)).rejects.toThrow(/\(README\.md, experiment\.ts\)/);
  });
});
