/**
 * Numbers with their intervals, as the chapters print them: compact (`+0.011 (95% CI −0.032 to +0.054, 3 seeds)`),
 * the decimals from the spread, and the build stopped when the sentence written around an interval no longer says
 * where it lies. Also <SeedChoice>, which never prints a range whose two ends are the same number.
 */
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../src/lib/snapshot-schema.ts';
import { comparisonPropsSchema, renderComparison } from '../../../src/components/comparison.ts';
import { intervalPropsSchema, renderInterval } from '../../../src/components/interval.ts';
import { renderSeedChoice, seedChoicePropsSchema } from '../../../src/components/seed-choice.ts';
import { formatExact, formatInterval, formatNumber, spreadDecimals } from '../../../src/site/format.ts';
import { parseProps } from '../../../src/site/props.ts';
import { fixtureFile, loadFixture } from './fixture.ts';

const base = loadFixture();
const minus = '\u2212';
const nbsp = '\u00a0';

function withSeeds(comparisons: NonNullable<Snapshot['seeds']>['comparisons'], aggregates: NonNullable<Snapshot['seeds']>['aggregates'] = {}): Snapshot {
  return { ...base, seeds: { list: [1, 2, 3], shown: 1, perSeed: [], aggregates, comparisons } };
}

const comparison = (id: string, mean: number, low: number | null, high: number | null, n = 3) => ({
  id,
  description: id,
  a: 'a',
  b: 'b',
  n,
  mean,
  sd: 0.01,
  min: low ?? mean,
  max: high ?? mean,
  low,
  high,
  perSeed: [mean],
});

describe('the decimals of a number with a spread', () => {
  it('follow two significant digits of the spread, capped at four significant digits', () => {
    expect(spreadDecimals(0.012, 0.775)).toBe(3);
    expect(spreadDecimals(0.0862, 0.0108)).toBe(3);
    expect(spreadDecimals(0.0004, 0.401)).toBe(4);
    expect(spreadDecimals(0.0196, 1.048)).toBe(3);
    expect(spreadDecimals(5, 2082.3)).toBe(0);
  });

  it('print an exact value with the digits it needs, and never in computer notation', () => {
    expect(formatExact(0.01)).toBe('0.01');
    expect(formatExact(0.002)).toBe('0.002');
    expect(formatExact(0.7)).toBe('0.7');
    expect(formatExact(4000)).toBe('4,000');
    expect(formatNumber(390.4, { digits: 2 })).toBe('390');
    expect(formatNumber(1230.2, { style: 'fixed', digits: 0 })).toBe('1,230');
    expect(formatNumber(-12345.67, { style: 'fixed', digits: 1 })).toBe(`${minus}12,345.7`);
  });

  it('print an interval compactly, with what it rests on', () => {
    expect(formatInterval({ value: 0.0108, low: -0.0323, high: 0.0539 }, { signed: true }, { n: 3, of: 'seeds' })).toBe(
      `+0.011 (95% CI ${minus}0.032 to +0.054, 3${nbsp}seeds)`,
    );
    expect(formatInterval({ value: 0.0189, low: 0.0162, high: 0.0215 }, { style: 'percent', signed: true })).toBe('+1.89% (95% CI +1.62% to +2.15%)');
  });
});

describe('Comparison', () => {
  const snapshot = withSeeds([comparison('d', 0.0108, -0.0323, 0.0539), comparison('up', 0.0189, 0.0162, 0.0215), comparison('one', 0.02, null, null, 1)]);
  const render = (props: Record<string, unknown>) =>
    renderComparison(snapshot, fixtureFile, parseProps('Comparison', comparisonPropsSchema, { experiment: 'q3-asr', profile: 'listening', ...props }));

  it('prints the difference with its interval and the seeds, and where the interval lies', () => {
    expect(render({ id: 'd' })).toEqual({
      text: `+0.011 (95% CI ${minus}0.032 to +0.054, 3${nbsp}seeds)`,
      verdict: 'includes zero',
      source: `${fixtureFile} → seeds.comparisons[d]`,
    });
    expect(render({ id: 'up', style: 'percent', reads: 'above zero' })).toMatchObject({
      text: `+1.89% (95% CI +1.62% to +2.15%, 3${nbsp}seeds)`,
      verdict: 'above zero',
    });
    expect(render({ id: 'one' })).toMatchObject({ text: '+0.020 (one seed, so no interval)', verdict: 'one seed' });
  });

  it('stops the build when the sentence around it reads the interval otherwise', () => {
    expect(() => render({ id: 'd', reads: 'above zero' })).toThrow(
      `${fixtureFile} → seeds.comparisons[d]: the sentence around it reads the 95% interval as "above zero", and the interval now includes zero; rewrite the sentence for the new numbers`,
    );
    expect(() => render({ id: 'up', reads: 'includes zero' })).toThrow('the interval now lies above zero');
    expect(() => render({ id: 'one', reads: 'includes zero' })).toThrow('with one seed there is none');
  });
});

describe('Interval', () => {
  const snapshot = { ...base, metrics: { ...base.metrics, gap: 0.0571, 'gap-low': 0.0203, 'gap-high': 0.0932, clips: 29 } };
  const render = (props: Record<string, unknown>) =>
    renderInterval(
      snapshot,
      fixtureFile,
      parseProps('Interval', intervalPropsSchema, { experiment: 'q3-ljspeech', profile: 'listening', path: 'metrics.gap', ...props }),
    );

  it('prints the estimate with its interval, and the count it is over when asked', () => {
    expect(render({})).toMatchObject({ text: '+0.057 (95% CI +0.020 to +0.093)', verdict: 'above zero' });
    expect(render({ over: 'metrics.clips' }).text).toBe(`+0.057 (95% CI +0.020 to +0.093, 29${nbsp}clips)`);
    expect(() => render({ reads: 'includes zero' })).toThrow('the interval now lies above zero; rewrite the sentence');
  });

  it('no longer takes the words of the old sentence', () => {
    expect(() => render({ positive: 'the decoder listens' })).toThrow('unknown prop "positive"');
  });

  it('sets the interval against a stated number: above, below or includes it', () => {
    expect(render({ than: 0.15, reads: 'below' })).toMatchObject({ verdict: 'below', source: expect.stringContaining('against 0.15') });
    expect(render({ than: 0.05 }).verdict).toBe('includes');
    expect(render({ than: 0.01 }).verdict).toBe('above');
    expect(() => render({ than: 0.05, reads: 'below' })).toThrow('as "below" against 0.05, and it now includes it; rewrite the sentence');
  });

  it('sets the interval against another estimate of the snapshot: above it, below it, or overlapping', () => {
    const other = (low: number, high: number) =>
      renderInterval(
        { ...snapshot, metrics: { ...snapshot.metrics, other: (low + high) / 2, 'other-low': low, 'other-high': high } },
        fixtureFile,
        parseProps('Interval', intervalPropsSchema, { experiment: 'q3-ljspeech', profile: 'listening', path: 'metrics.gap', than: 'metrics.other' }),
      ).verdict;
    expect(other(0.1, 0.2)).toBe('below');
    expect(other(-0.1, 0.01)).toBe('above');
    expect(other(0.09, 0.2)).toBe('overlaps');
    expect(() => render({ than: 'metrics.missing' })).toThrow('metrics.missing-low');
  });

  it("sets the interval against another run's estimate, from that run's snapshot", () => {
    const run = { experiment: 'q3-ljspeech-transfer', profile: 'cv', path: 'metrics.gap' };
    const otherRun = (low: number, high: number) => ({
      snapshot: { ...base, metrics: { ...base.metrics, gap: (low + high) / 2, 'gap-low': low, 'gap-high': high } },
      file: 'snapshots/q3-ljspeech-transfer/cv.json',
    });
    const props = (reads?: string) =>
      parseProps('Interval', intervalPropsSchema, { experiment: 'q3-ljspeech', profile: 'listening', path: 'metrics.gap', than: run, reads });
    expect(renderInterval(snapshot, fixtureFile, props(), otherRun(0.09, 0.2)).verdict).toBe('overlaps');
    expect(renderInterval(snapshot, fixtureFile, props(), otherRun(0.1, 0.2)).verdict).toBe('below');
    expect(renderInterval(snapshot, fixtureFile, props(), otherRun(0.1, 0.2)).source).toContain(
      'against the interval of snapshots/q3-ljspeech-transfer/cv.json → metrics.gap',
    );
    expect(renderInterval(snapshot, fixtureFile, props(), otherRun(-0.1, 0.01)).verdict).toBe('above');
    expect(() => renderInterval(snapshot, fixtureFile, props('above'), otherRun(0.09, 0.2))).toThrow(
      'as "above" against the interval of snapshots/q3-ljspeech-transfer/cv.json → metrics.gap, 0.09 to 0.2, and it now overlaps it',
    );
    expect(() => renderInterval(snapshot, fixtureFile, props())).toThrow("that run's snapshot was not loaded");
    expect(() =>
      parseProps('Interval', intervalPropsSchema, { experiment: 'q3-ljspeech', profile: 'listening', path: 'metrics.gap', than: run, reads: 'above zero' }),
    ).toThrow('not a reading of an interval against another interval');
  });

  it('takes only the readings of what it is set against', () => {
    expect(() => render({ reads: 'below' })).toThrow('"below" is not a reading of an interval against zero');
    expect(() => render({ than: 0.15, reads: 'below zero' })).toThrow('"below zero" is not a reading of an interval against a number');
    expect(() => render({ than: 'metrics.gap', reads: 'includes' })).toThrow('"includes" is not a reading of an interval against another interval');
  });
});

describe('SeedChoice', () => {
  const rate = (min: number, max: number) => ({ n: 3, mean: (min + max) / 2, sd: 0, min, max, low: min, high: max });
  const render = (snapshot: Snapshot) =>
    renderSeedChoice(snapshot, fixtureFile, parseProps('SeedChoice', seedChoicePropsSchema, { experiment: 'q2-cnn', path: 'metrics.featureDimD3K3' }));

  it('says every seed chose it, never "from 0.01 to 0.01"', () => {
    expect(render(withSeeds([], { featureDimD3K3: rate(13, 13) }))).toMatchObject({ text: `every one of the 3${nbsp}seeds chose it`, unanimous: true });
  });

  it('gives the range when the seeds disagree', () => {
    expect(render(withSeeds([], { featureDimD3K3: rate(10, 13) }))).toMatchObject({
      text: `the 3${nbsp}seeds chose from 10 to 13, 13 in the first`,
      unanimous: false,
    });
    expect(render(base)).toMatchObject({ text: 'the one seed run chose it', unanimous: true });
  });
});
