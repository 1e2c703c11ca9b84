/**
 * The whole site build against fixture snapshots, to show that a number the write-up quotes but the snapshot
 * lacks stops `astro build` with the file and the key in the message. A real build: about 20 s on two cores.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureSnapshotsDir, projectRoot } from './fixture.ts';

const folders: string[] = [];

afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

interface BuildResult {
  code: number | null;
  output: string;
}

/** `astro build` into a scratch folder inside the project (Astro resolves its server chunks from there). */
async function buildSite(prepare: (snapshotsDir: string) => Promise<void>): Promise<BuildResult & { snapshotsDir: string }> {
  await mkdir(join(projectRoot, '.scratch'), { recursive: true });
  const work = await mkdtemp(join(projectRoot, '.scratch', 'site-build-'));
  folders.push(work);
  const snapshotsDir = join(work, 'snapshots');
  await cp(fixtureSnapshotsDir, snapshotsDir, { recursive: true });
  await prepare(snapshotsDir);
  const result = await new Promise<BuildResult>((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(projectRoot, 'node_modules/astro/astro.js'), 'build', '--outDir', join(work, 'dist')], {
      cwd: projectRoot,
      env: {
        ...process.env,
        SNAPSHOTS_DIR: relative(projectRoot, snapshotsDir),
        ASTRO_CACHE_DIR: join(work, 'cache'),
        ASTRO_TELEMETRY_DISABLED: '1',
        NODE_ENV: 'production',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, output }));
  });
  return { ...result, snapshotsDir };
}

describe('astro build', () => {
  it('fails naming the snapshot file and the key when a quoted key is missing', { timeout: 240_000 }, async () => {
    const { code, output, snapshotsDir } = await buildSite(async (folder) => {
      // Whichever profile the chapter quotes, the key is gone.
      for (const profile of ['smoke', 'full']) {
        const path = join(folder, 'q1-linear-attention', `${profile}.json`);
        const snapshot = JSON.parse(await readFile(path, 'utf8'));
        delete snapshot.timings.values.slopeLinear;
        await writeFile(path, JSON.stringify(snapshot, null, 2));
      }
    });
    expect(code, output).not.toBe(0);
    const file = `${relative(projectRoot, snapshotsDir)}/q1-linear-attention/`;
    expect(output).toMatch(new RegExp(`${escape(file)}(smoke|full)\\.json: no key "timings\\.values\\.slopeLinear"`));
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
