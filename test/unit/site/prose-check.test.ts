import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkBuiltSite, checkProse, proseOf } from '../../../src/site/plugins/prose-check.ts';

const page = (body: string) => `<!doctype html><html><head><title>t</title></head><body>${body}</body></html>`;
const rules = (body: string, options = {}) => checkProse(page(body), options).map((finding) => finding.rule);

describe('the prose check', () => {
  it('finds each habit of program output it names', () => {
    expect(rules('<p>+0.011 (95% interval −0.032 to +0.054: the interval includes zero: the difference is not shown)</p>')).toEqual(['doubled colons']);
    expect(rules('<p>The chosen rate ranged from 0.01 to 0.01 over the seeds.</p>')).toEqual(['identical-ended range']);
    expect(rules('<p>total 25.7 s (data 3.9e+2 ms)</p>')).toEqual(['scientific notation']);
    expect(rules('<li>Run on 2026-11-30T13:58:01.705Z.</li>')).toEqual(['ISO timestamp']);
    expect(rules('<p>Jaccard 0.7666666667 on the test set.</p>')).toEqual(['more than 4 significant digits']);
    expect(rules('<table><tr><td>4000 sentences</td></tr></table>')).toEqual(['unformatted integer ≥ 1000']);
  });

  it('lets pass what a person writes', () => {
    expect(rules('<p>Test accuracy 0.8948 with 3,400 training clips in 2023; the interval runs from 0.016 to 0.022. See Q1 §4: it holds.</p>')).toEqual([]);
    expect(rules('<p>Clips LJ001-0001..LJ002-0200 and BRN-03401, sha256 4e07408562bedb8b, version 4.22.0.</p>')).toEqual([]);
  });

  it('skips what is not prose: code, math, quotations of the original, run-detail disclosures', () => {
    expect(
      rules('<p><code>3.9e+2</code> <q>291452</q> <span class="katex">12345.678901</span></p><details><p>2026-11-30T13:58:01Z: a: b: c</p></details>'),
    ).toEqual([]);
    expect(proseOf(page('<p>a <b>b</b></p><ul><li>c</li></ul><script>x: y: z</script>'))).toEqual(['a b', 'c']);
  });

  it('allows timestamps where the page says so (the provenance appendix)', () => {
    expect(rules('<p>Run on 2026-11-30T13:58:01.705Z.</p>', { allowTimestamps: true })).toEqual([]);
  });
});

describe('the prose check over a built site', () => {
  it('lists each finding with its page, allows timestamps on the provenance page only, and skips the published data', async () => {
    const root = await mkdtemp(join(tmpdir(), 'hw2-prose-'));
    try {
      const write = async (file: string, body: string) => {
        await mkdir(join(root, file, '..'), { recursive: true });
        await writeFile(join(root, file), page(body));
      };
      await write('index.html', '<p>Started 2026-11-30T13:58:01Z.</p>');
      await write('provenance/index.html', '<p>Started 2026-11-30T13:58:01Z.</p>');
      await write('q2/index.html', '<p>+0.011 (95% CI −0.032 to +0.054, 3 seeds): the interval includes zero.</p>');
      await write('data/q2-cnn/full/index.html', '<p>4000</p>');
      expect(await checkBuiltSite(root)).toEqual({ pages: 3, findings: ['index.html: ISO timestamp: 2026-11-30T13:58 — in “Started 2026-11-30T13:58:01Z.”'] });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
