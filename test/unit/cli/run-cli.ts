/**
 * Runs one of the project's command-line scripts as a child process (`node --import tsx scripts/<name>.ts`), from
 * the repository root, on the cpu backend like the in-process side of the tests. `env` is added to (or, with
 * `undefined` values, removed from) the test process's environment.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

type Script = 'transcribe' | 'classify' | 'bench' | 'bench-workers' | 'experiment' | 'attest' | 'calibrate' | 'gc';

export function runCli(script: Script, args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  return runNode(['--import', 'tsx', `scripts/${script}.ts`, ...args], env);
}

/** `node <args>` from the repository root, as runCli runs a script. */
export function runNode(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const merged: NodeJS.ProcessEnv = { ...process.env, TFJS_BACKEND: 'cpu' };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete merged[name];
    else merged[name] = value;
  }
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: repositoryRoot, env: merged, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      if (code === null) reject(error);
      else resolve({ code, stdout, stderr });
    });
  });
}
