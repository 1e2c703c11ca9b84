/** Loads the snapshots the site tests share: the Q1 fixtures, and the Q3 smoke run for curves over seeds. */
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

/** The committed Q3 smoke snapshot: per-epoch curves of both decoders, one seed. */
export const q3SmokeFile = 'snapshots/q3-asr/smoke.json';

export function loadQ3Smoke(): Snapshot {
  return parseSnapshot(readFileSync(join(projectRoot, q3SmokeFile), 'utf8'), q3SmokeFile);
}

/**
 * `snapshot` as if it had run `seeds`: each seed's curves are the snapshot's own with the `scaled` columns times
 * 1 + (index - 1) / 10 (0.9, 1 and 1.1 for three seeds), so for three seeds their mean is the snapshot's value
 * and their sample sd a tenth of it.
 */
export function withSeeds(snapshot: Snapshot, seeds: number[], scaled: string[]): Snapshot {
  const factor = (index: number) => 1 + (index - 1) / 10;
  const perSeed = seeds.map((seed, index) => ({
    seed,
    metrics: snapshot.metrics,
    curves: Object.fromEntries(
      Object.entries(snapshot.curves).map(([name, rows]) => [
        name,
        rows.map((row) =>
          Object.fromEntries(
            Object.entries(row).map(([key, value]) => [key, scaled.includes(key) && typeof value === 'number' ? value * factor(index) : value]),
          ),
        ),
      ]),
    ),
  }));
  return { ...snapshot, seeds: { list: seeds, shown: seeds[0], perSeed, aggregates: {}, comparisons: [] } };
}
