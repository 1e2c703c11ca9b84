/** loadSnapshot against a stand-in for Astro's content collection (the real one exists only inside a build). */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadFixture } from './fixture.ts';

const entries = new Map<string, { id: string; filePath?: string; data: unknown }>();

vi.mock('astro:content', () => ({
  getEntry: async (_collection: string, id: string) => entries.get(id),
  getCollection: async () => [...entries.values()],
}));

const { loadSnapshot } = await import('../../../src/site/snapshots.ts');

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
    entries.set('q1-linear-attention/full', { id: 'q1-linear-attention/full', filePath: 'snapshots/q1-linear-attention/full.json', data: loadFixture('smoke') });
    await expect(loadSnapshot('q1-linear-attention', 'full')).rejects.toThrow('snapshots/q1-linear-attention/full.json: holds experiment "q1-linear-attention", profile "smoke", but its path says "q1-linear-attention", "full"');
  });
});
