/** Staleness: a snapshot's recorded source hashes against the files as they are now. */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSources } from '../../../src/lib/provenance/sources.ts';
import { SiteDataError } from '../../../src/site/errors.ts';
import { checkSources, describeStaleness } from '../../../src/site/freshness.ts';
import { fakeTfjs, installFakePackages } from '../../support/packages.ts';

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hw2-staleness-'));
  await mkdir(join(root, 'experiments'), { recursive: true });
  await mkdir(join(root, 'src/lib'), { recursive: true });
  await writeFile(join(root, 'experiments/q9.ts'), "import { helper } from '../src/lib/helper.ts';\nexport const q9 = helper;\n");
  await writeFile(join(root, 'src/lib/helper.ts'), 'export const helper = 1; // ünïcode\n');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('checkSources', () => {
  it('finds nothing stale in hashes the harness just recorded', async () => {
    const sources = await hashSources([join(root, 'experiments/q9.ts')], root);
    expect(Object.keys(sources)).toEqual(['experiments/q9.ts', 'src/lib/helper.ts']);
    const staleness = await checkSources(sources, root, 'snapshots/q9/full.json');
    expect(staleness.stale).toBe(false);
    expect(staleness.differing).toEqual([]);
    expect(staleness.sources.map((source) => source.state)).toEqual(['unchanged', 'unchanged']);
    expect(describeStaleness(staleness, 'snapshots/q9/full.json')).toBe('snapshots/q9/full.json: every one of its 2 source files is unchanged since the run');
  });

  it('marks a snapshot stale when a source changed or is gone, and says which', async () => {
    const sources = await hashSources([join(root, 'experiments/q9.ts')], root);
    await writeFile(join(root, 'src/lib/helper.ts'), 'export const helper = 2;\n');
    const staleness = await checkSources({ ...sources, 'src/lib/gone.ts': 'ab'.repeat(32) }, root, 'snapshots/q9/full.json');
    expect(staleness.stale).toBe(true);
    expect(staleness.differing.map(({ path, state }) => ({ path, state }))).toEqual([
      { path: 'src/lib/helper.ts', state: 'changed' },
      { path: 'src/lib/gone.ts', state: 'missing' },
    ]);
    expect(staleness.differing[1].current).toBeNull();
    expect(describeStaleness(staleness, 'snapshots/q9/full.json')).toBe(
      'snapshots/q9/full.json is stale: of the 3 source files its run used, 1 changed and 1 missing since (src/lib/helper.ts, src/lib/gone.ts)',
    );
  });

  it('sees an edit made after a first check (no stale cache)', async () => {
    const path = join(root, 'src/lib/edited.ts');
    await writeFile(path, 'export const a = 1;\n');
    const sources = await hashSources([path], root);
    expect((await checkSources(sources, root, 'x.json')).stale).toBe(false);
    await writeFile(path, 'export const a = 10;\n'); // a different size, so a different cache key even within one mtime tick
    expect((await checkSources(sources, root, 'x.json')).stale).toBe(true);
  });

  it('marks a snapshot stale when a package its packages depend on moves (tfjs-backend-cpu under tfjs)', async () => {
    await installFakePackages(root, fakeTfjs('4.22.0'));
    const path = join(root, 'src/lib/tensors.ts');
    await writeFile(path, "import * as tf from '@tensorflow/tfjs';\nexport const tensors = tf;\n");
    const sources = await hashSources([path], root);
    expect(sources).toHaveProperty(['npm:@tensorflow/tfjs-backend-cpu']);
    expect((await checkSources(sources, root, 'x.json')).stale).toBe(false);
    await installFakePackages(root, { 'node_modules/@tensorflow/tfjs-backend-cpu': fakeTfjs('4.22.1')['node_modules/@tensorflow/tfjs-backend-cpu'] });
    const staleness = await checkSources(sources, root, 'x.json');
    expect(staleness.differing.map(({ path, state }) => ({ path, state }))).toEqual([{ path: 'npm:@tensorflow/tfjs-backend-cpu', state: 'changed' }]);
    await rm(join(root, 'node_modules/@tensorflow/tfjs-backend-cpu'), { recursive: true });
    expect((await checkSources(sources, root, 'x.json')).differing.map(({ path, state }) => ({ path, state }))).toEqual([
      { path: 'npm:@tensorflow/tfjs-backend-cpu', state: 'missing' },
    ]);
  });

  it('refuses source paths outside the project, naming the snapshot', async () => {
    await expect(checkSources({ '../etc/passwd': 'x' }, root, 'snapshots/q9/full.json')).rejects.toThrow(SiteDataError);
    await expect(checkSources({ '/etc/passwd': 'x' }, root, 'snapshots/q9/full.json')).rejects.toThrow(
      'snapshots/q9/full.json: provenance.sources lists "/etc/passwd", which is not a path inside the project',
    );
  });
});
