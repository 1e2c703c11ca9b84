import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec, specNames } from '../../../src/site/chart-specs.ts';
import { chartPropsSchema, renderChart } from '../../../src/site/chart.ts';
import { parseProps } from '../../../src/site/props.ts';
import { buildChart, dataNames, injectData, jsonForScript, parseSpec } from '../../../src/site/vega.ts';
import type { Row } from '../../../src/site/lookup.ts';
import { fixtureFile, loadFixture, projectRoot } from './fixture.ts';

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
