import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { parseSnapshot } from '../../../src/lib/harness/snapshot.ts';
import { chartPropsSchema, loadSpec, renderChart, specNames } from '../../../src/components/vega-chart.ts';
import { parseProps } from '../../../src/site/props.ts';
import { jsonForScript } from '../../../src/site/text.ts';
import { buildChart, dataNames, injectData, parseSpec } from '../../../src/site/vega.ts';
import type { Row } from '../../../src/site/snapshots.ts';
import { fixtureFile, loadFixture, loadQ3Smoke, projectRoot, q3SmokeFile, withSeeds } from './fixture.ts';

const snapshot = loadFixture();
const cost = snapshot.timings.curves.cost as Row[];

describe('chart specs', () => {
  it('finds every spec file by name', () => {
    const files = readdirSync(join(projectRoot, 'src/charts')).filter((name) => name.endsWith('.vl.json'));
    expect(specNames()).toEqual(files.map((name) => name.replace('.vl.json', '')).sort());
    expect(() => loadSpec('q1-costs')).toThrow(`src/charts/q1-costs.vl.json: no such chart spec (specs: ${specNames().join(', ')})`);
    expect(specNames()).toEqual(expect.arrayContaining(['q1-approximation', 'q1-cost']));
  });

  it('names the file when a spec is not JSON', () => {
    expect(() => parseSpec('{"mark": ', 'src/charts/bad.vl.json')).toThrow('src/charts/bad.vl.json: not valid JSON');
  });
});

describe('buildChart', () => {
  it('draws the cost chart to SVG at build time, one point per measurement', async () => {
    const { spec, file } = loadSpec('q1-cost');
    const { svg, vega } = await buildChart(spec, { cost }, file);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('sequence length L (tokens)');
    expect(svg).toContain('softmax');
    // Each measured point is a symbol mark path with its own aria description.
    const points = svg.match(/role="graphics-symbol" aria-roledescription="point"/g) ?? [];
    expect(points.length).toBe(cost.length);
    expect(JSON.stringify(vega)).toContain('"values"');
  });

  it('renders every chart the Q1 page uses from the fixture snapshot', async () => {
    const cases = [
      { spec: 'q1-cost', data: { cost: 'timings.curves.cost' } },
      { spec: 'q1-approximation', data: { approximationError: 'tables.approximationError' } },
    ];
    for (const props of cases) {
      const parsed = parseProps('VegaChart', chartPropsSchema, { experiment: 'q1-linear-attention', caption: 'A $q^\\top k$ chart.', ...props });
      const chart = await renderChart(snapshot, fixtureFile, loadSpec(parsed.spec), parsed);
      expect(chart.svg).toMatch(/^<svg[^>]*width="\d+"/);
      expect(chart.caption).toContain('class="katex"');
      expect(chart.source).toContain(`${fixtureFile} → ${Object.values(props.data)[0]}`);
    }
  });

  it('fails when a field the spec plots is missing from the rows', async () => {
    const { spec, file } = loadSpec('q1-cost');
    const rows = cost.map(({ L, method }) => ({ L, method }));
    await expect(buildChart(spec, { cost: rows }, file)).rejects.toThrow('src/charts/q1-cost.vl.json: Vega reported:');
  });
});

describe('curves over seeds', () => {
  const smoke = loadQ3Smoke();
  const threeSeeds = withSeeds(smoke, [1, 2, 3], ['trainLoss', 'validationLoss', 'validationJaccard', 'validationCosine', 'validationDamerauLevenshtein']);
  const render = (snapshot: typeof smoke) => {
    const props = parseProps('VegaChart', chartPropsSchema, {
      experiment: 'q3-asr',
      profile: 'smoke',
      spec: 'q3-loss',
      data: { epochs: 'seeds.perSeed[*].curves.epochs' },
      caption: 'Loss.',
    });
    return renderChart(snapshot, q3SmokeFile, loadSpec('q3-loss'), props);
  };
  /** The paths of the marks drawn with `class="mark-<type> …"`, each as its `d` and its stroke width. */
  const paths = (svg: string, type: string) =>
    [...svg.matchAll(new RegExp(`<g class="mark-${type} role-mark[^"]*"[^>]*>(.*?)</g>`, 'g'))].flatMap((group) =>
      [...group[1].matchAll(/<path[^>]* d="([^"]+)"[^>]*>/g)].map((path) => ({ d: path[1], width: /stroke-width="([\d.]+)"/.exec(path[0])?.[1] })),
    );
  /** The area a closed path of straight segments encloses (shoelace formula), in square pixels. */
  const enclosed = (d: string) => {
    const points = [...d.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((match) => [Number(match[1]), Number(match[2])]);
    return (
      Math.abs(points.reduce((sum, [x, y], index) => sum + x * points[(index + 1) % points.length][1] - points[(index + 1) % points.length][0] * y, 0)) / 2
    );
  };
  const series = 2 * 2; // decoders × splits
  /** Titles of the legends whose entries select series (what the interactive chart and its keyboard controls use). */
  const selectingLegends = (vega: unknown): string[] => {
    const titles: string[] = [];
    const visit = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      if (Array.isArray(node)) {
        node.forEach(visit);
        return;
      }
      const record = node as { legends?: { title?: string; encode?: { labels?: { interactive?: boolean } } }[] };
      for (const legend of record.legends ?? []) if (legend.encode?.labels?.interactive) titles.push(String(legend.title));
      Object.values(node).forEach(visit);
    };
    visit(vega);
    return titles;
  };

  it('draws the mean with its points, an sd band around it and a thin line per seed, in the build-time SVG', async () => {
    const chart = await render(threeSeeds);
    const bands = paths(chart.svg, 'area');
    expect(bands.length).toBe(series);
    for (const band of bands) expect(enclosed(band.d)).toBeGreaterThan(100);
    const lines = paths(chart.svg, 'line');
    expect(lines.filter((line) => line.width === '0.75').length).toBe(3 * series);
    expect(lines.filter((line) => line.width === '2').length).toBe(series);
    const points = (chart.svg.match(/<g class="mark-symbol role-mark[^>]*>(.*?)<\/g>/)?.[1].match(/<path /g) ?? []).length;
    expect(points).toBe((series * smoke.curves.epochs.length) / 2);
    // The hydrated chart is the same spec: its data carries every seed's rows.
    expect(JSON.stringify(chart.vega)).toContain('"seed":3');
    expect(chart.caption).toMatch(/Loss\. Over 3 seeds \(1–3\)\.$/);
    expect(chart.label).toContain('Over 3 seeds (1–3).');
    expect(selectingLegends(chart.vega)).toEqual(['decoder']);
  });

  it('tabulates one row per point: the mean over seeds with its sd and n', async () => {
    const chart = await render(threeSeeds);
    expect(chart.table.headings).toEqual(['decoder', 'split', 'epoch', 'loss (mean over seeds)', 'sd across seeds', 'seeds', 'learning rate']);
    expect(chart.table.rows.length).toBe(chart.rows.length);
    expect(chart.rows.length).toBe((series * smoke.curves.epochs.length) / 2);
    const first = smoke.curves.epochs.find((row) => row.decoder === 'recurrent' && row.epoch === 1)!;
    const row = chart.rows.find((candidate) => candidate.decoderName === 'LSTM decoder' && candidate.split === 'training' && candidate.epoch === 1)!;
    expect(row.loss).toBeCloseTo(Number(first.trainLoss), 10); // mean of 0.9, 1 and 1.1 times the value
    expect(row.sd).toBeCloseTo(Number(first.trainLoss) / 10, 10);
    expect(row.seeds).toBe(3);
  });

  it('with one seed draws its run without a band and says there is no spread yet', async () => {
    const chart = await render(smoke);
    for (const band of paths(chart.svg, 'area')) expect(enclosed(band.d)).toBeLessThan(1e-6);
    expect(chart.rows.every((row) => row.sd === null && row.seeds === 1)).toBe(true);
    expect(chart.table.rows[0][4]).toBe('—');
    expect(chart.caption).toMatch(/Loss\. One seed so far \(seed 1\): no spread across seeds to show yet\.$/);
  });

  it('draws the Q2 curves and the Q3 similarities the same way, one band and three thin lines per series and panel', async () => {
    const q2File = 'snapshots/q2-cnn/smoke.json';
    const q2 = withSeeds(parseSnapshot(readFileSync(join(projectRoot, q2File), 'utf8'), q2File), [4, 5, 6], ['trainLoss', 'valAccuracy']);
    const cases = [
      { snapshot: q2, file: q2File, spec: 'q2-curves', panels: 2, series: 6, legends: ['learning rate', 'network'] }, // training loss, validation accuracy × rates × networks
      { snapshot: threeSeeds, file: q3SmokeFile, spec: 'q3-similarity', panels: 3, series: 2, legends: ['decoder'] }, // three similarities × decoders
    ];
    for (const { snapshot, file, spec, panels, series, legends } of cases) {
      const props = parseProps('VegaChart', chartPropsSchema, {
        experiment: 'x',
        spec,
        data: { epochs: 'seeds.perSeed[*].curves.epochs' },
        caption: 'Curves.',
      });
      const chart = await renderChart(snapshot, file, loadSpec(spec), props);
      const bands = paths(chart.svg, 'area');
      expect(bands.length, spec).toBe(panels * series);
      for (const band of bands) expect(enclosed(band.d), spec).toBeGreaterThan(10);
      expect(paths(chart.svg, 'line').filter((line) => line.width === '0.75').length, spec).toBe(3 * panels * series);
      expect(chart.table.headings, spec).toContain('sd across seeds');
      expect(chart.caption, spec).toMatch(/Over 3 seeds \(\d–\d\)\.$/);
      expect(selectingLegends(chart.vega), spec).toEqual(legends);
    }
  });
});

describe('injectData', () => {
  const spec = parseSpec(readFileSync(join(projectRoot, 'src/charts/q1-cost.vl.json'), 'utf8'), 'q1-cost.vl.json');

  it('lists the data sets a spec reads', () => {
    expect([...dataNames(spec)]).toEqual(['cost']);
  });

  it('requires rows for every data set and uses of every supplied one', () => {
    expect(() => injectData(spec, {}, 'q1-cost.vl.json')).toThrow('q1-cost.vl.json: no rows supplied for data set "cost"');
    expect(() => injectData(spec, { cost, extra: cost }, 'q1-cost.vl.json')).toThrow('does not use data set "extra" (it reads cost)');
    expect(() => injectData(spec, { cost: [] }, 'q1-cost.vl.json')).toThrow('data set "cost" has no rows');
  });

  it('refuses specs that load their own data', () => {
    const remote = { ...spec, data: { url: 'https://example.com/data.json' } } as typeof spec;
    expect(() => injectData(remote, { cost }, 'x.vl.json')).toThrow('not loaded with url or values');
  });
});

describe('jsonForScript', () => {
  it('cannot close the script element it sits in', () => {
    const text = jsonForScript({ label: '</script><script>alert(1)</script>', comment: '<!--' });
    expect(text).not.toContain('<');
    expect(JSON.parse(text)).toEqual({ label: '</script><script>alert(1)</script>', comment: '<!--' });
  });
});
