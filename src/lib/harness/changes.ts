/**
 * What changed in an experiment's sources since a snapshot was made, and what of it the check did not run.
 *
 * The snapshot records only hashes; the text it was made from is read from git at the commit it records (and
 * checked against the recorded hash, so a run from uncommitted sources is not compared with the wrong text).
 * A changed line is vouched for when it is part of a pure rename, move or format change (token-diff.ts) or the
 * check ran it (coverage.ts). A removal is vouched for when the check ran the code on both sides of it.
 * A package cannot be checked line by line: its entry is vouched for only when the lockfile pins the same install of it
 * at the snapshot's commit and now (every `node_modules/…/<name>` entry with the same version and integrity), which
 * is how an entry the hashing did not record then (the package closure, issue 19) is told apart from a new version.
 * A file that is not source code cannot be checked at all: a change to one is never vouched for.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LineCoverage } from './coverage.ts';
import { lineRan } from './coverage.ts';
import { sha256 } from '../provenance/hash.ts';
import type { FileVersions } from './token-diff.ts';
import { substantiveChanges } from './token-diff.ts';

const sourceFile = /\.(ts|mts|cts|js|mjs|cjs)$/;

export interface Unexercised {
  /** Changed entries no line check applies to (packages, data files, text not in git), each with why. */
  uncheckable: string[];
  /** `file:line` ranges of changes that are not pure renames and that the check did not run. */
  notRun: string[];
}

/**
 * What the check cannot vouch for in the change from `recorded` (a snapshot's sources, made at `commit`) to
 * `current`; both lists empty when it can vouch for all of it.
 */
export async function unexercisedChanges(options: {
  root: string;
  commit: string;
  recorded: Record<string, string>;
  current: Record<string, string>;
  coverage: LineCoverage;
}): Promise<Unexercised> {
  const { root, commit, recorded, current, coverage } = options;
  const uncheckable: string[] = [];
  const notRun: string[] = [];
  const files: FileVersions[] = [];
  const unchanged: Array<{ path: string; text: string }> = [];
  for (const key of [...new Set([...Object.keys(recorded), ...Object.keys(current)])].sort()) {
    const before = recorded[key];
    const now = current[key];
    const checkable = sourceFile.test(key) && !key.startsWith('npm:') && !key.startsWith('../');
    if (before === now) {
      if (checkable) unchanged.push({ path: key, text: await readFile(join(root, key), 'utf8') });
      continue;
    }
    if (key.startsWith('npm:') && samePackageInstall(root, commit, key.slice('npm:'.length))) continue;
    if (!checkable) {
      uncheckable.push(
        `${key} ${now === undefined ? 'removed' : before === undefined ? 'added' : 'changed'} (${key.startsWith('npm:') ? 'a package the lockfile installs differently since' : 'not project source code'}: not checkable line by line)`,
      );
      continue;
    }
    const old = before === undefined ? undefined : textAt(root, commit, key);
    if (before !== undefined && (old === undefined || sha256(old) !== before)) {
      uncheckable.push(`${key}: the text it had when the snapshot was made is not in git at ${commit.slice(0, 12)} (made from uncommitted sources?)`);
      continue;
    }
    files.push({ path: key, old, now: now === undefined ? undefined : await readFile(join(root, key), 'utf8') });
  }
  if (uncheckable.length) return { uncheckable, notRun };

  for (const { path, changes, newCodeLines } of substantiveChanges(files, unchanged)) {
    const ran = (line: number) => lineRan(coverage, join(root, path), line);
    const lines = new Set<number>();
    for (const change of changes) {
      if (change.codeLines.length) {
        for (const line of change.codeLines.filter((line) => !ran(line))) lines.add(line);
        continue;
      }
      // Code removed (or turned into comments): judged by the code around it, which now runs in its place.
      const before = newCodeLines.filter((line) => line < change.newStart).at(-1);
      const after = newCodeLines.find((line) => line >= change.newEnd);
      for (const line of [before, after]) if (line !== undefined && !ran(line)) lines.add(line);
    }
    notRun.push(...lineRanges([...lines].sort((a, b) => a - b)).map((range) => `${path}:${range}`));
  }
  return { uncheckable, notRun };
}

/**
 * Whether package-lock.json installs `name` the same at `commit` and now: the same lockfile entries for it (every
 * copy, nested ones included), each with the same version and integrity. False when either lockfile is missing or
 * holds no entry for it.
 */
export function samePackageInstall(root: string, commit: string, name: string): boolean {
  const then = textAt(root, commit, 'package-lock.json');
  const now = readLockfile(join(root, 'package-lock.json'));
  if (then === undefined || now === undefined) return false;
  const entries = lockEntries(then, name);
  return entries !== '[]' && entries === lockEntries(now, name);
}

function readLockfile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The lockfile's entries for package `name`, as canonical text: path, version and integrity of each copy. */
function lockEntries(lockText: string, name: string): string {
  const packages = (JSON.parse(lockText) as { packages?: Record<string, { version?: string; integrity?: string }> }).packages ?? {};
  const entries = Object.entries(packages)
    .filter(([path]) => path === `node_modules/${name}` || path.endsWith(`/node_modules/${name}`))
    .map(([path, entry]) => [path, entry.version ?? null, entry.integrity ?? null])
    .sort(([a], [b]) => (String(a) < String(b) ? -1 : 1));
  return JSON.stringify(entries);
}

/** A file's text at a commit, or undefined when git does not have it there. */
function textAt(root: string, commit: string, path: string): string | undefined {
  try {
    return execFileSync('git', ['show', `${commit}:./${path}`], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch {
    return undefined;
  }
}

/** Sorted line numbers as ranges: [3, 4, 5, 9] -> ['3-5', '9']. */
function lineRanges(lines: number[]): string[] {
  const ranges: string[] = [];
  for (let i = 0; i < lines.length; ) {
    let end = i;
    while (end + 1 < lines.length && lines[end + 1] === lines[end] + 1) end += 1;
    ranges.push(end === i ? `${lines[i]}` : `${lines[i]}-${lines[end]}`);
    i = end + 1;
  }
  return ranges;
}
