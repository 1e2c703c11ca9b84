/**
 * Build-time access to snapshots, through the `snapshots` content collection only (never by path), so every
 * snapshot the site shows has passed the shared zod schema. Components call `loadSnapshot`; a missing
 * snapshot fails the build naming the file that should exist.
 */
import { getCollection, getEntry } from 'astro:content';
import type { Snapshot } from '../lib/harness/snapshot.ts';
import { SiteDataError } from './lookup.ts';
import { snapshotFile } from './settings.ts';

export interface LoadedSnapshot {
  snapshot: Snapshot;
  /** The file it came from, project-relative, for messages and hover text. */
  file: string;
}

/** Collection ids are `<experiment>/<profile>`, the snapshot's path below the snapshots folder. */
export function snapshotId(experiment: string, profile: string): string {
  return `${experiment}/${profile}`;
}

export async function loadSnapshot(experiment: string, profile: string): Promise<LoadedSnapshot> {
  const entry = await getEntry('snapshots', snapshotId(experiment, profile));
  const expected = snapshotFile(experiment, profile);
  if (!entry) {
    const available = (await getCollection('snapshots')).map((candidate) => candidate.id).sort();
    throw new SiteDataError(
      `${expected}: no such snapshot for experiment "${experiment}", profile "${profile}" (snapshots: ${available.join(', ') || 'none'}). Run the experiment (npm run experiments:update) or fix the name.`,
    );
  }
  const file = entry.filePath ?? expected;
  const snapshot = entry.data as Snapshot;
  // The path and the content must agree, or the page would quote one run under another's name.
  if (snapshot.experiment !== experiment || snapshot.profile !== profile) {
    throw new SiteDataError(`${file}: holds experiment "${snapshot.experiment}", profile "${snapshot.profile}", but its path says "${experiment}", "${profile}"`);
  }
  return { snapshot, file };
}
