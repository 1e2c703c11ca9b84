/**
 * The checkpoint folders of runs, `<checkpoints>/<experiment>/<profile>/<parts hash>/` (a folder per seed and part
 * inside), and what may remove them.
 *
 * A run holds a lease (`../fs/lease.ts`) on its folder from the moment it knows its inputs until it ends; runs of
 * the same inputs share the folder, and each part is claimed by the process computing it (`parts.ts`). Nothing
 * is removed when a run starts. Clean-up (a sweep of an experiment and profile) happens when a run succeeds, over
 * the other folders of its experiment and profile, and on `npm run experiments:gc`, over all of them. It keeps
 *   - a folder that a live run holds (a lease on it, or a claim on one of its parts),
 *   - the folder of the inputs the committed snapshot stands for (a rerun, or a run of more seeds, reuses it),
 *   - anything that is not a run's folder,
 * removes the rest, and says for each folder what it did and why. A folder is removed by renaming it away under
 * its lock once no live lease is found in it, so no run can take a lease on a folder that is being removed.
 *
 * An attested snapshot stands for inputs no run has computed under: its seeds were run under the inputs it was made
 * from, and the attestation says the current code computes the same numbers from them. A run of the attested
 * inputs (more seeds, say) therefore takes those seeds' parts from the earlier folder (`adoptAttestedSeeds`)
 * instead of training them again.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic.ts';
import { isProcessAlive, withFolderLock } from '../fs/lock.ts';
import { describeLease, type Lease, readLeases, takeLease } from '../fs/lease.ts';
import { readTextIfExists } from '../fs/read.ts';
import type { Snapshot } from '../snapshot-schema.ts';
import { readSnapshot, snapshotPath } from './snapshot.ts';
import { hashJson } from '../provenance/hash.ts';
import { seedFolder } from './parts.ts';

/** Beside the seed folders: the full parts hash, so a sweep can tell which snapshot a folder stands for. */
const inputsFile = 'inputs.json';
const inputsSchema = z.object({ partsHash: z.string().regex(/^[0-9a-f]{64}$/) }).strict();

/** The folders this process is removing now (renamed away, being deleted), so a concurrent sweep leaves them be. */
const removingHere = new Set<string>();

/** A run's folder is named by the first 16 hex digits of its parts hash. */
const runFolderName = /^[0-9a-f]{16}$/;
/** A folder being removed: renamed to `.removing-<name>-<pid>-<hex>` first, then deleted. */
const removingName = /^\.removing-.+-(\d+)-[0-9a-f]{8}$/;

/** The input hash of a run of these seeds over the parts of this parts hash: what a snapshot records. */
export function inputHashOf(partsHash: string, seeds: number[]): string {
  return hashJson({ partsHash, seeds });
}

/** The inputs a snapshot stands for now: its own, or those of its latest attestation. */
export function currentInputHash(snapshot: Snapshot): string {
  return snapshot.attestations?.at(-1)?.toInputHash ?? snapshot.provenance.inputHash;
}

/** Takes a lease on `<profile folder>/<parts hash>` for `holder` (making the folder) and records its inputs. */
export async function openRunFolder(
  profileFolder: string,
  partsHash: string,
  holder: string,
  log: (line: string) => void,
): Promise<{ folder: string; lease: Lease }> {
  const folder = join(profileFolder, partsHash.slice(0, 16));
  const lease = await takeLease(folder, holder, { log });
  try {
    // Under our lease no sweep removes the folder, so the record cannot vanish between this check and the write.
    if ((await readTextIfExists(join(folder, inputsFile))) === undefined) await writeFileAtomic(join(folder, inputsFile), `${JSON.stringify({ partsHash })}\n`);
  } catch (error) {
    await lease.release();
    throw error;
  }
  return { folder, lease };
}

/**
 * Copies into `folder` (the run's own, held under its lease) the seed folders of `seeds` that the committed
 * snapshot's attestation vouches for and `folder` lacks: only when the snapshot, as attested, stands for the run's
 * inputs (`partsHash` with the snapshot's seeds), from the folder of inputs it stood for before (made from, or
 * attested to earlier). Each copy lands under a temporary name and is renamed into place. Returns the seeds copied
 * and the folder they came from.
 */
export async function adoptAttestedSeeds(
  profileFolder: string,
  folder: string,
  partsHash: string,
  committed: Snapshot | undefined,
  seeds: number[],
): Promise<{ seeds: number[]; from: string | undefined }> {
  const none = { seeds: [], from: undefined };
  const attestations = committed?.attestations ?? [];
  if (!committed || attestations.length === 0) return none;
  const committedSeeds = committed.provenance.seeds ?? [committed.provenance.seed];
  if (inputHashOf(partsHash, committedSeeds) !== currentInputHash(committed)) return none;
  const earlier = new Set([committed.provenance.inputHash, ...attestations.map((attestation) => attestation.fromInputHash)]);
  for (const name of await namesIn(profileFolder)) {
    const source = join(profileFolder, name);
    if (!runFolderName.test(name) || source === folder) continue;
    const inputs = await readInputs(source);
    if (!inputs || !earlier.has(inputHashOf(inputs.partsHash, committedSeeds))) continue;
    const copied: number[] = [];
    for (const seed of seeds.filter((seed) => committedSeeds.includes(seed))) {
      if ((await isFolder(seedFolder(folder, seed))) || !(await isFolder(seedFolder(source, seed)))) continue;
      const landing = `${seedFolder(folder, seed)}.adopting-${process.pid}`;
      await cp(seedFolder(source, seed), landing, { recursive: true });
      await rename(landing, seedFolder(folder, seed));
      copied.push(seed);
    }
    return { seeds: copied, from: source };
  }
  return none;
}

export interface SweepVerdict {
  folder: string;
  action: 'kept' | 'removed' | 'would remove';
  why: string;
}

/** The committed snapshot of the swept experiment and profile: none, one, or one that cannot be read. */
export type Committed = { path: string; snapshot: Snapshot | undefined } | { path: string; problem: string };

export interface SweepOptions {
  /** The folder name of the run that sweeps (the first 16 digits of its parts hash): never removed. */
  own?: string;
  committed: Committed;
  /** Only say what would be removed. */
  dryRun?: boolean;
  /** Receives a line whenever a stale lock is taken over. */
  log: (line: string) => void;
}

/** Sweeps one experiment and profile's checkpoint folders (see the module comment); a verdict per entry, by name. */
export async function sweepCheckpoints(profileFolder: string, options: SweepOptions): Promise<SweepVerdict[]> {
  let names: string[];
  try {
    names = (await readdir(profileFolder)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const verdicts: SweepVerdict[] = [];
  for (const name of names) {
    const verdict = await sweepOne(join(profileFolder, name), name, options);
    if (verdict) verdicts.push(verdict);
  }
  return verdicts;
}

async function sweepOne(folder: string, name: string, options: SweepOptions): Promise<SweepVerdict | undefined> {
  const kept = (why: string): SweepVerdict => ({ folder, action: 'kept', why });
  const removing = removingName.exec(name);
  if (removing) {
    const pid = Number(removing[1]);
    if (pid === process.pid ? removingHere.has(folder) : isProcessAlive(pid)) return kept(`being removed by pid ${pid}`);
    if (!options.dryRun) await rm(folder, { recursive: true, force: true });
    return { folder, action: options.dryRun ? 'would remove' : 'removed', why: `left by an interrupted removal (pid ${pid} is gone)` };
  }
  if (!runFolderName.test(name) || !(await isFolder(folder))) {
    return kept("not a run's checkpoint folder (its name is not a parts hash): left alone");
  }
  if (name === options.own) return kept("this run's folder");
  const inputs = await readInputs(folder);
  const { committed } = options;
  if ('problem' in committed)
    return kept(`the committed snapshot ${committed.path} cannot be read (${committed.problem}), so which folder it stands for is unknown`);
  const { snapshot } = committed;
  if (snapshot && inputs && inputHashOf(inputs.partsHash, snapshot.provenance.seeds ?? [snapshot.provenance.seed]) === currentInputHash(snapshot))
    return kept(`the inputs of the committed snapshot ${committed.path}`);

  const superseded = `superseded: no live run holds it and ${
    !inputs
      ? `it records no inputs (${inputsFile}: made before runs recorded them)`
      : snapshot
        ? `the committed snapshot ${committed.path} stands for other inputs`
        : `no snapshot is committed at ${committed.path}`
  }`;
  if (options.dryRun) {
    const holder = await heldBy(folder);
    return holder ? kept(holder) : { folder, action: 'would remove', why: superseded };
  }
  const trash = join(folder, '..', `.removing-${name}-${process.pid}-${randomBytes(4).toString('hex')}`);
  let holder: string | undefined;
  try {
    holder = await withFolderLock(
      folder,
      async () => {
        const found = await heldBy(folder);
        if (found) return found;
        removingHere.add(trash);
        await rename(folder, trash); // from here on nobody can lease it: its path is free
        return undefined;
      },
      { log: options.log },
    );
  } catch (error) {
    removingHere.delete(trash);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !existsSync(folder)) return undefined; // another sweep removed it
    throw error;
  }
  if (holder) return kept(holder);
  try {
    await rm(trash, { recursive: true, force: true });
  } finally {
    removingHere.delete(trash);
  }
  return { folder, action: 'removed', why: superseded };
}

/** Why the folder is held: a live lease on it or a live claim on one of its parts (or an unreadable lease file). */
async function heldBy(folder: string): Promise<string | undefined> {
  const places = [folder];
  for (const seed of await namesIn(folder)) {
    if (seed.startsWith('seed-')) for (const part of await namesIn(join(folder, seed))) places.push(join(folder, seed, part));
  }
  for (const place of places) {
    for (const seen of await readLeases(place)) {
      if ('problem' in seen) return `${seen.file}: ${seen.problem}; kept until that file is deleted`;
      if (seen.live) return `held by ${describeLease(seen.lease)}: ${seen.why}`;
    }
  }
  return undefined;
}

async function readInputs(folder: string): Promise<z.output<typeof inputsSchema> | undefined> {
  const text = await readTextIfExists(join(folder, inputsFile));
  if (text === undefined) return undefined;
  try {
    return inputsSchema.parse(JSON.parse(text));
  } catch {
    return undefined; // treated as a folder that records no inputs
  }
}

/** The entries of a folder; none when it is not there (removed by another sweep while a dry run looked) or is a file. */
async function namesIn(folder: string): Promise<string[]> {
  return readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
    throw error;
  });
}

async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

/** The committed snapshot at `path`: absent, read, or unreadable (with the reason). */
async function committedSnapshot(path: string): Promise<Committed> {
  try {
    return { path, snapshot: await readSnapshot(path) };
  } catch (error) {
    return { path, problem: (error as Error).message };
  }
}

/**
 * `npm run experiments:gc`: sweeps every experiment and profile under `checkpointsDir`, each against its committed
 * snapshot in `snapshotsDir`. Returns every verdict; removes nothing on a dry run.
 */
export async function collectGarbage(options: {
  checkpointsDir: string;
  snapshotsDir: string;
  dryRun: boolean;
  log: (line: string) => void;
}): Promise<SweepVerdict[]> {
  const verdicts: SweepVerdict[] = [];
  for (const experiment of await foldersIn(options.checkpointsDir)) {
    for (const profile of await foldersIn(join(options.checkpointsDir, experiment))) {
      const committed = await committedSnapshot(snapshotPath(options.snapshotsDir, experiment, profile));
      verdicts.push(...(await sweepCheckpoints(join(options.checkpointsDir, experiment, profile), { committed, dryRun: options.dryRun, log: options.log })));
    }
  }
  return verdicts;
}

async function foldersIn(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}
