/** Loads the Q1 fixture snapshot the site tests share. */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSnapshot } from '../../../src/lib/harness/snapshot.ts';
import type { Snapshot } from '../../../src/lib/snapshot-schema.ts';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const fixtureSnapshotsDir = join(projectRoot, 'test/fixtures/snapshots');
export const fixtureFile = 'test/fixtures/snapshots/q1-linear-attention/full.json';

export function loadFixture(profile: 'smoke' | 'full' = 'full'): Snapshot {
  const path = join(fixtureSnapshotsDir, 'q1-linear-attention', `${profile}.json`);
  return parseSnapshot(readFileSync(path, 'utf8'), path);
}
