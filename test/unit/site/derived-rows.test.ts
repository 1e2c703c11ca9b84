/**
 * The rows the site derives from a snapshot for its comparison and interval charts (src/site/snapshots.ts), and
 * their CSV downloads (src/site/downloads.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '../../../src/lib/harness/snapshot.ts';
import type { Snapshot } from '../../../src/lib/snapshot-schema.ts';
import { rowKeyPaths, rowsFileName } from '../../../src/site/downloads.ts';
import { COMPARISONS, EVERY_SEED_COMPARISON, EVERY_SEED_INTERVAL, lookupRows } from '../../../src/site/snapshots.ts';
import { loadFixture, projectRoot } from './fixture.ts';

function committed(id: string): Snapshot {
  const file = `snapshots/${id}.json`;
  return parseSnapshot(readFileSync(join(projectRoot, file), 'utf8'), file);
}

describe('derived rows', () => {
  const q2 = committed('q2-cnn/full');

  it("pairs each seed's difference with its seed, the snapshot's own (unrounded) differences", () => {
    const rows = lookupRows(q2, EVERY_SEED_COMPARISON, 'q2.json');
    const chosen = q2.seeds!.comparisons.find((comparison) => comparison.id === 'pooled-minus-strided-best')!;
    const mine = rows.filter((row) => row.comparison === chosen.id);
    expect(mine.map((row) => row.seed)).toEqual(q2.seeds!.list);
    expect(mine.map((row) => row.difference)).toEqual(chosen.perSeed);
    const seed2 = q2.seeds!.perSeed.find((run) => run.seed === 2)!.metrics;
    expect(mine[1].difference).toBeCloseTo(seed2[chosen.a] - seed2[chosen.b], 8);
  });

  it('lists the comparisons themselves without their per-seed lists', () => {
    const rows = lookupRows(q2, COMPARISONS, 'q2.json');
    expect(rows).toHaveLength(q2.seeds!.comparisons.length);
    expect(rows[0]).toMatchObject({ comparison: q2.seeds!.comparisons[0].id, mean: q2.seeds!.comparisons[0].mean, low: q2.seeds!.comparisons[0].low });
    expect(rows[0]).not.toHaveProperty('perSeed');
  });

  it('refuses differences that are not a − b of the seeds listed, naming the comparison', () => {
    const broken = structuredClone(q2);
    broken.seeds!.comparisons[0].perSeed = [...broken.seeds!.comparisons[0].perSeed].reverse();
    expect(() => lookupRows(broken, EVERY_SEED_COMPARISON, 'q2.json')).toThrow(
      `q2.json: seeds.comparisons "${q2.seeds!.comparisons[0].id}" lists 3 differences that are not`,
    );
    const none = { ...q2, seeds: { ...q2.seeds!, comparisons: [] } };
    expect(() => lookupRows(none, COMPARISONS, 'q2.json')).toThrow('q2.json: no paired comparisons (seeds.comparisons is empty)');
  });

  it('reads every metric recorded with its interval, per seed', () => {
    const q3 = committed('q3-asr/listening');
    const rows = lookupRows(q3, EVERY_SEED_INTERVAL, 'q3.json');
    const gap = rows.find((row) => row.seed === 2 && row.metric === 'attention-listening-gap-jaccard')!;
    const seed2 = q3.seeds!.perSeed.find((run) => run.seed === 2)!.metrics;
    expect(gap).toEqual({
      seed: 2,
      metric: 'attention-listening-gap-jaccard',
      value: seed2['attention-listening-gap-jaccard'],
      low: seed2['attention-listening-gap-jaccard-low'],
      high: seed2['attention-listening-gap-jaccard-high'],
    });
    expect(rows.some((row) => String(row.metric).endsWith('-low'))).toBe(false);
    expect(() => lookupRows(loadFixture(), EVERY_SEED_INTERVAL, 'q1.json')).toThrow('q1.json: no metric has a 95% interval');
  });

  it('publishes them as CSV where a snapshot has them', () => {
    expect(rowKeyPaths(q2)).toEqual(expect.arrayContaining([COMPARISONS, EVERY_SEED_COMPARISON]));
    expect(rowKeyPaths(q2)).not.toContain(EVERY_SEED_INTERVAL);
    expect(rowKeyPaths(committed('q3-ljspeech/listening'))).toContain(EVERY_SEED_INTERVAL);
    expect(rowsFileName(EVERY_SEED_COMPARISON)).toBe('seeds.comparisons.perSeed');
  });
});
