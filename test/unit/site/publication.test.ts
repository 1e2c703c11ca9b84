/** The pieces behind issue 13's pages: freshness, run details, spreads, readable data-set and check texts. */
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../src/lib/snapshot-schema.ts';
import { checkNameHtml, checkNameText } from '../../../src/components/checks.ts';
import { compactList, formatCount, formatSpread } from '../../../src/site/format.ts';
import { judgeFreshness } from '../../../src/site/freshness.ts';
import { rerunCommand, runDetails } from '../../../src/components/run-details.ts';
import { rowKeyPaths, rowsDownloadPath, toCsv } from '../../../src/site/downloads.ts';
import { readableDescription } from '../../../src/site/provenance.ts';
import { metricAggregate, seedList } from '../../../src/site/snapshots.ts';
import type { Staleness } from '../../../src/site/freshness.ts';

function snapshot(extra: Partial<Snapshot> = {}): Snapshot {
  return {
    schemaVersion: 1,
    experiment: 'q9',
    title: 'test',
    profile: 'full',
    provenance: {
      git: { commit: 'abcdef0123456789', dirty: false },
      node: 'v20',
      tfjs: { version: '4.22.0', backend: 'cpu', tfjsBackend: 'cpu', fastKernels: true },
      cpu: 'x',
      seed: 1,
      config: { epochs: 2 },
      dataset: { id: 'toy', description: 'a toy', hash: 'd'.repeat(64) },
      sources: { 'a.ts': '1'.repeat(64) },
      inputHash: 'recorded',
    },
    metrics: { accuracy: 0.9 },
    curves: {},
    tables: {},
    checks: [],
    timings: { startedAt: '2026-11-26T15:00:00.000Z', seconds: {}, values: {}, curves: {} },
    ...extra,
  };
}

/** The comparison of `a.ts`, recorded with hash `recorded`, against its hash now. */
function staleness(current: string | null, recorded = '1'.repeat(64)): Staleness {
  const source = {
    path: 'a.ts',
    recorded,
    current,
    state: current === recorded ? ('unchanged' as const) : current === null ? ('missing' as const) : ('changed' as const),
  };
  return { stale: source.state !== 'unchanged', sources: [source], differing: source.state === 'unchanged' ? [] : [source] };
}

describe('judgeFreshness', () => {
  it('is fresh when the sources are unchanged, stale when they changed and nothing vouches for them', () => {
    expect(judgeFreshness(staleness('1'.repeat(64)), []).state).toBe('fresh');
    expect(judgeFreshness(staleness('2'.repeat(64)), []).state).toBe('stale');
    expect(judgeFreshness(staleness(null), []).state).toBe('stale');
  });

  it('is attested when an attestation recorded exactly the current sources', () => {
    const attestation = {
      fromInputHash: 'recorded',
      toInputHash: 'next',
      sources: { 'a.ts': '2'.repeat(64) },
      commit: 'c'.repeat(40),
      date: '2026-11-27',
      vouchedBy: { experiment: 'q9', profile: 'smoke', snapshotHash: 'h' },
    };
    const vouching = judgeFreshness(staleness('2'.repeat(64)), [{ attestation, staleness: staleness('2'.repeat(64), '2'.repeat(64)) }]);
    expect(vouching).toEqual({ state: 'attested', attestation });
    const outdated = judgeFreshness(staleness('3'.repeat(64)), [{ attestation, staleness: staleness('3'.repeat(64), '2'.repeat(64)) }]);
    expect(outdated.state).toBe('stale');
  });
});

describe('run details', () => {
  it('names run, seeds, data set, backend, commit, date, freshness and the command', () => {
    const details = runDetails(snapshot(), 'fresh', 'https://github.com/o/r');
    expect(details).toMatchObject({
      run: 'q9 / full',
      seeds: 'seed 1',
      dataset: 'toy',
      backend: 'tfjs 4.22.0 cpu + fast kernels',
      date: '26 November 2026',
      freshness: 'fresh',
    });
    expect(details.commit).toEqual({ short: 'abcdef0', full: 'abcdef0123456789', dirty: false, href: 'https://github.com/o/r/commit/abcdef0123456789' });
    expect(rerunCommand('q2-cnn', 'full')).toBe('EXPERIMENT_PROFILE=full HW2_UPDATE=1 npx vitest run --project experiments test/experiments/q2-cnn.test.ts');
    expect(rerunCommand('q3-ljspeech-transfer', 'transfer')).toMatch(
      /^LJSPEECH_DIR=… EXPERIMENT_PROFILE=transfer .* test\/experiments\/q3-ljspeech\.test\.ts$/,
    );
    expect(rerunCommand('bench-cpu-kernels', 'default')).toBe('npm run bench');
    expect(compactList([5, 1, 2, 3, 8])).toBe('1–3, 5, 8');
  });

  it("publishes every seed's rows of each curve as CSV under a plain file name", () => {
    const curve = [{ epoch: 1, loss: 2 }];
    const seeds = {
      list: [1, 2],
      shown: 1,
      perSeed: [1, 2].map((seed) => ({ seed, metrics: {}, curves: { epochs: curve } })),
      aggregates: {},
      comparisons: [],
    };
    expect(rowKeyPaths(snapshot({ curves: { epochs: curve }, seeds }))).toEqual(['curves.epochs', 'seeds.perSeed[*].curves.epochs']);
    expect(rowKeyPaths(snapshot({ curves: { epochs: curve } }))).toEqual(['curves.epochs']);
    expect(rowsDownloadPath('q9', 'full', 'seeds.perSeed[*].curves.epochs')).toBe('/data/q9/full/seeds.perSeed.curves.epochs.csv');
    expect(rowsDownloadPath('q9', 'full', 'tables.runs')).toBe('/data/q9/full/tables.runs.csv');
  });

  it('writes CSV with quoting and empty cells for null', () => {
    expect(
      toCsv([
        { a: 1, b: 'x,y' },
        { a: null, b: 'say "hi"' },
      ]),
    ).toBe('a,b\r\n1,"x,y"\r\n,"say ""hi"""\r\n');
  });
});

describe('numbers over seeds', () => {
  it('reads mean ± sd (n) when a metric has several seeds, the value alone otherwise', () => {
    const seeds = {
      list: [1, 2, 3],
      shown: 1,
      perSeed: [],
      comparisons: [],
      aggregates: { accuracy: { n: 3, mean: 0.9, sd: 0.01, min: 0.89, max: 0.91, low: 0.875, high: 0.925 } },
    };
    const several = snapshot({ seeds });
    expect(seedList(several)).toEqual([1, 2, 3]);
    expect(metricAggregate(several, 'metrics.accuracy')?.n).toBe(3);
    expect(metricAggregate(snapshot(), 'metrics.accuracy')).toBeUndefined();
    expect(formatSpread({ n: 3, mean: 0.9, sd: 0.01 }, { style: 'percent', digits: 1 })).toBe('90.0 ±\u00a01.0% (n\u00a0=\u00a03)');
    expect(formatSpread({ n: 1, mean: 0.9, sd: null }, { style: 'fixed', digits: 2 })).toBe('0.90');
    expect(formatCount(3, 'epoch')).toBe('3\u00a0epochs');
    expect(formatCount(1, 'encoder block')).toBe('1\u00a0encoder block');
  });
});

describe('texts written by experiments', () => {
  it('turns `phrase: true;` flags in data-set descriptions into prose', () => {
    expect(readableDescription("24 clips, all inside the homework's training range 0-9825: true; split by order")).toBe(
      "24 clips, all inside the homework's training range 0-9,825; split by order",
    );
    expect(readableDescription('clips, all inside range 0-9825: false; split')).toBe('clips, not all inside range 0-9,825; split');
  });

  it('sets TeX-like subscripts in check names as <sub>', () => {
    expect(checkNameHtml('φ(q)ᵀφ(k) = Σ_{n<K} (qᵀk)ⁿ/n! with A_ij, D = Diag(A1_L)')).toBe(
      'φ(q)ᵀφ(k) = Σ<sub>n&lt;K</sub> (qᵀk)ⁿ/n! with A<sub>ij</sub>, D = Diag(A1<sub>L</sub>)',
    );
    expect(checkNameText('Σ_{n<3} A_ij')).toBe('Σn<3 Aij');
  });
});
