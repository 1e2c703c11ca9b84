/**
 * Folder locks, so that two runs writing into one folder take turns instead of interleaving half-done updates.
 *
 * The lock is `<folder>/.lock`, made by exclusive create (`open(path, 'wx')`) and holding JSON
 * `{pid, startedAt, host}`. A lock whose process is gone (same host, `kill(pid, 0)` fails with ESRCH) is taken
 * over with a log line naming the dead pid; a live holder is waited for (polling, up to a timeout), then the
 * error names its pid, host and start time. Release removes the file only while it is still ours.
 *
 * Within one process, the lock is shared by all async work: two independent tasks that lock the same folder take
 * turns like two processes do. A nested acquisition (the function run under the lock, or anything it awaits,
 * locking the same folder again) can never succeed, since the outer holder waits for it, so it fails at once
 * with a FolderLockError instead of waiting out the timeout.
 *
 * Breaking a stale lock is itself guarded by `<folder>/.lock.break` (exclusive create as well), and the lock is
 * removed only if it still holds the exact text judged stale: two waiters that both saw the dead holder cannot
 * remove each other's fresh lock.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { type FileHandle, open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const LOCK_FILE = '.lock';

export interface LockHolder {
  pid: number;
  /** ISO time the lock was taken. */
  startedAt: string;
  host: string;
}

export interface FolderLockOptions {
  /** Wait for a live holder (default) or fail at once. */
  wait?: boolean;
  /** How long to wait for a live holder before failing (ms); locks guard single writes, so a minute is plenty. */
  timeoutMs?: number;
  /** Receives a line whenever a stale lock is taken over. */
  log?: (line: string) => void;
}

export class FolderLockError extends Error {
  constructor(
    message: string,
    readonly folder: string,
    readonly holder: LockHolder | null,
  ) {
    super(message);
    this.name = 'FolderLockError';
  }
}

const defaultTimeoutMs = 60_000;
const firstPollMs = 5; // a checkpoint or snapshot write takes milliseconds: look again soon, then back off
const maxPollMs = 50;
/** A lock file without readable JSON this old was left by a process killed between create and write. */
const unreadableGraceMs = 10_000;

/** The lock files this process holds now, each with the acquisition holding it (compared by identity). */
const heldHere = new Map<string, Acquired>();

interface Acquired {
  /** Exactly what was written into the lock file. */
  text: string;
}

/** Lock files held by the current async call chain, to catch nested acquisitions. */
const chain = new AsyncLocalStorage<ReadonlySet<string>>();

/** Runs `fn` while holding `<folder>/.lock`; the folder must exist. The lock is released however `fn` ends. */
export async function withFolderLock<T>(folder: string, fn: () => Promise<T> | T, options: FolderLockOptions = {}): Promise<T> {
  const lockPath = join(resolve(folder), LOCK_FILE);
  const outer = chain.getStore() ?? new Set<string>();
  if (outer.has(lockPath)) {
    const holder = parseHolder(heldHere.get(lockPath)?.text ?? '');
    throw new FolderLockError(
      `${folder} is already locked by this call chain (pid ${process.pid}): a nested lock on the same folder would wait for itself`,
      folder,
      holder,
    );
  }
  const acquired = await acquire(folder, lockPath, options);
  try {
    return await chain.run(new Set([...outer, lockPath]), fn);
  } finally {
    await release(lockPath, acquired);
  }
}

async function acquire(folder: string, lockPath: string, options: FolderLockOptions): Promise<Acquired> {
  const { wait = true, timeoutMs = defaultTimeoutMs, log = (line: string) => console.warn(line) } = options;
  const started = Date.now();
  let pollMs = firstPollMs;
  for (;;) {
    const acquired = await tryCreate(lockPath);
    if (acquired !== null) return acquired;
    const seen = await readLock(lockPath);
    if (seen === 'gone') continue; // released between our create and our read: try again at once
    if (isStale(lockPath, seen)) {
      if (await breakStaleLock(lockPath, seen, log)) continue;
    } else if (!wait || Date.now() - started >= timeoutMs) {
      throw lockedError(folder, lockPath, seen.holder, Date.now() - started);
    }
    await sleep(pollMs * (0.5 + Math.random())); // jitter, so waiters do not poll in lockstep
    pollMs = Math.min(2 * pollMs, maxPollMs);
  }
}

/** The new lock when it was ours to take, or null when it exists already. */
async function tryCreate(lockPath: string): Promise<Acquired | null> {
  let handle: FileHandle;
  try {
    handle = await open(lockPath, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw error;
  }
  const holder: LockHolder = { pid: process.pid, startedAt: new Date().toISOString(), host: hostname() };
  const acquired: Acquired = { text: `${JSON.stringify(holder)}\n` };
  // Registered before the JSON is written, so a task of this process that reads the still empty file knows the
  // holder is alive.
  heldHere.set(lockPath, acquired);
  try {
    await handle.writeFile(acquired.text);
  } catch (error) {
    heldHere.delete(lockPath);
    await handle.close();
    await rm(lockPath, { force: true });
    throw error;
  }
  await handle.close();
  return acquired;
}

interface SeenLock {
  text: string;
  /** null while the JSON is not (yet) readable. */
  holder: LockHolder | null;
  modifiedMs: number;
}

async function readLock(lockPath: string): Promise<SeenLock | 'gone'> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    return { text, holder: parseHolder(text), modifiedMs: info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const json = JSON.parse(text) as Partial<LockHolder>;
    if (Number.isInteger(json.pid) && typeof json.startedAt === 'string' && typeof json.host === 'string') return json as LockHolder;
  } catch {
    // written half, or not at all yet
  }
  return null;
}

function isStale(lockPath: string, seen: SeenLock): boolean {
  const { holder } = seen;
  if (holder === null) return !heldHere.has(lockPath) && Date.now() - seen.modifiedMs > unreadableGraceMs;
  if (holder.host !== hostname()) return false; // another machine's process: its liveness cannot be checked
  // Our own pid without our own entry is an earlier process that had this pid (containers reuse small pids).
  if (holder.pid === process.pid) return !heldHere.has(lockPath);
  return !isProcessAlive(holder.pid);
}

/** Whether a process of this host has this pid now (leases use it too: src/lib/fs/lease.ts). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH'; // EPERM: alive, owned by another user
  }
}

/** Removes a lock judged stale, if it still holds the same text; true when removed. */
async function breakStaleLock(lockPath: string, seen: SeenLock, log: (line: string) => void): Promise<boolean> {
  const guardPath = `${lockPath}.break`;
  let guard: FileHandle;
  try {
    guard = await open(guardPath, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another waiter is breaking it. Its guard lives for microseconds; an old one was left by a killed breaker.
    const info = await stat(guardPath).catch(() => null);
    if (info && Date.now() - info.mtimeMs > unreadableGraceMs) await rm(guardPath, { force: true });
    return false;
  }
  try {
    await guard.close();
    const now = await readLock(lockPath);
    if (now === 'gone' || now.text !== seen.text) return false;
    await rm(lockPath, { force: true });
    const who = seen.holder
      ? `pid ${seen.holder.pid} on ${seen.holder.host} (locked since ${seen.holder.startedAt}) is gone`
      : 'it was never written (its process was killed while taking it)';
    log(`taking over the stale lock ${lockPath}: ${who}`);
    return true;
  } finally {
    await rm(guardPath, { force: true });
  }
}

async function release(lockPath: string, acquired: Acquired): Promise<void> {
  try {
    // Still ours unless someone judged us dead and took over; then the lock is theirs to remove.
    if ((await readFile(lockPath, 'utf8')) === acquired.text) await rm(lockPath, { force: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  } finally {
    // By identity: a task of this process may hold the next lock already, with the very same text.
    if (heldHere.get(lockPath) === acquired) heldHere.delete(lockPath);
  }
}

function lockedError(folder: string, lockPath: string, holder: LockHolder | null, waitedMs: number): FolderLockError {
  const who = holder
    ? `pid ${holder.pid}${holder.pid === process.pid && holder.host === hostname() ? ' (this process)' : ''} on ${holder.host}, locked since ${holder.startedAt}`
    : 'a process that is still writing the lock file';
  return new FolderLockError(`${folder} is locked by ${who}; gave up after ${waitedMs} ms (delete ${lockPath} if no such run is going)`, folder, holder);
}
