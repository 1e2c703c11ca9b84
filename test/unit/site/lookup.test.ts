import { describe, expect, it } from 'vitest';
import { SiteDataError } from '../../../src/site/errors.ts';
import { findCheck, lookup, lookupNumber, lookupRows, lookupSeedRows, requireColumns } from '../../../src/site/snapshots.ts';
import { fixtureFile, loadFixture, loadQ3Smoke, q3SmokeFile, withSeeds } from './fixture.ts';

const snapshot = loadFixture();

describe('lookup', () => {
  it('reads metrics and timing values by key path', () => {
    expect(lookupNumber(snapshot, 'metrics.featureDimD3K3', fixtureFile)).toBe(13);
    expect(lookupNumber(snapshot, 'timings.values.slopeSoftmax', fixtureFile)).toBe(snapshot.timings.values.slopeSoftmax);
  });

  it('reads keys that themselves contain dots', () => {
    const dotted = { ...snapshot, metrics: { ...snapshot.metrics, 'testAccuracy.lr0.01': 0.8355 } };
    expect(lookupNumber(dotted, 'metrics.testAccuracy.lr0.01', fixtureFile)).toBe(0.8355);
  });

  it('names the file, the key and what exists when a key is missing', () => {
    const read = () => lookupNumber(snapshot, 'metrics.featureDimD4K3', fixtureFile);
    expect(read).toThrow(SiteDataError);
    expect(read).toThrow(`${fixtureFile}: no key "metrics.featureDimD4K3" ("metrics" has approximationErrorScale1, featureDimD3K3, featureDimSymmetricD3K3`);
  });

  it('names the file and key when a top-level field is missing', () => {
    expect(() => lookup(snapshot, 'metric.featureDimD3K3', fixtureFile)).toThrow(
      `${fixtureFile}: no key "metric.featureDimD3K3" (the snapshot has schemaVersion`,
    );
  });

  it('refuses a key path that walks through a number', () => {
    expect(() => lookup(snapshot, 'metrics.featureDimD3K3.value', fixtureFile)).toThrow('"metrics.featureDimD3K3" is a number 13, not an object');
  });

  it('refuses empty segments', () => {
    expect(() => lookup(snapshot, 'metrics..x', fixtureFile)).toThrow('"metrics..x" is not a key path');
  });

  it('wants a finite number, and says what it found instead', () => {
    expect(() => lookupNumber(snapshot, 'tables.flops', fixtureFile)).toThrow('"tables.flops" is an array of 6, expected a finite number');
    const diverged = { ...snapshot, metrics: { ...snapshot.metrics, loss: null as unknown as number } };
    expect(() => lookupNumber(diverged, 'metrics.loss', fixtureFile)).toThrow('"metrics.loss" is null, expected a finite number');
  });

  it('reads rows and refuses non-rows', () => {
    const rows = lookupRows(snapshot, 'timings.curves.cost', fixtureFile);
    expect(rows.length).toBe(12);
    expect(rows[0]).toEqual({ L: 256, method: 'softmax', seconds: expect.any(Number) });
    expect(() => lookupRows(snapshot, 'metrics', fixtureFile)).toThrow('"metrics" is an object, expected rows');
  });

  it('requires every shown column in every row', () => {
    const rows = lookupRows(snapshot, 'tables.flops', fixtureFile);
    expect(() => requireColumns(rows, ['L', 'flops'], 'tables.flops', fixtureFile)).toThrow(
      `${fixtureFile}: "tables.flops" row 0 has no column "flops" (it has L, D, M, softmaxFlops, linearFlops)`,
    );
    expect(() => requireColumns([], ['L'], 'tables.flops', fixtureFile)).toThrow('has no rows');
  });

  it('finds checks by id and lists the ids when one is missing', () => {
    const { id } = snapshot.checks[2];
    expect(findCheck(snapshot, id, fixtureFile)).toBe(snapshot.checks[2]);
    expect(() => findCheck(snapshot, 'no-such-check', fixtureFile)).toThrow(
      `${fixtureFile}: no check with id "no-such-check" (checks: ${snapshot.checks[0].id},`,
    );
  });
});

describe('lookupSeedRows', () => {
  const smoke = loadQ3Smoke();
  const threeSeeds = withSeeds(smoke, [1, 2, 3], ['trainLoss']);

  it('reads one curve of every seed, in seed order, each row tagged with its seed', () => {
    const rows = lookupRows(threeSeeds, 'seeds.perSeed[*].curves.epochs', q3SmokeFile);
    const curve = smoke.curves.epochs;
    expect(rows.length).toBe(3 * curve.length);
    expect(rows.map((row) => row.seed)).toEqual([1, 2, 3].flatMap((seed) => curve.map(() => seed)));
    expect(rows[curve.length]).toEqual({ ...threeSeeds.seeds!.perSeed[1].curves.epochs[0], seed: 2 });
    expect(rows[2 * curve.length].trainLoss).toBeCloseTo(1.1 * Number(curve[0].trainLoss), 12);
    expect(lookupSeedRows(threeSeeds, 'epochs', q3SmokeFile)).toEqual(rows);
  });

  it('falls back to the top-level curve, tagged with the one seed, when the snapshot has no seeds section', () => {
    const older = { ...smoke, seeds: undefined };
    expect(lookupRows(older, 'seeds.perSeed[*].curves.epochs', q3SmokeFile)).toEqual(
      smoke.curves.epochs.map((row) => ({ ...row, seed: smoke.provenance.seed })),
    );
  });

  it('names the file, the key and the seed when a curve is missing', () => {
    const gap = structuredClone(threeSeeds);
    gap.seeds!.perSeed[1].curves = {};
    expect(() => lookupRows(gap, 'seeds.perSeed[*].curves.epochs', q3SmokeFile)).toThrow(
      `${q3SmokeFile}: no key "seeds.perSeed[1].curves.epochs" (seed 2; "seeds.perSeed[1].curves" has none)`,
    );
    expect(() => lookupSeedRows({ ...smoke, seeds: undefined }, 'epoch', q3SmokeFile)).toThrow(
      `${q3SmokeFile}: no key "curves.epoch" (seed 1; "curves" has epochs)`,
    );
  });

  it('refuses rows that already have a seed column', () => {
    const tagged = structuredClone(threeSeeds);
    tagged.seeds!.perSeed[0].curves.epochs[3].seed = 7;
    expect(() => lookupSeedRows(tagged, 'epochs', q3SmokeFile)).toThrow(`${q3SmokeFile}: "seeds.perSeed[0].curves.epochs" row 3 already has a column "seed"`);
  });
});
