/**
 * Every chart the chapters draw, from the committed snapshots, in both its layouts: the wide one for a desktop
 * column and the narrow one for a phone (usermeta.narrow), which must fit a 360 px screen without being scaled
 * down, so that no text in it is drawn under 11 px. Also the comparison and listening-gap figures: one dot per
 * seed's difference, the mean with its interval, each a row of the data table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '../../../src/lib/harness/snapshot.ts';
import type { Snapshot } from '../../../src/lib/snapshot-schema.ts';
import { chartPropsSchema, loadSpec, renderChart, specNames } from '../../../src/components/vega-chart.ts';
import type { ChartRun } from '../../../src/components/vega-chart.ts';
import { parseProps } from '../../../src/site/props.ts';
import { mergePatch, narrowSpec, shareData } from '../../../src/site/vega.ts';
import { projectRoot } from './fixture.ts';

/**
 * The widest drawing that fits a 360 px screen at its own size: the page's 1 rem margins and the chart card's
 * 0.5 rem padding and border leave 360 − 32 − 16 − 2 = 310 px.
 */
const PHONE_WIDTH = 310;
/** The smallest text a chart may draw. */
const MIN_FONT_PX = 11;

const cache = new Map<string, Snapshot>();
function committed(id: string): { snapshot: Snapshot; file: string } {
  const file = `snapshots/${id}.json`;
  if (!cache.has(id)) cache.set(id, parseSnapshot(readFileSync(join(projectRoot, file), 'utf8'), file));
  return { snapshot: cache.get(id)!, file };
}

interface Case {
  spec: string;
  run: string;
  data: Record<string, string>;
  where?: Record<string, string | number | (string | number)[]>;
  runs?: { run: string; label: string }[];
}

const q3Runs = [
  { run: 'q3-asr/listening', label: 'synthetic speech' },
  { run: 'q3-ljspeech/listening', label: 'real speech: trained on real only' },
  { run: 'q3-ljspeech-transfer/listening', label: 'real speech: pre-trained, then fine-tuned' },
];

const cases: Case[] = [
  { spec: 'q1-approximation', run: 'q1-linear-attention/full', data: { approximationError: 'tables.approximationError' } },
  { spec: 'q1-cost', run: 'q1-linear-attention/full', data: { cost: 'timings.curves.cost' } },
  { spec: 'q2-curves', run: 'q2-cnn/full', data: { epochs: 'seeds.perSeed[*].curves.epochs' } },
  { spec: 'q2-confusion', run: 'q2-cnn/full', data: { confusion: 'tables.confusion', runs: 'tables.runs' } },
  { spec: 'q2-paired', run: 'q2-cnn/full', data: { summary: 'seeds.comparisons', seeds: 'seeds.comparisons[*].perSeed' } },
  { spec: 'q3-loss', run: 'q3-asr/listening', data: { epochs: 'seeds.perSeed[*].curves.epochs' } },
  { spec: 'q3-similarity', run: 'q3-asr/listening', data: { epochs: 'seeds.perSeed[*].curves.epochs' } },
  { spec: 'q3-alignment', run: 'q3-asr/listening', data: { alignment: 'tables.alignment' } },
  {
    spec: 'q3-alignment',
    run: 'q3-ljspeech-transfer/listening',
    data: { alignment: 'tables.alignment' },
    where: { stage: 'fine-tune', clip: [0, 1] },
  },
  { spec: 'q3-paired', run: 'q3-asr/listening', data: { summary: 'seeds.comparisons', seeds: 'seeds.comparisons[*].perSeed' } },
  { spec: 'q3-listening-gap', run: 'q3-asr/listening', data: { gaps: 'seeds.perSeed[*].intervals' }, runs: q3Runs },
];

async function render(entry: Case) {
  const [experiment, profile] = entry.run.split('/');
  const props = parseProps('VegaChart', chartPropsSchema, {
    experiment,
    profile,
    spec: entry.spec,
    data: entry.data,
    caption: 'A chart.',
    ...(entry.where ? { where: entry.where } : {}),
    ...(entry.runs ? { runs: entry.runs.map(({ run, label }) => ({ experiment: run.split('/')[0], profile: run.split('/')[1], label })) } : {}),
  });
  const { snapshot, file } = committed(entry.run);
  const runs: ChartRun[] = (entry.runs ?? []).map(({ run, label }) => ({ ...committed(run), label }));
  return renderChart(snapshot, file, loadSpec(entry.spec), props, runs);
}

/** The drawing's width, and the font size of each text it draws (Vega writes `font-size="11px"` on every text). */
function measure(svg: string): { width: number; fonts: number[] } {
  const width = Number(/^<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1]);
  const fonts = [...svg.matchAll(/<text[^>]*font-size="([\d.]+)px"/g)].map((match) => Number(match[1]));
  return { width, fonts };
}

/** The symbols (points) a drawing has: the paths of its symbol marks. */
function symbols(svg: string): number {
  return [...svg.matchAll(/<g class="mark-symbol role-mark[^"]*"[^>]*>(.*?)<\/g>/g)].reduce((sum, match) => sum + (match[1].match(/<path/g) ?? []).length, 0);
}

describe('chart layouts', () => {
  it('every spec has a narrow layout', () => {
    const missing = specNames().filter((name) => narrowSpec(loadSpec(name).spec, name) === undefined);
    expect(missing).toEqual([]);
  });

  for (const entry of cases) {
    it(`${entry.spec} (${entry.run}): the narrow drawing fits a phone at its own size, with no text under ${MIN_FONT_PX} px`, async () => {
      const chart = await render(entry);
      expect(chart.narrow, 'a narrow layout').toBeDefined();
      const narrow = measure(chart.narrow!.svg);
      expect(narrow.width, 'narrow width').toBeGreaterThan(100);
      expect(narrow.width, 'narrow width').toBeLessThanOrEqual(PHONE_WIDTH);
      expect(narrow.fonts.length, 'text drawn').toBeGreaterThan(0);
      expect(Math.min(...narrow.fonts), 'smallest text').toBeGreaterThanOrEqual(MIN_FONT_PX);
      // The wide drawing fits the desktop text column (44 rem less the card's padding), so it is not scaled down either.
      expect(measure(chart.svg).width, 'wide width').toBeLessThanOrEqual(704 - 18);
      expect(chart.narrow!.svg).toMatch(/^<svg role="img" aria-label="/);
    });
  }
});

describe('comparison figures', () => {
  it('Q3: a dot per seed and measure, and the mean with its 95% interval, each a row of the data table', async () => {
    const chart = await render(cases.find((entry) => entry.spec === 'q3-paired')!);
    const { snapshot } = committed('q3-asr/listening');
    const comparisons = snapshot.seeds!.comparisons;
    expect(chart.rows).toHaveLength(comparisons.length * (snapshot.seeds!.list.length + 1));
    const jaccard = comparisons.find((comparison) => comparison.id === 'recurrent-minus-attention-jaccard')!;
    const mean = chart.rows.find((row) => row.measure === 'Jaccard' && String(row.what).startsWith('mean'))!;
    expect(mean).toMatchObject({ difference: jaccard.mean, low: jaccard.low, high: jaccard.high, what: 'mean of 3 seeds' });
    const seeds = chart.rows.filter((row) => row.measure === 'Jaccard' && String(row.what).startsWith('seed'));
    expect(seeds.map((row) => row.difference as number).sort()).toEqual([...jaccard.perSeed].sort());
    // Drawn: one symbol per row, in both layouts.
    for (const svg of [chart.svg, chart.narrow!.svg]) expect(symbols(svg)).toBe(chart.rows.length);
    expect(chart.table.headings).toEqual(['measure', 'value', 'LSTM − attention', '95% interval from', '95% interval to']);
  });

  it('Q2: per learning rate and at the chosen rate, in percentage points', async () => {
    const chart = await render(cases.find((entry) => entry.spec === 'q2-paired')!);
    const chosen = committed('q2-cnn/full').snapshot.seeds!.comparisons.find((comparison) => comparison.id === 'pooled-minus-strided-best')!;
    const mean = chart.rows.find((row) => row.measure === 'chosen' && String(row.what).startsWith('mean'))!;
    expect(mean.difference).toBeCloseTo(100 * chosen.mean, 10);
    expect(mean.low).toBeCloseTo(100 * chosen.low!, 10);
    expect(new Set(chart.rows.map((row) => row.measure))).toEqual(new Set(['chosen', '0.1', '0.01', '0.001']));
    expect(chart.rows).toHaveLength(4 * 4);
  });

  it('the listening gap of three runs: each decoder and seed with its interval, labelled by run', async () => {
    const chart = await render(cases.find((entry) => entry.spec === 'q3-listening-gap')!);
    const synthetic = committed('q3-asr/listening').snapshot;
    expect(chart.rows).toHaveLength(2 * synthetic.seeds!.list.length + 2 + 2);
    const real = chart.rows.find((row) => row.run === 'real speech: trained on real only' && row.decoder === 'LSTM decoder')!;
    const metrics = committed('q3-ljspeech/listening').snapshot.metrics;
    expect(real).toMatchObject({
      seed: 1,
      value: metrics['real-only-recurrent-listening-gap-jaccard'],
      low: metrics['real-only-recurrent-listening-gap-jaccard-low'],
      high: metrics['real-only-recurrent-listening-gap-jaccard-high'],
    });
    expect(chart.source).toContain('snapshots/q3-ljspeech-transfer/listening.json → seeds.perSeed[*].intervals');
    expect(symbols(chart.svg)).toBe(chart.rows.length);
  });

  it("refuses runs that leave out the chart's own snapshot", async () => {
    const entry = cases.find((candidate) => candidate.spec === 'q3-listening-gap')!;
    const props = parseProps('VegaChart', chartPropsSchema, {
      experiment: 'q3-asr',
      profile: 'listening',
      spec: entry.spec,
      data: entry.data,
      caption: 'A chart.',
      runs: q3Runs.slice(1).map(({ run, label }) => ({ experiment: run.split('/')[0], profile: run.split('/')[1], label })),
    });
    const { snapshot, file } = committed('q3-asr/listening');
    const runs = q3Runs.slice(1).map(({ run, label }) => ({ ...committed(run), label }));
    await expect(renderChart(snapshot, file, loadSpec(entry.spec), props, runs)).rejects.toThrow("must list the chart's own snapshot (q3-asr/listening)");
  });
});

describe('shareData', () => {
  it('sends the rows the narrow spec shares with the wide one once, and names them', async () => {
    const chart = await render(cases.find((entry) => entry.spec === 'q2-curves')!);
    const { spec, sharedData } = shareData(chart.vega, chart.narrow!.vega);
    expect(sharedData.length).toBeGreaterThan(0);
    expect(JSON.stringify(spec).length).toBeLessThan(JSON.stringify(chart.narrow!.vega).length / 2);
    for (const name of sharedData) expect(spec.data?.find((entry) => entry.name === name)).not.toHaveProperty('values');
    // The narrow drawing carries no text per mark (the figure's label and data table say what it shows).
    expect(chart.narrow!.svg).not.toContain('aria-roledescription="point"');
  });
});

describe('mergePatch', () => {
  it('merges objects, replaces the rest and removes what is null (RFC 7396)', () => {
    const target = { facet: { column: { field: 'a' } }, spec: { width: 500, height: 200 }, list: [1, 2] };
    expect(mergePatch(target, { facet: { column: null, row: { field: 'a' } }, spec: { width: 200 }, list: [3] })).toEqual({
      facet: { row: { field: 'a' } },
      spec: { width: 200, height: 200 },
      list: [3],
    });
    expect(target.spec.width).toBe(500);
  });
});
