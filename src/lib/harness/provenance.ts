/** Where a result came from: code version, machine, runtime, backend. */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

export interface GitState {
  commit: string;
  dirty: boolean;
}

/** The checkout's commit and whether tracked files differ from it; `unknown` outside a git checkout. */
export function gitState(root: string): GitState {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

export function cpuModel(): string {
  const all = cpus();
  return all.length ? `${all[0].model.trim()} x${all.length}` : 'unknown';
}
