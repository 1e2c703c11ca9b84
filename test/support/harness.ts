/** Helpers for tests that run toy experiments through the harness in a temporary project root. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { RunOptions } from '../../src/lib/harness/runner.ts';

/**
 * A fresh project root under the system temp folder. Every root made here sits at the same depth, so the
 * project-relative keys of files outside it (the toy modules, the backend) read the same in all of them.
 */
export async function tempRoot(prefix: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), `hw2-${prefix}-`));
  made.push(root);
  return root;
}

const made: string[] = [];

/** Removes every root `tempRoot` made in this test file (call it in `afterAll`). */
export async function removeTempRoots(): Promise<void> {
  await Promise.all(made.splice(0).map((root) => rm(root, { recursive: true, force: true })));
}

/** Silent effects whose log lines are kept, for options of `runExperiment`. */
export function quietEffects(): { effects: NonNullable<RunOptions['effects']>; lines: string[] } {
  const lines: string[] = [];
  return { lines, effects: { log: (line) => lines.push(line), progress: () => ({ tick: () => {}, done: () => {} }) } };
}

/** A snapshot file's text with `timings` (everything measured with a clock) taken out. */
export async function withoutTimings(path: string): Promise<string> {
  const { timings: _timings, ...rest } = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  return JSON.stringify(rest, null, 2);
}

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const caller = join(import.meta.dirname, 'call-module.ts');

/**
 * `module[name](...args)` in a fresh Node process (see call-module.ts), so a toy module written or edited during
 * the test runs as it is on disk now; returns the function's result, which must be JSON.
 */
export async function callModule(moduleUrl: string, name: string, args: unknown[] = []): Promise<unknown> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', tsxLoader, caller, moduleUrl, name, JSON.stringify(args)], { encoding: 'utf8' });
  return JSON.parse(stdout);
}
