/**
 * Runs one of the project's command-line scripts as a child process (`node --import tsx scripts/<name>.ts`), from
 * the repository root, on the cpu backend like the in-process side of the tests.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(script: 'transcribe' | 'classify' | 'bench-workers' | 'gc', args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `scripts/${script}.ts`, ...args],
      { cwd: repositoryRoot, env: { ...process.env, TFJS_BACKEND: 'cpu' }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        if (code === null) reject(error);
        else resolve({ code, stdout, stderr });
      },
    );
  });
}
