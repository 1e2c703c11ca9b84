/** The logic behind <Metric>, <SnapshotTable>, <Check>, and their props checks, on the fixture snapshot. */
import { describe, expect, it } from 'vitest';
import { checkPropsSchema, selectCheck, summarizeCheck } from '../../../src/components/checks.ts';
import { metricPropsSchema, renderMetric } from '../../../src/components/metric.ts';
import { parseProps, PropsError } from '../../../src/site/props.ts';
import { renderTable, tablePropsSchema } from '../../../src/components/snapshot-table.ts';
import { fixtureFile, loadFixture } from './fixture.ts';

const snapshot = loadFixture();

describe('Metric', () => {
  it('defaults to the full profile and formats the value', () => {
    const props = parseProps('Metric', metricPropsSchema, {
      experiment: 'q1-linear-attention',
      path: 'timings.values.slopeSoftmax',
      style: 'fixed',
      digits: 2,
    });
    expect(props.profile).toBe('full');
    const metric = renderMetric(snapshot, fixtureFile, props);
    expect(metric.text).toBe(snapshot.timings.values.slopeSoftmax.toFixed(2));
    expect(metric.source).toBe(`${fixtureFile} → timings.values.slopeSoftmax`);
  });

  it('prints value ± uncertainty from two keys', () => {
    const props = parseProps('Metric', metricPropsSchema, {
      experiment: 'q1-linear-attention',
      path: 'metrics.featureDimD3K3',
      pm: 'metrics.featureDimSymmetricD3K3',
    });
    expect(renderMetric(snapshot, fixtureFile, props).text).toBe('13 ±\u00a010');
  });

  it('reads a metric run over seeds as mean ± sd (n), and one every seed gave alike as its value', () => {
    const over = (min: number, max: number) => ({
      ...snapshot,
      seeds: {
        list: [1, 2, 3],
        shown: 1,
        perSeed: [],
        aggregates: { featureDimD3K3: { n: 3, mean: (min + max) / 2, sd: (max - min) / 2, min, max, low: min, high: max } },
        comparisons: [],
      },
    });
    const props = parseProps('Metric', metricPropsSchema, { experiment: 'q1-linear-attention', path: 'metrics.featureDimD3K3' });
    // The decimals follow the sd: two significant digits of it.
    expect(renderMetric(over(12, 14), fixtureFile, props)).toMatchObject({ text: '13.0 ±\u00a01.0 (n\u00a0=\u00a03)', value: 13, constant: false });
    const alike = renderMetric(over(13, 13), fixtureFile, props);
    expect(alike).toMatchObject({ text: '13', value: 13, constant: true });
    expect(alike.source).toBe(`${fixtureFile} → metrics.featureDimD3K3 (the same in all 3 seeds)`);
  });

  it('treats a configured value as a constant, written with the digits it needs', () => {
    const configured = { ...snapshot, provenance: { ...snapshot.provenance, config: { ...snapshot.provenance.config, learningRate: 0.002, dropout: 0.7 } } };
    const render = (extra: Record<string, unknown>) =>
      renderMetric(configured, fixtureFile, parseProps('Metric', metricPropsSchema, { experiment: 'q1-linear-attention', ...extra }));
    expect(render({ path: 'provenance.config.learningRate' })).toMatchObject({ text: '0.002', constant: true });
    expect(render({ path: 'provenance.config.dropout' })).toMatchObject({ text: '0.7', constant: true });
    expect(render({ path: 'provenance.config.learningRate', style: 'percent', digits: 1 })).toMatchObject({ text: '0.2%', constant: true });
    expect(render({ path: 'timings.values.slopeSoftmax', style: 'fixed', digits: 2 }).constant).toBe(false);
  });

  it('fails naming the missing key', () => {
    const props = parseProps('Metric', metricPropsSchema, { experiment: 'q1-linear-attention', path: 'metrics.slope' });
    expect(() => renderMetric(snapshot, fixtureFile, props)).toThrow(`${fixtureFile}: no key "metrics.slope"`);
  });

  it('rejects bad props with the component, the prop and the value', () => {
    const parse = (props: unknown) => () => parseProps('Metric', metricPropsSchema, props);
    expect(parse({ experiment: 'q1-linear-attention', path: 'metrics.x', digits: -1 })).toThrow(PropsError);
    expect(parse({ experiment: 'q1-linear-attention', path: 'metrics.x', digits: -1 })).toThrow(
      'prop "digits": Number must be greater than or equal to 0 (got -1)',
    );
    expect(parse({ experiment: 'q1-linear-attention', path: 'metrics.x', digts: 2 })).toThrow(
      '<Metric> {"experiment":"q1-linear-attention","path":"metrics.x","digts":2}: unknown prop "digts"',
    );
    expect(parse({ experiment: 'Q1 linear', path: 'metrics.x' })).toThrow(
      'prop "experiment": must be an experiment id such as q1-linear-attention (got "Q1 linear")',
    );
    expect(parse({ experiment: 'q1-linear-attention' })).toThrow('prop "path": Required (got nothing)');
  });
});

describe('SnapshotTable', () => {
  it('filters rows, formats cells and typesets headings', () => {
    const props = parseProps('SnapshotTable', tablePropsSchema, {
      experiment: 'q1-linear-attention',
      path: 'tables.featureDimensions',
      where: { K: 3 },
      columns: [
        { key: 'D', label: '$D$' },
        { key: 'M', label: 'M & more' },
      ],
      caption: 'Counts for $K = 3$.',
    });
    const table = renderTable(snapshot, fixtureFile, props);
    expect(table.rows).toContainEqual(['3', '13']);
    expect(table.rows).toContainEqual(['8', '73']);
    expect(table.rows.length).toBe(8); // D = 1..8 at K = 3
    expect(table.rows.every((row) => row.length === 2)).toBe(true);
    expect(table.numeric).toEqual([true, true]);
    expect(table.headings[0]).toContain('class="katex"');
    expect(table.headings[1]).toBe('M &amp; more');
    expect(table.caption).toContain('class="katex"');
  });

  it('fails on a missing column, an empty filter or unbalanced $', () => {
    const base = { experiment: 'q1-linear-attention', path: 'tables.featureDimensions' };
    const render = (extra: object) => () => renderTable(snapshot, fixtureFile, parseProps('SnapshotTable', tablePropsSchema, { ...base, ...extra }));
    expect(render({ columns: [{ key: 'Mtensor', label: 'M' }] })).toThrow('row 0 has no column "Mtensor"');
    expect(render({ columns: [{ key: 'M', label: 'M' }], where: { K: 9 } })).toThrow('no row has K = 9');
    expect(render({ columns: [{ key: 'M', label: '$M' }] })).toThrow('"$M" has an unmatched $');
  });
});

describe('SnapshotTable over seeds', () => {
  const summary = { n: 3, mean: 13.5, sd: 0.5, min: 13, max: 14, low: 12.26, high: 14.74 };
  const seeds = (shownValue: number) => ({
    ...snapshot,
    seeds: {
      list: [1, 2, 3],
      shown: 2,
      perSeed: [{ seed: 2, metrics: { 'dim-D3-K3': shownValue }, curves: {} }],
      aggregates: { 'dim-D3-K3': summary },
      comparisons: [],
    },
  });
  const render = (seeded: typeof snapshot, name = 'dim-D{D}-K{K}') =>
    renderTable(
      seeded,
      fixtureFile,
      parseProps('SnapshotTable', tablePropsSchema, {
        experiment: 'q1-linear-attention',
        path: 'tables.featureDimensions',
        where: { D: 3, K: 3 },
        columns: [
          { key: 'D', label: 'D' },
          { key: 'M', label: 'M', seeds: name, style: 'fixed', digits: 1 },
        ],
      }),
    );

  it('shows mean ± sd (n) from the summary the seeds name picks, and the row value without a seeds section', () => {
    // The decimals follow the sd (two significant digits of it), whatever the column asked for.
    expect(render(seeds(13)).rows).toEqual([['3', '13.50 ±\u00a00.50 (n\u00a0=\u00a03)']]);
    expect(render(snapshot).rows).toEqual([['3', '13.0']]);
  });

  it('fails when the name picks another metric or a column the rows lack', () => {
    expect(() => render(seeds(12))).toThrow(
      `${fixtureFile}: column "M" is 13 in the row, but seed 2 has 12 for "dim-D3-K3": the seeds name picks another metric`,
    );
    expect(() => render(seeds(13), 'dim-D{D}-K{L}')).toThrow('seeds name "dim-D{D}-K{L}" uses column "L", which the rows do not have');
    expect(() => render(seeds(13), 'dim-{K}')).toThrow(`${fixtureFile}: no key "seeds.aggregates.dim-3"`);
  });
});

describe('Check', () => {
  it('needs the id of a check the snapshot holds', () => {
    const parse = (props: object) => () => parseProps('Check', checkPropsSchema, { experiment: 'q1-linear-attention', ...props });
    expect(parse({})).toThrow(/id/);
    expect(selectCheck(snapshot, fixtureFile, parse({ id: 'softmax-as-kernel-attention' })()).passed).toBe(true);
    expect(() => selectCheck(snapshot, fixtureFile, parse({ id: 'nope' })())).toThrow('no check with id "nope"');
  });

  it('summarises passed and failed checks with their numbers', () => {
    const passed = summarizeCheck({ id: 'x', name: 'x', passed: true, tolerance: 1e-9, worstError: 4.4e-16 });
    expect(passed.label).toBe('✓ passed');
    expect(passed.sentence).toBe('Check "x" passed: worst error 4.4\u00a0×\u00a010⁻¹⁶, tolerance 10⁻⁹.');
    const failed = summarizeCheck({ id: 'y', name: 'y', passed: false, tolerance: 0, worstError: 2 });
    expect(failed.status).toBe('failed');
    expect(failed.sentence).toBe('Check "y" failed: worst error 2, required to be exact.');
  });
});
