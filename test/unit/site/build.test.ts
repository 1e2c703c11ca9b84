/**
 * The whole site build against fixture snapshots: a number the write-up quotes but the snapshot lacks stops
 * `astro build` with the file and the key in the message; and a good build below a base path (as on a GitHub
 * Pages project site) has base-aware links, one freshness line per page, stale marks exactly where a stale snapshot's
 * numbers appear, numbered figures and tables whose references resolve, and the CSP meta policy. Real builds: about 15-25 s each on two cores.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSnapshot } from '../../../src/lib/harness/snapshot.ts';
import { sha256 } from '../../../src/lib/provenance/hash.ts';
import { assessFreshness } from '../../../src/site/freshness.ts';
import { fixtureSnapshotsDir, projectRoot } from './fixture.ts';

const folders: string[] = [];

afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

interface BuildResult {
  code: number | null;
  output: string;
}

/** `astro build` into a scratch folder inside the project (Astro resolves its server chunks from there). */
async function buildSite(
  prepare: (snapshotsDir: string) => Promise<void>,
  env: Record<string, string> = {},
): Promise<BuildResult & { snapshotsDir: string; distDir: string }> {
  await mkdir(join(projectRoot, '.scratch'), { recursive: true });
  const work = await mkdtemp(join(projectRoot, '.scratch', 'site-build-'));
  folders.push(work);
  const snapshotsDir = join(work, 'snapshots');
  // The committed snapshots (the front page quotes every question), then the fixtures of the chapter under test. The
  // fixture Q1 full carries the committed run's timing sweeps: the front page reads their intervals against the
  // counts (<Exponent reads=…>), and a fixture that read otherwise would fail the build.
  await cp(join(projectRoot, 'snapshots'), snapshotsDir, { recursive: true });
  await cp(fixtureSnapshotsDir, snapshotsDir, { recursive: true });
  await prepare(snapshotsDir);
  // A `content` folder beside the snapshots, if `prepare` wrote one, replaces the real chapters.
  const chapters = existsSync(join(work, 'content')) ? { CHAPTERS_DIR: relative(projectRoot, join(work, 'content')) } : {};
  const result = await new Promise<BuildResult>((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(projectRoot, 'node_modules/astro/astro.js'), 'build', '--outDir', join(work, 'dist')], {
      cwd: projectRoot,
      env: {
        ...withoutVitestEnv(process.env),
        SNAPSHOTS_DIR: relative(projectRoot, snapshotsDir),
        ASTRO_CACHE_DIR: join(work, 'cache'),
        ASTRO_TELEMETRY_DISABLED: '1',
        NODE_ENV: 'production',
        ...chapters,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, output }));
  });
  return { ...result, snapshotsDir, distDir: join(work, 'dist') };
}

describe('astro build', () => {
  it('fails naming the snapshot file and the key when a quoted key is missing', { timeout: 240_000 }, async () => {
    const { code, output, snapshotsDir } = await buildSite(async (folder) => {
      await writeChapters(join(folder, '..', 'content'), { mechanics: false });
      // Whichever profile the chapter quotes, the key is gone.
      for (const profile of ['smoke', 'full']) {
        const path = join(folder, 'q1-linear-attention', `${profile}.json`);
        const snapshot = JSON.parse(await readFile(path, 'utf8'));
        delete snapshot.timings.values.slopeRatio;
        await writeFile(path, JSON.stringify(snapshot, null, 2));
      }
    });
    expect(code, output).not.toBe(0);
    const file = `${relative(projectRoot, snapshotsDir)}/q1-linear-attention/`;
    expect(output).toMatch(new RegExp(`${escapeRegExp(file)}(smoke|full)\\.json: no key "timings\\.values\\.slopeRatio"`));
  });

  it('builds below a base path, with a freshness line, stale marks, numbered floats, resolved references and the CSP', { timeout: 240_000 }, async () => {
    const base = '/hw2-report/';
    const { code, output, distDir } = await buildSite(
      async (folder) => {
        await writeChapters(join(folder, '..', 'content'));
        // The sources are a file of the build's own, so no edit elsewhere in the tree can change the outcome.
        const source = join(folder, '..', 'experiment.ts');
        await writeFile(source, 'export const experiment = 1;\n');
        for (const profile of ['smoke', 'full']) {
          const path = join(folder, 'q1-linear-attention', `${profile}.json`);
          const snapshot = JSON.parse(await readFile(path, 'utf8'));
          // smoke: its source changed since its run; full: current.
          const hash = profile === 'smoke' ? sha256('export const experiment = 0;\n') : sha256('export const experiment = 1;\n');
          snapshot.provenance.sources = { [relative(projectRoot, source)]: hash };
          await writeFile(path, JSON.stringify(snapshot, null, 2));
        }
      },
      { SITE_BASE: base },
    );
    expect(code, output).toBe(0);

    const pages = await htmlFiles(distDir);
    expect(pages.map((page) => relative(distDir, page)).sort()).toEqual(['index.html', 'mechanics/index.html', 'provenance/index.html', 'q1/index.html']);
    for (const page of pages) {
      const html = await readFile(page, 'utf8');
      const where = relative(distDir, page);
      const absolute = [...html.matchAll(/\s(?:href|src)="(\/[^"]*)"/g)].map((match) => match[1]);
      expect(absolute.length, where).toBeGreaterThan(0);
      expect(
        absolute.filter((url) => !url.startsWith(base)),
        `${where}: links without the base`,
      ).toEqual([]);
      expect(html, where).toMatch(/<meta http-equiv="Content-Security-Policy" content="[^"]*script-src 'self'/);
    }

    const chapter = await readFile(join(distDir, 'q1/index.html'), 'utf8');
    // Every number is followed by a mark when its snapshot is stale, and by none when it is current or the number is
    // a constant (a configured value, one every seed gave alike).
    const metrics = [
      ...chapter.matchAll(
        /<span class="metric"[^>]*data-source="([^"]*\/(smoke|full)\.json[^"]*)"[^>]*>[^<]*<\/span>(<span class="freshness-mark[^"]*"[^>]*data-freshness-mark="([^"]*)")?/g,
      ),
    ];
    expect(metrics.length).toBeGreaterThan(5);
    for (const [, source, profile, mark, id] of metrics) {
      const constant = /→ provenance\.config\.|\(the same in all \d+ seeds\)/.test(source);
      expect(mark !== undefined, `a ${profile} number`).toBe(profile === 'smoke' && !constant);
      if (mark) expect(id).toBe('q1-linear-attention/smoke');
    }
    const quotesSmoke = metrics.some(([, , profile]) => profile === 'smoke');
    const marked = metrics.filter(([, source]) => !/→ provenance\.config\.|\(the same in all \d+ seeds\)/.test(source));
    const count = (pattern: RegExp) => chapter.match(pattern)?.length ?? 0;
    // One mark per number, check, table and chart of a stale page (all from one snapshot in Q1); none on a fresh one,
    // whose state the page's one line says.
    const shown = {
      checks: count(/<aside class="check /g),
      tables: count(/<table class="(data" data-source|checks")/g),
      charts: count(/<figure class="chart"/g),
    };
    expect(shown.checks * shown.tables * shown.charts).toBeGreaterThan(0);
    expect(count(/class="freshness-mark/g)).toBe(quotesSmoke ? marked.length + shown.checks + shown.tables + shown.charts : 0);
    expect(count(/<figure class="chart"[^>]*data-stale="true"/g)).toBe(quotesSmoke ? shown.charts : 0);
    expect(count(/data-page-freshness/g)).toBe(1);
    expect(chapter).toMatch(
      new RegExp(
        `data-page-freshness[^>]*>[^]*?<a href="${base}provenance/#snapshot-q1-linear-attention-(smoke|full)">q1-linear-attention/(smoke|full)</a> \\(<span[^>]*>${quotesSmoke ? 'stale' : 'fresh'}</span>\\)`,
      ),
    );
    // Run details fold under every table and chart.
    expect(count(/<details class="run-details"/g)).toBe(shown.tables + shown.charts);

    // Numbered in order, and every in-page reference has its target.
    expect([...chapter.matchAll(/<span class="float-number">([^<]+)<\/span>/g)].map((match) => match[1])).toEqual([
      'Table 1.',
      'Figure 1.',
      'Table 2.',
      'Figure 2.',
      'Table 3.',
    ]);
    const ids = new Set([...chapter.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1]));
    const fragments = [...chapter.matchAll(/href="#([^"]+)"/g)].map((match) => match[1]);
    expect(fragments.filter((fragment) => !ids.has(fragment))).toEqual([]);
    expect(chapter).toContain('<a href="#fig-cost" class="cross-ref">figure 2</a>');

    // Asides are footnotes (GFM `[^name]` in the MDX): the chapter's notes are listed under a visible "Notes" heading,
    // each linked from a numbered reference in the text and back to it, numbered in the order the text cites them.
    expect(chapter).toMatch(/<section[^>]*class="footnotes"[^>]*>\s*<h2[^>]*class="footnotes-label"[^>]*>Notes<\/h2>/);
    const notes = [...chapter.matchAll(/<li id="user-content-fn-([^"]+)">/g)].map((match) => match[1]);
    expect(notes.length).toBeGreaterThan(0);
    const cited = [...chapter.matchAll(/<sup><a href="#user-content-fn-([^"]+)"[^>]*data-footnote-ref[^>]*>(\d+)<\/a><\/sup>/g)];
    expect(cited.map((match) => match[1])).toEqual(notes);
    expect(cited.map((match) => match[2])).toEqual(notes.map((_, index) => String(index + 1)));
    for (const note of notes) expect(chapter).toMatch(new RegExp(`<a href="#user-content-fnref-${escapeRegExp(note)}"[^>]*data-footnote-backref`));

    // <Figure> and <Table> around hand-made content, numbered with the charts and tables, referenced from prose,
    // captions and across kinds; a prose link gets the base.
    const mechanics = await readFile(join(distDir, 'mechanics/index.html'), 'utf8');
    expect([...mechanics.matchAll(/<span class="float-number">([^<]+)<\/span>/g)].map((match) => match[1])).toEqual(['Figure 1.', 'Table 1.', 'Table 2.']);
    expect(mechanics).toMatch(/<figure class="figure" id="fig-diagram">[\s\S]*<svg[\s\S]*<figcaption>[\s\S]*Figure 1\.[\s\S]*A diagram, see Table 2\./);
    expect(mechanics).toMatch(/<figure class="table-figure" id="tab-reported">[\s\S]*Table 1\.[\s\S]*<table>[\s\S]*83\.55%[\s\S]*<span class="metric"/);
    expect(mechanics).toContain('<a href="#fig-diagram" class="cross-ref">Figure 1</a>');
    expect(mechanics).toContain('<a href="#tab-reported" class="cross-ref">table 1</a>');
    expect(mechanics).toContain('<a href="#tab-features" class="cross-ref">2</a>');
    expect(mechanics).toContain(`<a href="${base}provenance/">`);

    const provenance = await readFile(join(distDir, 'provenance/index.html'), 'utf8');
    const entries = [...provenance.matchAll(/data-snapshot="([^"]+)" data-stale="(true|false)"/g)].map((match) => [match[1], match[2]]);
    // Every committed snapshot is listed and marked as the freshness rules judge it today (a snapshot whose rerun is
    // pending stays stale until it is rerun); the fixtures made Q1 smoke stale and left Q1 full current.
    const judged = await Promise.all(
      entries
        .filter(([id]) => !id.startsWith('q1-linear-attention/'))
        .map(async ([id]) => {
          const file = `snapshots/${id}.json`;
          const { freshness } = await assessFreshness(parseSnapshot(await readFile(join(projectRoot, file), 'utf8'), file), projectRoot, file);
          return [id, String(freshness.state === 'stale')];
        }),
    );
    expect(entries.filter(([id]) => !id.startsWith('q1-linear-attention/'))).toEqual(judged);
    expect(entries.filter(([id]) => id.startsWith('q1-linear-attention/'))).toEqual([
      ['q1-linear-attention/full', 'false'],
      ['q1-linear-attention/smoke', 'true'],
    ]);
  });
});

/**
 * The real chapters that quote only experiments with fixture snapshots (Q1), plus one that uses the mechanics the
 * real ones may not yet (<Figure>, <Table>, references in captions, a prose link), in a folder of the build's own:
 * imports are rewritten to reach src/ from there. The other chapters quote the committed snapshots, which the
 * fixtures do not hold; the real build (npm run build) covers them.
 */
const fixtureChapters = ['q1.mdx'];

async function writeChapters(folder: string, { mechanics = true }: { mechanics?: boolean } = {}): Promise<void> {
  await mkdir(folder, { recursive: true });
  const src = relative(folder, join(projectRoot, 'src'));
  for (const name of await readdir(join(projectRoot, 'content'))) {
    if (!fixtureChapters.includes(name)) continue;
    const text = await readFile(join(projectRoot, 'content', name), 'utf8');
    await writeFile(join(folder, name), text.replaceAll("from '../src/", `from '${src}/`));
  }
  if (!mechanics) return;
  await writeFile(
    join(folder, 'mechanics.mdx'),
    `---
title: Mechanics
description: Figures and tables made by hand, numbered and referenced.
order: 99
short: M
---

import Figure from '${src}/components/Figure.astro';
import Metric from '${src}/components/Metric.astro';
import SnapshotTable from '${src}/components/SnapshotTable.astro';
import Table from '${src}/components/Table.astro';

$\\Cref{fig:diagram}$ is drawn by hand; $\\cref{tab:reported}$ sets reported beside reproduced numbers, and
$\\ref{tab:features}$ is the number of the last table. See the [provenance](/provenance/).

<Figure label="fig:diagram" caption="A diagram, see $\\Cref{tab:features}$.">
  <svg viewBox="0 0 10 10" role="img" aria-label="a square"><rect width="10" height="10" /></svg>
</Figure>

<Table label="tab:reported" caption="Reported and reproduced, with $M$.">

| quantity | reported | reproduced |
| --- | ---: | ---: |
| accuracy | 83.55% | <Metric experiment="q1-linear-attention" profile="full" path="metrics.featureDimD3K3" /> |

</Table>

<SnapshotTable experiment="q1-linear-attention" profile="full" path="tables.featureDimensions" where={{ K: 3 }} label="tab:features" columns={[{ key: 'D', label: '$D$' }]} />
`,
  );
}

/**
 * Vitest copies import.meta.env into process.env (BASE_URL=/, MODE, DEV, PROD, SSR); a child Vite build would
 * take them as its own and, for one, ignore the configured base.
 */
function withoutVitestEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const vitestKeys = new Set(['BASE_URL', 'MODE', 'DEV', 'PROD', 'SSR', 'TEST', 'VITEST']);
  return Object.fromEntries(Object.entries(env).filter(([key]) => !vitestKeys.has(key) && !key.startsWith('VITEST_')));
}

async function htmlFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith('.html')).map((entry) => join(entry.parentPath, entry.name));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
