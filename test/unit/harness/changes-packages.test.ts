/** A package entry of a snapshot's sources is vouched for only when the lockfile installs it the same then and now. */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { samePackageInstall } from '../../../src/lib/harness/changes.ts';

let root: string;
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
const lockfile = (packages: Record<string, { version: string; integrity: string }>) =>
  writeFile(join(root, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: { '': {}, ...packages } }));
const core = { version: '4.22.0', integrity: 'sha512-core' };
const long = { version: '4.0.0', integrity: 'sha512-long4' };

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'hw2-changes-'));
  git('init', '-q');
  git('config', 'user.email', 't@example.org');
  git('config', 'user.name', 't');
  await lockfile({
    'node_modules/@tensorflow/tfjs-core': core,
    'node_modules/@tensorflow/tfjs-core/node_modules/long': long,
    'node_modules/long': { version: '5.2.0', integrity: 'sha512-long5' },
  });
  git('add', '.');
  git('commit', '-qm', 'then');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('samePackageInstall', () => {
  it('vouches for a package the lockfile installs the same, nested copies included', () => {
    const commit = git('rev-parse', 'HEAD');
    expect(samePackageInstall(root, commit, '@tensorflow/tfjs-core')).toBe(true);
    expect(samePackageInstall(root, commit, 'long')).toBe(true);
  });

  it('refuses a package whose version or any copy changed, and one the lockfile never held', async () => {
    const commit = git('rev-parse', 'HEAD');
    await lockfile({
      'node_modules/@tensorflow/tfjs-core': { version: '4.22.1', integrity: 'sha512-core2' },
      'node_modules/long': { version: '5.2.0', integrity: 'sha512-long5' },
    });
    expect(samePackageInstall(root, commit, '@tensorflow/tfjs-core')).toBe(false);
    expect(samePackageInstall(root, commit, 'long')).toBe(false); // its nested 4.0.0 copy is gone
    expect(samePackageInstall(root, commit, 'left-pad')).toBe(false);
  });
});
