/**
 * PyTorch on the side, for interoperability tests: /usr/bin/python3 with torch and numpy (Debian: apt-get install
 * python3-torch), running a snippet with scripts/ (hw2_torch.py) on its path. Tests skip with `torchProblem()`'s
 * message where it is missing.
 */
import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PYTHON = '/usr/bin/python3';
const scripts = fileURLToPath(new URL('../../scripts/', import.meta.url));

let probed: string | null | undefined;

/** Why PyTorch cannot run here, or null when it can (probed once per process). */
export function torchProblem(): string | null {
  if (probed !== undefined) return probed;
  const probe = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8', timeout: 120_000 });
  if (probe.error) probed = `${PYTHON} cannot run (${(probe.error as NodeJS.ErrnoException).code})`;
  else if (probe.status !== 0)
    probed = `${PYTHON} -c "import torch, numpy" fails (${probe.stderr.trim().split('\n').at(-1)}); Debian: apt-get install python3-torch`;
  else probed = null;
  return probed;
}

/** Runs `code` as `python3 -c code <args>` with scripts/ on sys.path; rejects with Python's stderr. */
export function runPython(code: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ['-c', `import sys\nsys.path.insert(0, ${JSON.stringify(scripts)})\n${code}`, ...args], { timeout: 300_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`python: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
}
