/**
 * `<Exponent>` (src/components/exponent.ts): the sweeps' exponents with their 95% interval, judged against a count's
 * exponent; the sentence's reading is held to that judgement, and rows an interval cannot be read from fail by name.
 */
import { describe, expect, it } from 'vitest';
import { exponentPropsSchema, exponentVerdict, renderExponent } from '../../../src/components/exponent.ts';
import { parseProps } from '../../../src/site/props.ts';
import { toySnapshot } from '../../support/snapshots.ts';

const file = 'snapshots/toy/full.json';
const lengths = [256, 512, 1024, 2048];

/** Counts that grow exactly as L and as L², and five sweeps' exponents of their times. */
function timed(linear: number[], softmax: number[]) {
  return toySnapshot({
    tables: { flops: lengths.map((L) => ({ L, linearFlops: 7 * L, softmaxFlops: 3 * L * L })) },
    timings: {
      startedAt: '',
      seconds: {},
      values: {},
      curves: { slopes: linear.map((slope, i) => ({ sweep: i + 1, slopeLinear: slope, slopeSoftmax: softmax[i] })) },
    },
  });
}

const render = (snapshot: ReturnType<typeof timed>, column: string, y: string, reads: string) =>
  renderExponent(
    snapshot,
    file,
    parseProps('Exponent', exponentPropsSchema, {
      experiment: 'toy',
      sweeps: { path: 'timings.curves.slopes', column },
      count: { path: 'tables.flops', x: 'L', y },
      reads,
    }),
  );

describe('Exponent', () => {
  const snapshot = timed([1.1, 0.95, 1.03, 0.99, 1.09], [1.95, 1.97, 1.98, 1.96, 1.97]);

  it("prints the sweeps' mean with its 95% interval and judges it against the count's exponent", () => {
    const linear = render(snapshot, 'slopeLinear', 'linearFlops', 'holds the count');
    expect(linear.verdict).toBe('holds the count');
    expect(linear.text).toBe('1.03 (95% CI 0.95 to 1.11, 5\u00a0sweeps)');
    expect(linear.source).toBe(`${file} → timings.curves.slopes (slopeLinear), against ${file} → tables.flops (L, linearFlops)`);
    expect(render(snapshot, 'slopeSoftmax', 'softmaxFlops', 'below the count').verdict).toBe('below the count');
    expect(exponentVerdict(1.1, 1.2, 1)).toBe('above the count');
  });

  it('fails the build when the sentence reads the interval otherwise, or there is no interval', () => {
    expect(() => render(snapshot, 'slopeLinear', 'linearFlops', 'above the count')).toThrow(
      /reads the sweeps' 95% interval as "above the count" \(1\.000\), and it now holds it; rewrite the sentence/,
    );
    expect(() => render(timed([1.1], [2]), 'slopeLinear', 'linearFlops', 'holds the count')).toThrow(
      `${file} → timings.curves.slopes (slopeLinear): an interval needs two or more finite exponents, one per sweep; found [1.1]`,
    );
  });
});
