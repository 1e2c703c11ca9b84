/** The logic behind <Metric>, <SnapshotTable>, <Check>, and their props checks, on the fixture snapshot. */
import { describe, expect, it } from 'vitest';
import { checkPropsSchema, selectCheck, summarizeCheck } from '../../../src/site/checks.ts';
import { metricPropsSchema, renderMetric } from '../../../src/site/metric.ts';
import { parseProps, PropsError } from '../../../src/site/props.ts';
import { renderTable, tablePropsSchema } from '../../../src/site/table.ts';
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
    expect(renderMetric(snapshot, fixtureFile, props).text).toBe('13 ± 10');
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
