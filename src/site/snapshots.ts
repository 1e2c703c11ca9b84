/**
 * Build-time access to snapshots, through the `snapshots` content collection only (never by path), so every
 * snapshot the site shows has passed the shared zod schema. Components call `loadSnapshot`; a missing
 * snapshot fails the build naming the file that should exist. Each loaded snapshot carries its staleness
 * (staleness.ts), so every component that prints its numbers can say when they are out of date.
 */
import { getCollection, getEntry } from 'astro:content';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { SiteDataError } from './lookup.ts';
import { projectRoot, snapshotFile } from './settings.ts';
import { judgeFreshness } from './freshness.ts';
import type { Freshness } from './freshness.ts';
import { checkSources } from './staleness.ts';
import type { Staleness } from './staleness.ts';

export interface LoadedSnapshot {
  snapshot: Snapshot;
  /** The file it came from, project-relative, for messages and hover text. */
  file: string;
  /** `<experiment>/<profile>`. */
  id: string;
  staleness: Staleness;
  /** fresh, attested or stale (freshness.ts): what the page says beside its numbers. */
  freshness: Freshness;
}

/** Collection ids are `<experiment>/<profile>`, the snapshot's path below the snapshots folder. */
function snapshotId(experiment: string, profile: string): string {
  return `${experiment}/${profile}`;
}

/** The id of a snapshot's entry on the provenance page. */
export function provenanceAnchor(experiment: string, profile: string): string {
  return `snapshot-${experiment}-${profile}`;
}

export async function loadSnapshot(experiment: string, profile: string): Promise<LoadedSnapshot> {
  const id = snapshotId(experiment, profile);
  const entry = await getEntry('snapshots', id);
  const expected = snapshotFile(experiment, profile);
  if (!entry) {
    const available = (await getCollection('snapshots')).map((candidate) => candidate.id).sort();
    throw new SiteDataError(
      `${expected}: no such snapshot for experiment "${experiment}", profile "${profile}" (snapshots: ${available.join(', ') || 'none'}). Run the experiment (npm run experiments:update) or fix the name.`,
    );
  }
  return settle(id, entry.filePath ?? expected, entry.data as Snapshot, experiment, profile);
}

/** Every snapshot, ordered by experiment then profile, for the provenance page. */
export async function loadAllSnapshots(): Promise<LoadedSnapshot[]> {
  const entries = (await getCollection('snapshots')).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return Promise.all(
    entries.map((entry) => {
      const [experiment, profile] = entry.id.split('/');
      return settle(entry.id, entry.filePath ?? snapshotFile(experiment, profile), entry.data as Snapshot, experiment, profile);
    }),
  );
}

async function settle(id: string, file: string, snapshot: Snapshot, experiment: string, profile: string): Promise<LoadedSnapshot> {
  // The path and the content must agree, or the page would quote one run under another's name.
  if (snapshot.experiment !== experiment || snapshot.profile !== profile) {
    throw new SiteDataError(
      `${file}: holds experiment "${snapshot.experiment}", profile "${snapshot.profile}", but its path says "${experiment}", "${profile}"`,
    );
  }
  const staleness = await checkSources(snapshot.provenance.sources, projectRoot(), file);
  const attestations = await Promise.all(
    (snapshot.attestations ?? []).map(async (attestation) => ({ attestation, staleness: await checkSources(attestation.sources, projectRoot(), file) })),
  );
  return { snapshot, file, id, staleness, freshness: judgeFreshness(staleness, attestations) };
}
