/** Where a result came from: code version, machine, runtime, backend. */
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

export interface GitState {
  commit: string;
  dirty: boolean;
  /** Tracked files that differ from the commit (results aside). */
  changed: string[];
}

/**
 * The checkout's commit and which tracked files differ from it; `unknown` outside a git checkout. Snapshots and
 * published models are results, not inputs: rewriting one does not make the next run's code "dirty".
 */
export function gitState(root: string): GitState {
  try {
    const git = (args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const commit = git(['rev-parse', 'HEAD']).trim();
    const status = git(['status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)snapshots', ':(exclude)models']);
    const changed = status
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => line.slice(3));
    return { commit, dirty: changed.length > 0, changed };
  } catch {
    return { commit: 'unknown', dirty: false, changed: [] };
  }
}

export function cpuModel(): string {
  const all = cpus();
  return all.length ? `${all[0].model.trim()} x${all.length}` : 'unknown';
}
