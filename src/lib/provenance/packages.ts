/**
 * The npm packages an experiment's numbers depend on: every package its modules import and, transitively, every
 * package those declare as run-time dependencies, found as Node finds them. `@tensorflow/tfjs` alone is a thin
 * re-export: the kernels that compute are in `tfjs-core`, `tfjs-backend-cpu`, `tfjs-layers`, ..., so bumping one of
 * those must change the input hash even when the project's own imports and lockfile line for `tfjs` do not move.
 *
 * Each package is read from its installed `package.json` (the `node_modules` metadata, which is what actually runs,
 * rather than the lockfile, which may disagree with a tree installed by hand). Its `dependencies` must be installed;
 * its `optionalDependencies` and `peerDependencies` count when installed (npm skips an optional package whose
 * install fails, and a peer, when present, is the copy the package imports at run time). `@types/*` packages are
 * left out with their dependencies: they hold declarations only, which no run executes, and `@types/node` moves
 * with every editor update.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A bare import of `name` by the file at `from`. */
export interface PackageImport {
  name: string;
  from: string;
}

interface Manifest {
  version?: unknown;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

interface Wanted {
  name: string;
  /** The folder Node starts looking from: the importing file's, or the depending package's real folder. */
  from: string;
  /** Who wants it, reported when it is not installed; undefined when it may be absent. */
  requiredBy: string | undefined;
}

export interface Installed {
  /** `name` -> the versions installed of it within the closure, sorted: one, unless a nested copy at another version is also reached. */
  versions: Map<string, string[]>;
  /** Every package.json read, so a caller can tell whether the install has moved since. */
  manifests: string[];
  /** Required packages that are not installed, with who requires them: a broken install. */
  missing: Array<{ name: string; requiredBy: string }>;
}

/** The packages in the run-time dependency closure of `imports`. */
export async function installedPackages(imports: PackageImport[]): Promise<Installed> {
  const versions = new Map<string, Set<string>>();
  const visited = new Set<string>();
  const missing: Installed['missing'] = [];
  const pending: Wanted[] = imports.map(({ name, from }) => ({ name, from: dirname(from), requiredBy: from }));
  while (pending.length) {
    const { name, from, requiredBy } = pending.pop()!;
    if (name.startsWith('@types/')) continue;
    const folder = await findPackage(name, from);
    if (folder === undefined) {
      if (requiredBy !== undefined) missing.push({ name, requiredBy });
      continue;
    }
    if (visited.has(folder)) continue;
    visited.add(folder);
    const manifestPath = join(folder, 'package.json');
    const manifest = await readManifest(manifestPath);
    if (typeof manifest.version !== 'string') throw new Error(`hashing experiment sources: ${manifestPath} has no version`);
    versions.set(name, (versions.get(name) ?? new Set()).add(manifest.version));
    const optional = { ...manifest.peerDependencies, ...manifest.optionalDependencies };
    const label = `${name}@${manifest.version}`;
    for (const dependency of Object.keys(manifest.dependencies ?? {}))
      if (!(dependency in optional)) pending.push({ name: dependency, from: folder, requiredBy: label });
    for (const dependency of Object.keys(optional)) pending.push({ name: dependency, from: folder, requiredBy: undefined });
  }
  return {
    versions: new Map([...versions].map(([name, found]) => [name, [...found].sort()])),
    manifests: [...visited].map((folder) => join(folder, 'package.json')),
    missing,
  };
}

/**
 * The real folder of the package `name` as Node's resolution finds it from the folder `from`: the nearest
 * `node_modules/<name>` walking up (skipping `node_modules` folders themselves), symlinks resolved, as Node
 * resolves a package's own imports from its real path. Undefined when none holds a package.json.
 */
async function findPackage(name: string, from: string): Promise<string | undefined> {
  for (let folder = from; ; folder = dirname(folder)) {
    if (basename(folder) !== 'node_modules') {
      const candidate = join(folder, 'node_modules', name);
      if (await isFile(join(candidate, 'package.json'))) return realpath(candidate);
    }
    if (dirname(folder) === folder) return undefined;
  }
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}

async function readManifest(path: string): Promise<Manifest> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Manifest;
  } catch (error) {
    throw new Error(`hashing experiment sources: cannot read ${path} (${(error as Error).message})`);
  }
}
