/** Helpers shared by the folder-lock tests and their worker process (folder-lock-worker.ts). */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import type { TensorMap } from '../../src/lib/weights/safetensors.ts';

const projectRoot = join(import.meta.dirname, '../..');
const workerScript = join(import.meta.dirname, 'folder-lock-worker.ts');

/** Weights that say which writer saved them and when, so a loaded checkpoint can be checked against its JSON. */
export function checkpointWeights(writer: number, i: number): TensorMap {
  return new Map([
    ['fc.weight', { shape: [2, 2], data: Float32Array.from([writer, i, writer * 1000 + i, -i]) }],
    ['fc.bias', { shape: [2], data: Float32Array.from([i, writer]) }],
  ]);
}

export interface Worker {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the first stdout line that matches. */
  line(pattern: RegExp): Promise<string>;
  /** Resolves with the exit code (or signal) once the process is gone and reaped. */
  exited: Promise<number | NodeJS.Signals>;
  stderr(): string;
}

export function startWorker(...args: string[]): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', workerScript, ...args], { cwd: projectRoot, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  const waiting: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const waiter of [...waiting]) {
      const found = stdout.split('\n').find((line) => waiter.pattern.test(line));
      if (found !== undefined) {
        waiting.splice(waiting.indexOf(waiter), 1);
        waiter.resolve(found);
      }
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | NodeJS.Signals>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const found = stdout.split('\n').find((line) => pattern.test(line));
        if (found !== undefined) return resolve(found);
        waiting.push({ pattern, resolve });
        void exited.then((code) => reject(new Error(`worker exited (${code}) before printing ${pattern}; stderr: ${stderr}`)));
      }),
    exited,
    stderr: () => stderr,
  };
}
