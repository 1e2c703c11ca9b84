/**
 * Which lines a process tree ran, from Node's V8 coverage of tsx-loaded TypeScript (issue 19.2): block coverage is
 * honoured (a branch not taken did not run, though its function did), and a child process's lines count too.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { lineRan, readCoverage } from '../../../src/lib/harness/coverage.ts';
import { removeTempRoots, tempRoot } from '../../support/harness.ts';

afterAll(removeTempRoots);

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const branches = `export function pick(x: number): number {
  const scale: number = 3;
  if (x > 0) {
    return x * scale;
  }
  const fallback = 10_000;
  return fallback;
}

export function unused(x: number): number {
  return x + 1;
}
`;

// The parent takes the positive branch; the child it starts, the other one.
const parent = `import { fork } from 'node:child_process';
import { pick } from './branches.ts';

pick(2);
if (process.argv[2] === 'with-child') {
  await new Promise((resolve) => fork(new URL('./child.ts', import.meta.url), [], { execArgv: process.execArgv }).on('exit', resolve));
}
`;

const child = `import { pick } from './branches.ts';

pick(-1);
`;

async function covered(mode: string) {
  const root = await tempRoot('coverage');
  const folder = join(root, 'coverage');
  const files = { 'package.json': '{ "type": "module" }\n', 'branches.ts': branches, 'parent.ts': parent, 'child.ts': child };
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, name), text);
  await promisify(execFile)(process.execPath, ['--import', tsxLoader, join(root, 'parent.ts'), mode], {
    cwd: root,
    env: { ...process.env, NODE_V8_COVERAGE: folder },
  });
  const coverage = await readCoverage(folder, root);
  return Array.from({ length: 11 }, (_, i) => lineRan(coverage, join(root, 'branches.ts'), i + 1));
}

describe('readCoverage', () => {
  it('maps block coverage back to the TypeScript lines: a branch not taken did not run', async () => {
    expect(await covered('alone')).toEqual([true, true, true, true, true, false, false, true, true, false, false]);
  });

  it('merges the coverage of every process: the child ran the other branch', async () => {
    expect(await covered('with-child')).toEqual([true, true, true, true, true, true, true, true, true, false, false]);
  });
});
