/**
 * The complete input hash (issue 10.1): files read by path, relative imports and packages are all hashed, so a
 * change to any of them makes update mode run again instead of keeping a snapshot that no longer fits.
 */
import { appendFile, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineExperiment } from '../../../src/lib/harness/experiment.ts';
import { projectRoot, runExperiment } from '../../../src/lib/harness/runner.ts';
import { sha256 } from '../../../src/lib/provenance/hash.ts';
import { hashSources } from '../../../src/lib/provenance/sources.ts';
import { callModule, quietEffects, removeTempRoots, tempRoot } from '../../support/harness.ts';
import { fakeTfjs, installFakePackages } from '../../support/packages.ts';

afterAll(removeTempRoots);

const measuring = `import { readFileSync } from 'node:fs';
import { weight } from './helper.ts';

/** The weighted sum of blob.bin's bytes. */
export function measure(): number {
  return readFileSync(new URL('./blob.bin', import.meta.url)).reduce((sum, byte) => sum + byte, 0) * weight;
}
`;

/** A toy experiment whose module (in `root`) reads a binary file by path and imports a helper. */
async function blobProject() {
  const root = await tempRoot('sources');
  await writeFile(join(root, 'experiment.ts'), measuring);
  await writeFile(join(root, 'helper.ts'), 'export const weight = 2;\n');
  await writeFile(join(root, 'blob.bin'), Uint8Array.from([1, 2, 3]));
  const module = join(root, 'experiment.ts');
  const definition = defineExperiment({
    id: 'toy-blob',
    title: 'toy reading a binary file',
    module: pathToFileURL(module).href,
    config: z.object({ seed: z.number().int().default(1) }).strict(),
    profiles: { smoke: {} },
    thresholds: {},
    baseline: {},
    async data() {
      return { dataset: { id: 'none', description: 'nothing', hash: '0' }, data: undefined };
    },
    async run() {
      return { metrics: { weighted: (await callModule(pathToFileURL(module).href, 'measure')) as number } };
    },
  });
  return { root, definition };
}

describe('input hash', () => {
  it('changes with the bytes of a file the experiment reads by path, so update mode runs again', async () => {
    const { root, definition } = await blobProject();
    const update = (log = quietEffects()) =>
      runExperiment(definition, { root, profile: 'smoke', mode: 'update', ci: false, force: false, allowDirty: false, workers: 1, effects: log.effects });

    const first = await update();
    expect(first.skipped).toBe(false);
    expect(first.writtenTo).toBe(join(root, 'snapshots', 'toy-blob', 'smoke.json'));
    expect(first.snapshot.metrics.weighted).toBe(12);
    const sources = first.snapshot.provenance.sources;
    expect(sources['blob.bin']).toBe(sha256(Uint8Array.from([1, 2, 3])));
    expect(sources['helper.ts']).toBe(sha256(await readFile(join(root, 'helper.ts'))));
    expect(sources['experiment.ts']).toBe(sha256(measuring));

    const log = quietEffects();
    const second = await update(log);
    expect(second.skipped).toBe(true);
    expect(log.lines.join('\n')).toMatch(/inputs unchanged since the committed snapshot/);

    await appendFile(join(root, 'blob.bin'), Uint8Array.from([4]));
    const third = await update();
    expect(third.skipped).toBe(false);
    expect(third.snapshot.metrics.weighted).toBe(20);
    expect(third.snapshot.provenance.sources['blob.bin']).toBe(sha256(Uint8Array.from([1, 2, 3, 4])));
    expect(third.snapshot.provenance.inputHash).not.toBe(first.snapshot.provenance.inputHash);
    const committed = JSON.parse(await readFile(third.writtenTo!, 'utf8'));
    expect(committed.provenance.sources['blob.bin']).toBe(sha256(Uint8Array.from([1, 2, 3, 4])));

    // A relative import counts as much as a file read by path.
    await writeFile(join(root, 'helper.ts'), 'export const weight = 2; // same value, other bytes\n');
    expect((await update()).skipped).toBe(false);
  });

  it("covers the project's kernels, fixtures and packages for q2-cnn", async () => {
    const sources = await hashSources([join(projectRoot, 'experiments/q2/cnn.ts'), join(projectRoot, 'src/lib/backend/backend.ts')], projectRoot);
    const keys = Object.keys(sources);
    expect(keys).toContain('src/lib/backend/fast-kernels/wasm/kernels.wasm');
    expect(sources['src/lib/backend/fast-kernels/wasm/kernels.wasm']).toBe(
      sha256(await readFile(join(projectRoot, 'src/lib/backend/fast-kernels/wasm/kernels.wasm'))),
    );
    const fixtures = keys.filter((key) => key.startsWith('test/fixtures/fashion-mnist/'));
    expect(fixtures.length).toBeGreaterThanOrEqual(4);
    expect(fixtures.some((key) => /images/.test(key)) && fixtures.some((key) => /labels/.test(key))).toBe(true);
    expect(keys).toContain('npm:@tensorflow/tfjs');
    expect(sources['npm:@tensorflow/tfjs']).toBe(
      sha256(`@tensorflow/tfjs@${JSON.parse(await readFile(join(projectRoot, 'node_modules/@tensorflow/tfjs/package.json'), 'utf8')).version}`),
    );
    expect(keys).toContain('src/lib/backend/fast-kernels/wasm.ts');
    // The packages `@tensorflow/tfjs` runs on, each at its installed version.
    for (const name of [
      '@tensorflow/tfjs-core',
      '@tensorflow/tfjs-backend-cpu',
      '@tensorflow/tfjs-layers',
      '@tensorflow/tfjs-converter',
      '@tensorflow/tfjs-data',
      'seedrandom',
    ]) {
      const { version } = JSON.parse(await readFile(join(projectRoot, 'node_modules', name, 'package.json'), 'utf8'));
      expect(sources[`npm:${name}`], name).toBe(sha256(`${name}@${version}`));
    }
    expect(keys.filter((key) => key.startsWith('npm:@types/'))).toEqual([]);
  });

  it("changes a copy of the kernels' .wasm hash when its bytes change", async () => {
    const root = await tempRoot('wasm');
    await mkdir(join(root, 'backend', 'wasm'), { recursive: true });
    await copyFile(join(projectRoot, 'src/lib/backend/fast-kernels/wasm/kernels.wasm'), join(root, 'backend', 'wasm', 'kernels.wasm'));
    await writeFile(join(root, 'experiment.ts'), "import { kernels } from './backend/kernels.ts';\nexport const run = () => kernels;\n");
    await writeFile(join(root, 'backend', 'kernels.ts'), "export const kernels = new URL('./wasm/kernels.wasm', import.meta.url);\n");
    const before = await hashSources([join(root, 'experiment.ts')], root);
    expect(Object.keys(before)).toEqual(['backend/kernels.ts', 'backend/wasm/kernels.wasm', 'experiment.ts']);
    // A valid empty custom section (id 0, size 1, name length 0): the module still loads, but its bytes differ.
    await appendFile(join(root, 'backend', 'wasm', 'kernels.wasm'), Uint8Array.from([0, 1, 0]));
    const after = await hashSources([join(root, 'experiment.ts')], root);
    expect(after['backend/wasm/kernels.wasm']).not.toBe(before['backend/wasm/kernels.wasm']);
    expect(after['backend/wasm/kernels.wasm']).toBe(sha256(await readFile(join(root, 'backend', 'wasm', 'kernels.wasm'))));
    expect(after['backend/kernels.ts']).toBe(before['backend/kernels.ts']);
    await expect(WebAssembly.compile(await readFile(join(root, 'backend', 'wasm', 'kernels.wasm')))).resolves.toBeInstanceOf(WebAssembly.Module);
  });
});

describe('package closure in the input hash', () => {
  const importingTfjs = "import * as tf from '@tensorflow/tfjs';\nexport const version = () => tf.version;\n";

  it('hashes every package @tensorflow/tfjs pulls in at run time, each as Node resolves it from its dependent', async () => {
    const root = await tempRoot('packages');
    await installFakePackages(root, fakeTfjs());
    await writeFile(join(root, 'experiment.ts'), importingTfjs);
    const sources = await hashSources([join(root, 'experiment.ts')], root);
    expect(Object.keys(sources)).toEqual([
      'experiment.ts',
      'npm:@tensorflow/tfjs',
      'npm:@tensorflow/tfjs-backend-cpu',
      'npm:@tensorflow/tfjs-core',
      'npm:@tensorflow/tfjs-layers',
      'npm:long',
      'npm:seedrandom',
    ]);
    expect(sources['npm:@tensorflow/tfjs-backend-cpu']).toBe(sha256('@tensorflow/tfjs-backend-cpu@4.22.0'));
    // tfjs-core's nested copy, not the newer one at the top that nothing in the closure imports.
    expect(sources['npm:long']).toBe(sha256('long@4.0.0'));
  });

  it("bumping @tensorflow/tfjs-backend-cpu's version changes its entry and the input hash, so update mode runs again", async () => {
    const root = await tempRoot('packages');
    await installFakePackages(root, fakeTfjs('4.22.0'));
    const module = join(root, 'experiment.ts');
    await writeFile(module, importingTfjs);
    const definition = defineExperiment({
      id: 'toy-packages',
      title: 'toy importing tfjs',
      module: pathToFileURL(module).href,
      config: z.object({ seed: z.number().int().default(1) }).strict(),
      profiles: { smoke: {} },
      thresholds: {},
      baseline: {},
      async data() {
        return { dataset: { id: 'none', description: 'nothing', hash: '0' }, data: undefined };
      },
      async run() {
        return { metrics: { one: 1 } };
      },
    });
    const update = () =>
      runExperiment(definition, {
        root,
        profile: 'smoke',
        mode: 'update',
        ci: false,
        force: false,
        allowDirty: false,
        workers: 1,
        effects: quietEffects().effects,
      });
    const first = await update();
    expect((await update()).skipped).toBe(true);

    await installFakePackages(root, { 'node_modules/@tensorflow/tfjs-backend-cpu': fakeTfjs('4.22.1')['node_modules/@tensorflow/tfjs-backend-cpu'] });
    const bumped = await update();
    expect(bumped.skipped).toBe(false);
    expect(bumped.snapshot.provenance.inputHash).not.toBe(first.snapshot.provenance.inputHash);
    const changed = Object.keys(bumped.snapshot.provenance.sources).filter(
      (key) => bumped.snapshot.provenance.sources[key] !== first.snapshot.provenance.sources[key],
    );
    expect(changed).toEqual(['npm:@tensorflow/tfjs-backend-cpu']);
  });

  it('hashes every version of a package the closure holds twice, and names a missing dependency and who requires it', async () => {
    const root = await tempRoot('packages');
    await installFakePackages(root, {
      ...fakeTfjs(),
      'node_modules/@tensorflow/tfjs-layers': { version: '4.22.0', dependencies: { long: '^5.0.0' } },
    });
    await writeFile(join(root, 'experiment.ts'), importingTfjs);
    const sources = await hashSources([join(root, 'experiment.ts')], root);
    expect(sources['npm:long']).toBe(sha256('long@4.0.0\nlong@5.2.3'));

    await installFakePackages(root, { 'node_modules/@tensorflow/tfjs-layers': { version: '4.22.0', dependencies: { 'gone-package': '1.0.0' } } });
    await expect(hashSources([join(root, 'experiment.ts')], root)).rejects.toThrow(
      'hashing experiment sources: package gone-package (required by @tensorflow/tfjs-layers@4.22.0) is not installed',
    );
  });
});
