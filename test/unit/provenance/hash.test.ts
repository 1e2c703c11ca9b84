/**
 * The library's source hash (what the site compares a snapshot's recorded sources with) agrees with the hashes the
 * harness records, for a file and for an npm package, so an unchanged source never reads as changed.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentSourceHash as harnessCurrentSourceHash, hashSources, sha256 as harnessSha256 } from '../../../src/lib/harness/sources.ts';
import { currentSourceHash, sha256 } from '../../../src/lib/provenance/hash.ts';

let root: string;

beforeAll(async () => {
  // Inside the project, so a package resolves from its node_modules as it does for the harness and the site.
  await mkdir(join(process.cwd(), '.scratch'), { recursive: true });
  root = await mkdtemp(join(process.cwd(), '.scratch', 'provenance-hash-'));
  await mkdir(join(root, 'src'), { recursive: true });
  await writeFile(join(root, 'src/entry.ts'), "import { z } from 'zod';\nexport const entry = z.string(); // ünïcode\n");
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('currentSourceHash', () => {
  it('gives the hash the harness records, for a file and for a package', async () => {
    const recorded = await hashSources([join(root, 'src/entry.ts')], root);
    expect(Object.keys(recorded)).toEqual(['npm:zod', 'src/entry.ts']);
    expect(await currentSourceHash('src/entry.ts', root)).toBe(recorded['src/entry.ts']);
    expect(await currentSourceHash('npm:zod', root)).toBe(recorded['npm:zod']);
    // The harness's own copy, which this module replaces once the harness is next attested, agrees.
    for (const key of Object.keys(recorded)) expect(await harnessCurrentSourceHash(key, root)).toBe(recorded[key]);
  });

  it('gives null for a file or a package that is gone', async () => {
    expect(await currentSourceHash('src/gone.ts', root)).toBeNull();
    expect(await currentSourceHash('npm:no-such-package-hw2', root)).toBeNull();
  });

  it('hashes as the harness hashes, text and bytes alike', () => {
    for (const content of ['', 'abc', new Uint8Array([0, 255, 7])]) expect(sha256(content)).toBe(harnessSha256(content));
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
