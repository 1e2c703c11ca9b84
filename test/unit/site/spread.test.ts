/**
 * <Spread>: our mean ± sd (n) of a metric beside a quoted number, compactly with the range of our seeds and where
 * the quoted number lies against it (the rule: within when min ≤ quoted ≤ max); with one seed, no verdict. The
 * decimals follow the sd; at most four significant digits.
 */
import { describe, expect, it } from 'vitest';
import type { Snapshot, Summary } from '../../../src/lib/snapshot-schema.ts';
import { parseProps } from '../../../src/site/props.ts';
import { judgeSpread, renderSpread, spreadPropsSchema } from '../../../src/components/spread.ts';
import { fixtureFile, loadFixture } from './fixture.ts';

const base = loadFixture();
const accuracy = { n: 3, mean: 0.8947, sd: 0.006150609726, min: 0.8885, max: 0.9008, low: 0.8794198053, high: 0.9099801947 };

function withAggregates(aggregates: Record<string, Summary>): Snapshot {
  return { ...base, seeds: { list: [1, 2, 3], shown: 1, perSeed: [], aggregates, comparisons: [] } };
}

function render(snapshot: Snapshot, props: Record<string, unknown>) {
  return renderSpread(snapshot, fixtureFile, parseProps('Spread', spreadPropsSchema, { experiment: 'q2-cnn', ...props }));
}

describe('Spread', () => {
  const snapshot = withAggregates({ 'pooled-lr0.01-testAccuracy': accuracy });

  it('gives mean ± sd (n), our range, and that a quoted number inside it lies within', () => {
    const spread = render(snapshot, { metric: 'pooled-lr0.01-testAccuracy', reported: 0.895, digits: 4 });
    expect(spread.verdict).toBe('within');
    expect(spread.text).toBe('0.8947 ±\u00a00.0062 (n\u00a0=\u00a03), seeds 0.8885 to 0.9008, quoted value within');
    expect(spread.source).toBe(`${fixtureFile} → seeds.aggregates.pooled-lr0.01-testAccuracy`);
  });

  it('says below or above when the quoted number lies outside our range', () => {
    const below = render(snapshot, { metric: 'pooled-lr0.01-testAccuracy', reported: 0.8355, digits: 4 });
    expect(below.verdict).toBe('below');
    expect(below.text).toMatch(/, quoted value below$/);
    const above = render(snapshot, { metric: 'pooled-lr0.01-testAccuracy', reported: 0.95, style: 'percent', digits: 2 });
    expect(above.verdict).toBe('above');
    expect(above.text).toBe('89.47 ±\u00a00.62% (n\u00a0=\u00a03), seeds 88.85% to 90.08%, quoted value above');
  });

  it('counts the ends of the range as within', () => {
    expect(judgeSpread(accuracy, accuracy.min)).toBe('within');
    expect(judgeSpread(accuracy, accuracy.max)).toBe('within');
    expect(judgeSpread(accuracy, accuracy.min - 1e-9)).toBe('below');
    expect(judgeSpread(accuracy, accuracy.max + 1e-9)).toBe('above');
  });

  it('takes its decimals from the sd, not the digits asked for', () => {
    const wide = withAggregates({ loss: { n: 3, mean: 1.04801, sd: 0.0196, min: 1.0255, max: 1.0608, low: 1, high: 1.1 } });
    expect(render(wide, { metric: 'loss', reported: 1.1828, digits: 4 }).text).toBe(
      '1.048 ±\u00a00.020 (n\u00a0=\u00a03), seeds 1.026 to 1.061, quoted value above',
    );
  });

  it('with one seed gives the value, at most four significant digits, and says there is no range, whatever the quoted number', () => {
    const one = withAggregates({ 'recurrent-test-loss': { n: 1, mean: 1.057792932, sd: null, min: 1.057792932, max: 1.057792932, low: null, high: null } });
    for (const reported of [1.057792932, 1.1828]) {
      const spread = render(one, { metric: 'recurrent-test-loss', reported, digits: 4 });
      expect(spread).toMatchObject({ verdict: 'one seed', text: '1.058 (one seed, so no range)' });
    }
  });

  it('reads the metric itself from a snapshot without a seeds section', () => {
    const spread = render(base, { metric: 'featureDimD3K3', reported: 7, digits: 0 });
    expect(spread).toEqual({ text: '13 (one seed, so no range)', verdict: 'one seed', source: `${fixtureFile} → metrics.featureDimD3K3` });
  });

  it('fails naming the file and the key when the metric has no summary, and rejects bad props', () => {
    expect(() => render(snapshot, { metric: 'pooled-lr0.1-testAccuracy', reported: 0.8 })).toThrow(
      `${fixtureFile}: no key "seeds.aggregates.pooled-lr0.1-testAccuracy" ("seeds.aggregates" has pooled-lr0.01-testAccuracy)`,
    );
    expect(() => render(snapshot, { metric: 'pooled-lr0.01-testAccuracy', reported: '0.8355' })).toThrow('prop "reported": Expected number, received string');
    expect(() => render(snapshot, { metric: 'pooled-lr0.01-testAccuracy', reported: 0.8355, path: 'metrics.x' })).toThrow('unknown prop "path"');
  });
});
