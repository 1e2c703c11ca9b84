import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { asRecorded, formatSnapshot, parseSnapshot, writeSnapshot } from '../../../src/lib/harness/snapshot.ts';
import { hashJson } from '../../../src/lib/provenance/hash.ts';
import { hashSources } from '../../../src/lib/provenance/sources.ts';
import { createProgress } from '../../../src/lib/harness/progress.ts';
import { toySnapshot } from '../../support/snapshots.ts';

const base = toySnapshot({
  provenance: { ...toySnapshot().provenance, config: { zeta: 1, alpha: { b: 2, a: 1 } } },
  metrics: { loss: 0.123456789012345, accuracy: 0.5 },
  curves: { train: [{ epoch: 1, loss: Number.NaN }] },
});

describe('snapshot format', () => {
  it('sorts record keys, keeps row columns in order and rounds to fixed significant digits', () => {
    const text = formatSnapshot(base);
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed)).toEqual(['schemaVersion', 'experiment', 'title', 'profile', 'provenance', 'metrics', 'curves', 'tables', 'checks', 'timings']);
    expect(Object.keys(parsed.metrics)).toEqual(['accuracy', 'loss']);
    expect(Object.keys(parsed.provenance.config.alpha)).toEqual(['a', 'b']);
    expect(parsed.metrics.loss).toBe(0.123456789);
    expect(parsed.curves.train[0]).toEqual({ epoch: 1, loss: null }); // a diverged value stays visible as null
    expect(formatSnapshot(parseSnapshot(text, 'again'))).toBe(text);
  });

  it('gives a fresh run as its file records it, so a comparison with a committed snapshot is at the same precision', () => {
    const fresh = toySnapshot({ metrics: { third: 1 / 3, count: 3 } });
    const committed = parseSnapshot(formatSnapshot(fresh), 'committed');
    expect(committed.metrics.third).not.toBe(fresh.metrics.third);
    expect(asRecorded(fresh)).toEqual(committed);
    expect(asRecorded(fresh).metrics).toEqual({ count: 3, third: 0.3333333333 });
  });

  it('names the file and the field when a snapshot does not match the schema', () => {
    expect(() => parseSnapshot('{"schemaVersion": 1}', 'snapshots/x/smoke.json')).toThrow(
      /snapshots\/x\/smoke\.json: does not match the snapshot schema: experiment: Required/,
    );
    expect(() => parseSnapshot('{', 'snapshots/x/smoke.json')).toThrow(/snapshots\/x\/smoke\.json: not valid JSON/);
  });

  it('writes atomically and leaves no temp file behind', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'hw2-snapshot-'));
    const path = join(folder, 'toy', 'smoke.json');
    await writeSnapshot(path, base);
    expect(await readdir(join(folder, 'toy'))).toEqual(['smoke.json']);
    expect(await readFile(path, 'utf8')).toBe(formatSnapshot(base));
  });
});

describe('provenance hashes', () => {
  it('hash JSON independently of key order', () => {
    expect(hashJson({ a: 1, b: [1, { d: 2, c: 3 }] })).toBe(hashJson({ b: [1, { c: 3, d: 2 }], a: 1 }));
    expect(hashJson({ a: 1 })).not.toBe(hashJson({ a: 2 }));
  });

  it('follow relative imports from an experiment through the library', async () => {
    const root = join(import.meta.dirname, '../../..');
    const sources = await hashSources([join(root, 'experiments/q1/linear-attention.ts')], root);
    expect(Object.keys(sources)).toContain('src/lib/models/linear-attention.ts');
    expect(Object.keys(sources)).toContain('src/lib/random.ts');
    expect(Object.values(sources).every((hash) => /^[0-9a-f]{64}$/.test(hash))).toBe(true);
  });
});

describe('progress', () => {
  it('prints only a closing line when not on a terminal', () => {
    const lines: string[] = [];
    let clock = 0;
    const progress = createProgress({ write: (text) => lines.push(text), interactive: false, now: () => clock })('epoch 1', 10);
    for (let i = 0; i < 10; i++) {
      clock += 100;
      progress.tick(1, `loss ${i}`);
    }
    progress.done();
    expect(lines).toEqual(['epoch 1: 10/10 in 1.0s, loss 9\n']);
  });

  it('draws a bar with an ETA on a terminal', () => {
    const lines: string[] = [];
    let clock = 0;
    const progress = createProgress({ write: (text) => lines.push(text), interactive: true, now: () => clock, interval: 0 })('epoch 1', 4);
    clock = 1000;
    progress.tick(1, 'loss 0.5');
    expect(lines.at(-1)).toContain('epoch 1 [######..................] 1/4 ETA 3.0s loss 0.5');
  });
});
