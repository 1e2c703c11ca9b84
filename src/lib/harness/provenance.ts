/** Where a result came from: code version, machine, runtime, backend. */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

export interface GitState {
  commit: string;
  dirty: boolean;
}

/**
 * The checkout's commit and whether tracked files differ from it; `unknown` outside a git checkout. Snapshots
 * are results, not inputs: rewriting one does not make the next run's code "dirty".
 */
export function gitState(root: string): GitState {
  try {
    const git = (args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = git(['rev-parse', 'HEAD']).trim();
    const status = git(['status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)snapshots']);
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

export function cpuModel(): string {
  const all = cpus();
  return all.length ? `${all[0].model.trim()} x${all.length}` : 'unknown';
}
