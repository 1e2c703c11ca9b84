/**
 * The published weights the site serves, at `/models/<experiment>/<profile>/<name>.safetensors`
 * (src/pages/models/…): every published file a snapshot lists and the checkout holds, byte for byte. Its sha256 is
 * checked against the snapshot first: the build fails rather than serve weights their snapshot does not vouch for.
 * The chapters' "try it" sections (src/components/try-it.ts) run them in the page.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readArtifactBytes } from '../lib/models/published-files.ts';
import type { Artifact } from '../lib/snapshot-schema.ts';
import { projectRoot } from './settings.ts';
import { loadAllSnapshots } from './snapshots.ts';
import type { LoadedSnapshot } from './snapshots.ts';

/** A published file the site serves: listed by a snapshot, present in the checkout, under models/. */
export interface ServedModel {
  loaded: LoadedSnapshot;
  artifact: Artifact;
  /** `[experiment, profile, name]` of `models/<experiment>/<profile>/<name>.safetensors`. */
  parts: [string, string, string];
}

/** Where the site serves a published file, below the base. */
export function modelPath(artifact: Artifact): string {
  return `/${artifact.file}`;
}

/** The published files of one snapshot that the site serves. */
export function servedBy(loaded: LoadedSnapshot): ServedModel[] {
  return (loaded.snapshot.artifacts ?? []).flatMap((artifact) => {
    const match = /^models\/([^/]+)\/([^/]+)\/([^/]+)\.safetensors$/.exec(artifact.file);
    if (!match || !existsSync(join(projectRoot(), artifact.file))) return [];
    return [{ loaded, artifact, parts: [match[1], match[2], match[3]] as [string, string, string] }];
  });
}

/** Every published file the site serves. */
export async function servedModels(): Promise<ServedModel[]> {
  return (await loadAllSnapshots()).flatMap(servedBy);
}

/** The bytes the site serves for a published file, checked against its snapshot. */
export function servedBytes(model: ServedModel): Promise<Uint8Array> {
  return readArtifactBytes(projectRoot(), model.artifact, model.loaded.file);
}
