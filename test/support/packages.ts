/** A fake `node_modules` tree, so tests can move a dependency's version without touching the real install. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface FakePackage {
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/**
 * Writes `<root>/<folder>/package.json` for each entry; a folder is a `node_modules` path, so a nested copy
 * is `node_modules/a/node_modules/b`.
 */
export async function installFakePackages(root: string, packages: Record<string, FakePackage>): Promise<void> {
  for (const [folder, manifest] of Object.entries(packages)) {
    const name = folder.slice(folder.lastIndexOf('node_modules/') + 'node_modules/'.length);
    await mkdir(join(root, folder), { recursive: true });
    await writeFile(join(root, folder, 'package.json'), `${JSON.stringify({ name, ...manifest }, null, 2)}\n`);
  }
}

/** A miniature of `@tensorflow/tfjs` 4.22.0's install: the umbrella, the packages it pulls in, and theirs. */
export function fakeTfjs(backendCpuVersion = '4.22.0'): Record<string, FakePackage> {
  return {
    'node_modules/@tensorflow/tfjs': {
      version: '4.22.0',
      dependencies: {
        '@tensorflow/tfjs-core': '4.22.0',
        '@tensorflow/tfjs-backend-cpu': '4.22.0',
        '@tensorflow/tfjs-layers': '4.22.0',
        '@types/long': '^4.0.1',
      },
    },
    'node_modules/@tensorflow/tfjs-core': { version: '4.22.0', dependencies: { long: '4.0.0', seedrandom: '^3.0.5' } },
    'node_modules/@tensorflow/tfjs-backend-cpu': {
      version: backendCpuVersion,
      dependencies: { seedrandom: '^3.0.5' },
      peerDependencies: { '@tensorflow/tfjs-core': '4.22.0' },
      optionalDependencies: { 'not-installed': '1.0.0' },
    },
    'node_modules/@tensorflow/tfjs-layers': { version: '4.22.0', peerDependencies: { '@tensorflow/tfjs-core': '4.22.0' } },
    'node_modules/@types/long': { version: '4.0.2' },
    // A newer `long` at the top, for someone else; tfjs-core's own copy is nested and is the one it runs.
    'node_modules/long': { version: '5.2.3' },
    'node_modules/@tensorflow/tfjs-core/node_modules/long': { version: '4.0.0' },
    'node_modules/seedrandom': { version: '3.0.5' },
    'node_modules/unrelated': { version: '1.0.0' },
  };
}
