/**
 * How a column grows with another (src/site/slopes.ts) and `<Scaling>`, which prints it: the log-log slope over all
 * the points or either half, the ends of a part, y per x, and an error naming the file and the key for rows a slope
 * cannot be read from.
 */
import { describe, expect, it } from 'vitest';
import { renderScaling, scalingPropsSchema } from '../../../src/components/scaling.ts';
import type { Snapshot } from '../../../src/lib/snapshot-schema.ts';
import { parseProps } from '../../../src/site/props.ts';
import { logLogSlope } from '../../../src/lib/stats/slope.ts';
import { fitSlope, partOf, pointsOf } from '../../../src/site/slopes.ts';
import { toySnapshot } from '../../support/snapshots.ts';
import { loadFixture } from './fixture.ts';

const file = 'snapshots/toy/smoke.json';
const lengths = [100, 200, 400, 800, 1600];

/** Rows of two series over `lengths`: `a` grows as x^1 up to 400 and as x^2 beyond it, `b` as 3 x^2. */
function twoSeries(): Snapshot {
  const a = (x: number) => (x <= 400 ? x : 400 * (x / 400) ** 2);
  const rows = lengths.flatMap((x) => [
    { x, series: 'a', y: a(x) },
    { x, series: 'b', y: 3 * x ** 2 },
  ]);
  // Out of order on purpose: the points are sorted by x before a part is taken.
  return toySnapshot({ tables: { rows: rows.reverse() } });
}

describe('log-log slopes', () => {
  it('gives the exponent of a power law, whatever its factor', () => {
    expect(logLogSlope(lengths.map((x) => ({ x, y: 7 * x ** 1.5 })))).toBeCloseTo(1.5, 12);
  });

  it('splits the points by x into halves that share the middle point when their count is odd', () => {
    const points = lengths.map((x) => ({ x, y: x }));
    expect(partOf(points, 'shorter half').map((point) => point.x)).toEqual([100, 200, 400]);
    expect(partOf(points, 'longer half').map((point) => point.x)).toEqual([400, 800, 1600]);
    expect(partOf(points.slice(0, 4), 'longer half').map((point) => point.x)).toEqual([400, 800]);
  });

  it('fits one series of the rows, over all of them or over either half', () => {
    const snapshot = twoSeries();
    const a = { path: 'tables.rows', x: 'x', y: 'y', where: { series: 'a' } };
    expect(fitSlope(snapshot, file, a, 'shorter half').slope).toBeCloseTo(1, 12);
    expect(fitSlope(snapshot, file, a, 'longer half').slope).toBeCloseTo(2, 12);
    const all = fitSlope(snapshot, file, a).slope;
    expect(all).toBeGreaterThan(1);
    expect(all).toBeLessThan(2);
    expect(fitSlope(snapshot, file, { ...a, where: { series: 'b' } }).slope).toBeCloseTo(2, 12);
  });

  it('reads the committed fixture: linear attention counts exactly L, softmax exactly L²', () => {
    const fixture = loadFixture('full');
    expect(fitSlope(fixture, file, { path: 'tables.flops', x: 'L', y: 'linearFlops' }).slope).toBeCloseTo(1, 12);
    expect(fitSlope(fixture, file, { path: 'tables.flops', x: 'L', y: 'softmaxFlops' }).slope).toBeCloseTo(2, 12);
  });

  it('fails naming the file and the key on rows a slope cannot be read from', () => {
    const snapshot = twoSeries();
    const rows = { path: 'tables.rows', x: 'x', y: 'y' };
    expect(() => pointsOf(snapshot, file, rows)).toThrow(`${file} → tables.rows (x, y): two rows share an x`);
    expect(() => pointsOf(snapshot, file, { ...rows, where: { series: 'c' } })).toThrow(/0 row\(s\) match, and a slope needs two/);
    expect(() => pointsOf(snapshot, file, { ...rows, y: 'z', where: { series: 'a' } })).toThrow(/row 0 has z = null, expected a positive number/);
    expect(() => pointsOf(toySnapshot({ tables: { rows: [{ x: 1, y: 0 }] } }), file, rows)).toThrow(/row 0 has y = 0/);
    expect(() => pointsOf(snapshot, file, { ...rows, path: 'tables.flops' })).toThrow(`${file}: no key "tables.flops"`);
  });
});

describe('Scaling', () => {
  const render = (props: Record<string, unknown>) =>
    renderScaling(twoSeries(), file, parseProps('Scaling', scalingPropsSchema, { experiment: 'toy', path: 'tables.rows', x: 'x', y: 'y', ...props }));

  it('prints an exact slope with the digits it needs, a measured one with the digits asked for', () => {
    expect(render({ where: { series: 'b' } }).text).toBe('2');
    expect(render({ where: { series: 'a' }, part: 'longer half', style: 'fixed', digits: 2 }).text).toBe('2.00');
    expect(render({ where: { series: 'b' } }).source).toBe(`${file} → tables.rows (x, y, series = "b"): log-log slope`);
  });

  it('prints the ends of a part and y per x there, scaled', () => {
    expect(render({ where: { series: 'a' }, part: 'longer half', show: 'first x' }).text).toBe('400');
    expect(render({ where: { series: 'a' }, show: 'last x' }).text).toBe('1,600');
    // a(1600) = 400 × 4² = 6,400, so 4 per unit of x; b at x = 100 is 30,000, 300 per unit of x.
    expect(render({ where: { series: 'a' }, show: 'last y per x' }).value).toBeCloseTo(4, 12);
    expect(render({ where: { series: 'b' }, show: 'first y per x', scale: 1e-3, digits: 2, unit: 'k' }).text).toBe('0.30\u00a0k');
  });

  it('rejects a part or a show it does not know, naming the prop', () => {
    expect(() => render({ part: 'middle' })).toThrow(/<Scaling> .*prop "part"/);
    expect(() => render({ show: 'mean' })).toThrow(/<Scaling> .*prop "show"/);
  });
});
