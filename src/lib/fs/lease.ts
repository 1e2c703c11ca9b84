/**
 * Leases: a file in a folder saying that a live process is using it, so that nobody removes the folder under it
 * and, for an exclusive lease (a claim), nobody else does the same work in it at the same time.
 *
 * Each holder has a file of its own, `<folder>/lease-<pid>-<random hex>.json`, holding JSON
 * `{pid, host, startedAt, processStart, holder}`. Leases are taken and checked under the folder's lock
 * (`lock.ts`) and written atomically (`atomic.ts`), so a lease is either fully there or not at all.
 *
 * A lease is live while its process is: on this host, `kill(pid, 0)` succeeds and, where `/proc` tells a
 * process's start time, the process with that pid is the one that took the lease (containers reuse small pids).
 * A lease of this process's own pid is live only while this process holds it. A lease from another host is
 * counted as live, since its process cannot be checked from here: whoever needs it gone is told which file it is.
 * Release removes the file; a process that exits without releasing leaves a lease that is no longer live.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './atomic.ts';
import { isProcessAlive, withFolderLock } from './lock.ts';

const leaseSchema = z
  .object({
    pid: z.number().int().positive(),
    host: z.string().min(1),
    startedAt: z.string().datetime(), // when the lease was taken
    processStart: z.string().optional(), // the process's start time in clock ticks after boot (Linux /proc), to tell a reused pid
    holder: z.string(), // what holds it, for messages: `q2-cnn/full update run`
  })
  .strict();

export type LeaseRecord = z.output<typeof leaseSchema>;

/** A lease file as found: what it says and whether its holder is live (and why). */
export interface FoundLease {
  file: string;
  lease: LeaseRecord;
  live: boolean;
  why: string;
}

/** A lease file as found, or why it could not be read. */
export type SeenLease = FoundLease | { file: string; problem: string };

export interface Lease {
  file: string;
  lease: LeaseRecord;
  release(): Promise<void>;
}

export interface LeaseOptions {
  /** Receives a line for each lease of a process that is gone, removed when a lease is taken. */
  log: (line: string) => void;
}

const leaseName = /^lease-\d+-[0-9a-f]{8}\.json$/;

/** The lease files this process holds now (absolute paths). */
const heldHere = new Set<string>();

/** Takes a lease that others may share (runs of the same inputs share their checkpoint folder); makes the folder. */
export async function takeLease(folder: string, holder: string, options: LeaseOptions): Promise<Lease> {
  return underLock(folder, options, async () => {
    await dropDeadLeases(folder, options);
    return writeLease(folder, holder);
  });
}

/**
 * Takes an exclusive lease, unless another live holder has one: then that holder, so the caller can wait for it
 * or say who it is. A lease file that cannot be read is an error naming it, never a silent takeover.
 */
export async function claimLease(folder: string, holder: string, options: LeaseOptions): Promise<{ lease: Lease } | { heldBy: FoundLease }> {
  return underLock(folder, options, async () => {
    const seen = await dropDeadLeases(folder, options);
    for (const entry of seen) if ('problem' in entry) throw new Error(`${entry.file}: ${entry.problem}; delete it if no run is using ${folder}`);
    const live = seen.find((entry): entry is FoundLease => 'lease' in entry && entry.live);
    if (live) return { heldBy: live };
    return { lease: await writeLease(folder, holder) };
  });
}

/** Every lease file in the folder (none when the folder does not exist), each judged live or not. */
export async function readLeases(folder: string): Promise<SeenLease[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
  const seen: SeenLease[] = [];
  for (const name of names.filter((entry) => leaseName.test(entry)).sort()) {
    const file = join(resolve(folder), name);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // released while we looked
      throw error;
    }
    seen.push(parseLease(file, text));
  }
  return seen;
}

function parseLease(file: string, text: string): SeenLease {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { file, problem: `not a lease: not valid JSON (${(error as Error).message})` };
  }
  const parsed = leaseSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { file, problem: `not a lease: ${issue.path.join('.') || 'the file'}: ${issue.message}` };
  }
  return { file, lease: parsed.data, ...liveness(file, parsed.data) };
}

/** Whether a lease's process is still running, and in words why it counts as live or not. */
function liveness(file: string, lease: LeaseRecord): { live: boolean; why: string } {
  if (lease.host !== hostname())
    return { live: true, why: `held on another host (${lease.host}), whose processes cannot be checked from here: counted as live` };
  if (lease.pid === process.pid) {
    return heldHere.has(resolve(file))
      ? { live: true, why: 'held by this process' }
      : { live: false, why: `pid ${lease.pid} is this process now, which never took it` };
  }
  if (!isProcessAlive(lease.pid)) return { live: false, why: `pid ${lease.pid} is gone` };
  const start = processStart(lease.pid);
  if (lease.processStart !== undefined && start !== undefined && start !== lease.processStart)
    return { live: false, why: `pid ${lease.pid} is another process now (its holder is gone)` };
  return { live: true, why: `pid ${lease.pid} is running` };
}

/** `holder (pid P on H since T)`, for messages. */
export function describeLease(lease: LeaseRecord): string {
  return `${lease.holder} (pid ${lease.pid} on ${lease.host}, since ${lease.startedAt})`;
}

/**
 * Runs `fn` under the folder's lock, making the folder first. A folder removed while we waited for its lock (a
 * clean-up renames a folder away under that lock) is made again and locked afresh.
 */
async function underLock<T>(folder: string, options: LeaseOptions, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    await mkdir(folder, { recursive: true });
    try {
      return await withFolderLock(folder, fn, { log: options.log });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || existsSync(folder)) throw error;
    }
  }
}

/** Removes the leases whose process is gone (under the folder's lock), logging each; returns the rest. */
async function dropDeadLeases(folder: string, options: LeaseOptions): Promise<SeenLease[]> {
  const kept: SeenLease[] = [];
  for (const entry of await readLeases(folder)) {
    if ('lease' in entry && !entry.live) {
      await rm(entry.file, { force: true });
      options.log(`removed the lease ${entry.file} of ${describeLease(entry.lease)}: ${entry.why}`);
    } else {
      kept.push(entry);
    }
  }
  return kept;
}

async function writeLease(folder: string, holder: string): Promise<Lease> {
  const file = join(resolve(folder), `lease-${process.pid}-${randomBytes(4).toString('hex')}.json`);
  const lease: LeaseRecord = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), processStart: processStart(process.pid), holder };
  if (lease.processStart === undefined) delete lease.processStart;
  await writeFileAtomic(file, `${JSON.stringify(lease)}\n`);
  heldHere.add(file);
  releaseAtExit();
  return {
    file,
    lease,
    async release() {
      heldHere.delete(file);
      await rm(file, { force: true });
    },
  };
}

let exitHook = false;

/** A process that ends without releasing (process.exit in a script) removes its leases on the way out. */
function releaseAtExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const file of heldHere) rmSync(file, { force: true });
  });
}

/** The process's start time in clock ticks after boot (field 22 of `/proc/<pid>/stat`), where `/proc` exists. */
function processStart(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis.
  return stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .at(19);
}
