/**
 * Chooses the tfjs compute backend once per process.
 *
 * TFJS_BACKEND=auto (default) tries tfjs-node-gpu, then tfjs-node (both optional dependencies that only
 * install where libtensorflow can be downloaded), then the JavaScript `cpu` backend of plain tfjs. Naming a
 * backend explicitly that cannot load is an error, never a silent fallback. The choice is logged once and
 * recorded in every snapshot's provenance.
 */
import * as tf from '@tensorflow/tfjs';
import { backendRequests, settings } from '../settings.ts';
import type { BackendRequest } from '../settings.ts';

export { backendRequests };
export type { BackendRequest };

export interface BackendInfo {
  /** What was asked for (TFJS_BACKEND or an option). */
  requested: BackendRequest;
  /** What runs: `node-gpu`, `node` or `cpu`. */
  name: Exclude<BackendRequest, 'auto'>;
  /** The tfjs backend name (`tensorflow` for the native bindings, `cpu` for plain JavaScript). */
  tfjsBackend: string;
  tfjsVersion: string;
  /** Whether the project's fast cpu kernels replace the stock ones (cpu backend only). */
  fastKernels: boolean;
}

export interface BackendOptions {
  /** Default: TFJS_BACKEND. */
  requested?: string;
  /** Default: TFJS_FAST_KERNELS. */
  fastKernels?: boolean;
  log?: (line: string) => void;
}

const nativePackages = { 'node-gpu': '@tensorflow/tfjs-node-gpu', node: '@tensorflow/tfjs-node' } as const;

let chosen: Promise<BackendInfo> | undefined;

/** The process-wide backend; the first call decides, later calls return the same answer. */
export function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  chosen ??= choose(options).catch((error: unknown) => {
    chosen = undefined;
    throw error;
  });
  return chosen;
}

export function parseBackendRequest(value: string | undefined): BackendRequest {
  const request = (value ?? 'auto').trim() || 'auto';
  if (!(backendRequests as readonly string[]).includes(request)) {
    throw new Error(`TFJS_BACKEND=${request} is not a backend; use one of ${backendRequests.join(', ')}`);
  }
  return request as BackendRequest;
}

async function choose(options: BackendOptions): Promise<BackendInfo> {
  const requested = options.requested === undefined ? settings().backend : parseBackendRequest(options.requested);
  const log = options.log ?? ((line: string) => console.error(line));
  const candidates = requested === 'auto' ? (['node-gpu', 'node'] as const) : requested === 'cpu' ? [] : [requested];
  const failures: string[] = [];
  for (const name of candidates) {
    try {
      await loadNative(nativePackages[name]);
      await tf.ready();
      const info: BackendInfo = { requested, name, tfjsBackend: tf.getBackend(), tfjsVersion: tf.version.tfjs, fastKernels: false };
      log(`[backend] ${name} (${nativePackages[name]}, tfjs ${info.tfjsVersion})`);
      return info;
    } catch (error) {
      failures.push(`${nativePackages[name]}: ${firstLine(error)}`);
    }
  }
  if (requested !== 'auto' && requested !== 'cpu') {
    throw new Error(`TFJS_BACKEND=${requested} was asked for but cannot load: ${failures.join('; ')}`);
  }
  // The cpu backend's first tensor prints "install our node backend to speed things up", once per process (so once
  // per worker): the [backend] line below already says what runs and why. tfjs-core's warn() is silent under PROD,
  // which gates nothing else (IS_TEST would also turn on leak checks in every kernel call): no number changes.
  tf.env().set('PROD', true);
  if (!(await tf.setBackend('cpu'))) throw new Error('the tfjs cpu backend failed to initialise');
  await tf.ready();
  const fastKernels = options.fastKernels ?? settings().fastKernels;
  const info: BackendInfo = { requested, name: 'cpu', tfjsBackend: 'cpu', tfjsVersion: tf.version.tfjs, fastKernels: false };
  if (fastKernels) {
    const { registerFastKernels } = await import('./fast-kernels/index.ts');
    registerFastKernels();
    info.fastKernels = true;
  }
  const why = requested === 'auto' && failures.length ? ` (native bindings unavailable: ${failures.join('; ')})` : '';
  log(`[backend] cpu, ${info.fastKernels ? 'fast kernels' : 'stock kernels'}, tfjs ${info.tfjsVersion}${why}`);
  return info;
}

async function loadNative(specifier: string): Promise<void> {
  // A variable specifier keeps bundlers and the type checker from resolving an optional package.
  const name: string = specifier;
  await import(/* @vite-ignore */ name);
}

function firstLine(error: unknown): string {
  if ((error as NodeJS.ErrnoException)?.code === 'ERR_MODULE_NOT_FOUND') return 'not installed';
  return String(error instanceof Error ? error.message : error).split('\n')[0];
}
