/** loadSnapshot against a stand-in for Astro's content collection (the real one exists only inside a build). */
import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { sha256 } from '../../../src/lib/provenance/hash.ts';
import { loadFixture } from './fixture.ts';

const entries = new Map<string, { id: string; filePath?: string; data: unknown }>();

vi.mock('astro:content', () => ({
  getEntry: async (_collection: string, id: string) => entries.get(id),
  getCollection: async () => [...entries.values()],
}));

const { loadAllSnapshots, loadSnapshot, provenanceAnchor } = await import('../../../src/site/snapshots.ts');
const { quoteSnapshot } = await import('../../../src/site/props.ts');
const { metricPropsSchema, renderMetric } = await import('../../../src/components/metric.ts');

describe('loadSnapshot', () => {
  beforeEach(() => {
    entries.clear();
    vi.unstubAllEnvs();
  });

  it('returns the snapshot with the file it came from', async () => {
    const snapshot = loadFixture('smoke');
    entries.set('q1-linear-attention/smoke', { id: 'q1-linear-attention/smoke', filePath: 'snapshots/q1-linear-attention/smoke.json', data: snapshot });
    const loaded = await loadSnapshot('q1-linear-attention', 'smoke');
    expect(loaded.file).toBe('snapshots/q1-linear-attention/smoke.json');
    expect(loaded.snapshot).toBe(snapshot);
  });

  it('names the expected file and the snapshots that exist when one is missing', async () => {
    entries.set('q1-linear-attention/smoke', { id: 'q1-linear-attention/smoke', data: loadFixture('smoke') });
    vi.stubEnv('SNAPSHOTS_DIR', 'test/fixtures/snapshots');
    await expect(loadSnapshot('q1-linear-attention', 'full')).rejects.toThrow(
      'test/fixtures/snapshots/q1-linear-attention/full.json: no such snapshot for experiment "q1-linear-attention", profile "full" (snapshots: q1-linear-attention/smoke)',
    );
  });

  it('refuses a snapshot whose content disagrees with its path', async () => {
    entries.set('q1-linear-attention/full', {
      id: 'q1-linear-attention/full',
      filePath: 'snapshots/q1-linear-attention/full.json',
      data: loadFixture('smoke'),
    });
    await expect(loadSnapshot('q1-linear-attention', 'full')).rejects.toThrow(
      'snapshots/q1-linear-attention/full.json: holds experiment "q1-linear-attention", profile "smoke", but its path says "q1-linear-attention", "full"',
    );
  });

  it('says whether the code behind a snapshot changed since its run', async () => {
    const current = loadFixture('smoke');
    // The fixture's recorded hashes may be out of date with the tree; make one current and one stale on purpose.
    current.provenance.sources = { 'src/site/snapshots.ts': sha256(readFileSync('src/site/snapshots.ts', 'utf8')) };
    const stale = loadFixture('full');
    stale.provenance.sources = { 'src/site/snapshots.ts': '0'.repeat(64), 'src/site/no-such-file.ts': '1'.repeat(64) };
    entries.set('q1-linear-attention/smoke', { id: 'q1-linear-attention/smoke', data: current });
    entries.set('q1-linear-attention/full', { id: 'q1-linear-attention/full', data: stale });
    expect((await loadSnapshot('q1-linear-attention', 'smoke')).staleness).toMatchObject({ stale: false, differing: [] });
    const loaded = await loadSnapshot('q1-linear-attention', 'full');
    expect(loaded.id).toBe('q1-linear-attention/full');
    expect(loaded.staleness.differing.map((source) => source.state)).toEqual(['changed', 'missing']);
    expect((await loadAllSnapshots()).map((entry) => [entry.id, entry.staleness.stale])).toEqual([
      ['q1-linear-attention/full', true],
      ['q1-linear-attention/smoke', false],
    ]);
    expect(provenanceAnchor('q1-linear-attention', 'full')).toBe('snapshot-q1-linear-attention-full');
  });

  it('quotes a snapshot for a component: props checked, snapshot loaded with its freshness, value rendered', async () => {
    const snapshot = loadFixture('smoke');
    entries.set('q1-linear-attention/smoke', { id: 'q1-linear-attention/smoke', filePath: 'snapshots/q1-linear-attention/smoke.json', data: snapshot });
    const path = `metrics.${Object.keys(snapshot.metrics).find((name) => typeof snapshot.metrics[name] === 'number')}`;
    const raw = { experiment: 'q1-linear-attention', profile: 'smoke', path, digits: 2 };
    const quoted = await quoteSnapshot('Metric', metricPropsSchema, raw, renderMetric);
    expect(quoted.loaded.id).toBe('q1-linear-attention/smoke');
    expect(quoted.loaded.freshness.state).toMatch(/^(fresh|attested|stale)$/);
    expect(quoted.props).toMatchObject(raw);
    expect(quoted.rendered).toEqual(renderMetric(snapshot, 'snapshots/q1-linear-attention/smoke.json', quoted.props));
    // A bad prop stops before any snapshot is read; a missing snapshot names its file.
    await expect(quoteSnapshot('Metric', metricPropsSchema, { ...raw, digts: 2 }, renderMetric)).rejects.toThrow('<Metric>');
    await expect(quoteSnapshot('Metric', metricPropsSchema, { ...raw, profile: 'full' }, renderMetric)).rejects.toThrow(
      'q1-linear-attention/full.json: no such snapshot',
    );
  });
});
