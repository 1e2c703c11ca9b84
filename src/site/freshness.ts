/**
 * Is a snapshot still what the code would produce now? Three states, decided here and nowhere else:
 *
 * - `fresh`: every source the run hashed (`provenance.sources`) hashes the same today;
 * - `attested`: some differ, but an attestation (`snapshot.attestations`, written by `npm run experiments:attest`
 *   when a rerun of the experiment's CI profile under changed code reproduced its committed snapshot exactly)
 *   recorded today's sources: every source it lists hashes the same today;
 * - `stale`: some differ and no attestation vouches for today's sources.
 *
 * The harness records the sha256 of every source file in the experiment's import graph and an input hash over
 * config, sources, data hash and engine (src/lib/harness/runner.ts). Of those, only the sources can be checked
 * when the site is built: the config resolution, the data set and the backend are known only to a run. So a
 * source counts as changed here when it now hashes differently or is gone, hashed exactly as the harness hashes it
 * (src/lib/provenance/sources.ts: a file's bytes; for an `npm:<package>` entry, the installed package's name and
 * version, over the same dependency closure of the listed modules' imports), so an unchanged input reads as unchanged.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import { sha256 } from '../lib/provenance/hash.ts';
import { currentPackageHashes, currentSourceHash } from '../lib/provenance/sources.ts';
import type { Attestation, Snapshot } from '../lib/snapshot-schema.ts';
import { SiteDataError } from './errors.ts';

export type FreshnessState = 'fresh' | 'attested' | 'stale';

export interface Freshness {
  state: FreshnessState;
  /** The attestation that vouches for today's sources, when the state is `attested`. */
  attestation?: Attestation;
}

export type SourceState = 'unchanged' | 'changed' | 'missing';

export interface SourceStatus {
  /** Project-relative, as the snapshot lists it. */
  path: string;
  recorded: string;
  /** The hash of the file now; null when the file is gone. */
  current: string | null;
  state: SourceState;
}

export interface Staleness {
  stale: boolean;
  /** Every listed source, in the snapshot's (sorted) order. */
  sources: SourceStatus[];
  /** The changed and missing ones. */
  differing: SourceStatus[];
}

/** A snapshot's sources compared with the files under `root`, and what that makes it: fresh, attested or stale. */
export async function assessFreshness(snapshot: Snapshot, root: string, file: string): Promise<{ staleness: Staleness; freshness: Freshness }> {
  const staleness = await checkSources(snapshot.provenance.sources, root, file);
  const attestations = await Promise.all(
    (snapshot.attestations ?? []).map(async (attestation) => ({ attestation, staleness: await checkSources(attestation.sources, root, file) })),
  );
  return { staleness, freshness: judgeFreshness(staleness, attestations) };
}

/** `attestations`: each attestation of the snapshot with the comparison of its recorded sources to today's. */
export function judgeFreshness(staleness: Staleness, attestations: Array<{ attestation: Attestation; staleness: Staleness }>): Freshness {
  if (!staleness.stale) return { state: 'fresh' };
  const vouching = attestations.findLast((candidate) => !candidate.staleness.stale);
  return vouching ? { state: 'attested', attestation: vouching.attestation } : { state: 'stale' };
}

/** One sentence for hover text and screen readers. */
export function describeFreshness(freshness: Freshness): string {
  switch (freshness.state) {
    case 'fresh':
      return 'fresh: every source file its run used is unchanged';
    case 'attested': {
      const { vouchedBy, date, commit } = freshness.attestation!;
      return `attested: its sources changed, and a run of ${vouchedBy.experiment}/${vouchedBy.profile} at commit ${commit.slice(0, 7)} on ${date.slice(0, 10)} vouched that the change leaves these numbers as they are`;
    }
    case 'stale':
      return 'stale: source files its run used have changed since, and no later run vouches for them';
  }
}

/**
 * Compares the recorded hashes with the files under `root`. `file` names the snapshot in errors: a source path
 * that leaves the project is an error, not a stale snapshot, since it means the snapshot was not written by the
 * harness.
 */
export async function checkSources(sources: Record<string, string>, root: string, file: string): Promise<Staleness> {
  const entries = Object.entries(sources);
  const files = new Map(
    await Promise.all(entries.filter(([path]) => !path.startsWith(npmPrefix)).map(async ([path]) => [path, await hashProjectFile(root, path, file)] as const)),
  );
  const packages = entries.some(([path]) => path.startsWith(npmPrefix)) ? await packageHashes(files, root) : {};
  const statuses = entries.map(([path, recorded]): SourceStatus => {
    const current = (path.startsWith(npmPrefix) ? packages[path] : files.get(path)) ?? null;
    const state: SourceState = current === null ? 'missing' : current === recorded ? 'unchanged' : 'changed';
    return { path, recorded, current, state };
  });
  const differing = statuses.filter((status) => status.state !== 'unchanged');
  return { stale: differing.length > 0, sources: statuses, differing };
}

/** One line for hover text and screen readers. */
export function describeStaleness(staleness: Staleness, file: string): string {
  if (!staleness.stale) return `${file}: every one of its ${staleness.sources.length} source files is unchanged since the run`;
  const changed = staleness.differing.filter((status) => status.state === 'changed').length;
  const missing = staleness.differing.length - changed;
  const parts = [changed > 0 ? `${changed} changed` : '', missing > 0 ? `${missing} missing` : ''].filter(Boolean);
  return `${file} is stale: of the ${staleness.sources.length} source files its run used, ${parts.join(' and ')} since (${staleness.differing
    .slice(0, 3)
    .map((status) => status.path)
    .join(', ')}${staleness.differing.length > 3 ? ', …' : ''})`;
}

const npmPrefix = 'npm:';

// A build renders many components from one snapshot; each file is read once per modification (keyed by its
// mtime and size, so `astro dev` still sees edits).
const hashCache = new Map<string, { key: string; hash: Promise<string | null> }>();

// The package closure of a snapshot's modules, once per content of those modules, kept while every package.json
// it read holds the same bytes (a few dozen small reads instead of resolving the closure again per component).
const packageCache = new Map<string, { manifests: string[]; digest: string; hashes: Record<string, string> }>();

async function packageHashes(files: Map<string, string | null>, root: string): Promise<Record<string, string>> {
  const key = JSON.stringify([root, [...files]]);
  const cached = packageCache.get(key);
  if (cached && (await manifestsDigest(cached.manifests)) === cached.digest) return cached.hashes;
  const { hashes, manifests, missing } = await currentPackageHashes([...files.keys()], root);
  // A missing package has no package.json to watch for its return, so that answer is not kept.
  if (missing.length === 0) packageCache.set(key, { manifests, digest: await manifestsDigest(manifests), hashes });
  return hashes;
}

async function manifestsDigest(paths: string[]): Promise<string> {
  const texts = await Promise.all(paths.map((path) => readFile(path, 'utf8').catch(() => '')));
  return sha256(JSON.stringify(texts));
}

async function hashProjectFile(root: string, path: string, file: string): Promise<string | null> {
  const relativePath = normalize(path);
  if (isAbsolute(path) || relativePath === '..' || relativePath.startsWith('../') || relativePath.startsWith('..\\')) {
    throw new SiteDataError(`${file}: provenance.sources lists "${path}", which is not a path inside the project`);
  }
  const absolute = join(root, relativePath);
  let key: string;
  try {
    const info = await stat(absolute);
    if (!info.isFile()) return null;
    key = `${info.mtimeMs}:${info.size}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw error;
  }
  const cached = hashCache.get(absolute);
  if (cached && cached.key === key) return cached.hash;
  const hash = currentSourceHash(relativePath, root);
  hashCache.set(absolute, { key, hash });
  return hash;
}
