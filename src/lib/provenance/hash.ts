/**
 * The project's one sha256, and the hash a recorded source has today. A snapshot records the sha256 of every
 * source its run used (`provenance.sources`: a file's bytes, or `<package>@<version>` for an `npm:<package>`
 * entry); the site compares those with `currentSourceHash` to tell a fresh snapshot from a stale one. This module
 * is the library's, so the site never imports the harness.
 *
 * The harness (src/lib/harness/sources.ts) still holds its own copies of `sha256` and the package hash: it is a
 * hashed source of twelve committed snapshots, so moving its copies here waits for a round of attestation.
 * test/unit/provenance/hash.test.ts holds the two to the same hashes meanwhile.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** How a snapshot names a package among its sources: `npm:<package>`. */
const npmPrefix = 'npm:';

export function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/**
 * The hash source `key` (a project-relative path, or `npm:<package>`) has now under `root`, taken exactly as the
 * harness takes it when it records the sources; null when the file or package is gone.
 */
export async function currentSourceHash(key: string, root: string): Promise<string | null> {
  if (key.startsWith(npmPrefix)) return packageHash(key.slice(npmPrefix.length), join(root, 'package.json')).catch(() => null);
  return readFile(join(root, key)).then(sha256, () => null);
}

/** The hash of `<name>@<version>` for the package `name` as the module at `from` resolves it. */
async function packageHash(name: string, from: string): Promise<string> {
  const require = createRequire(pathToFileURL(from));
  let manifestPath: string;
  try {
    manifestPath = require.resolve(`${name}/package.json`);
  } catch {
    // Packages whose `exports` hide package.json: walk up from the entry point to the folder named after it.
    let folder = dirname(require.resolve(name));
    while (!folder.endsWith(join('node_modules', name)) && dirname(folder) !== folder) folder = dirname(folder);
    manifestPath = join(folder, 'package.json');
  }
  const { version } = JSON.parse(await readFile(manifestPath, 'utf8')) as { version: string };
  return sha256(`${name}@${version}`);
}
