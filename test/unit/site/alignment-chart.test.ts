/**
 * The Q3 alignment heat maps (src/charts/q3-alignment.vl.json) through the chart pipeline: the cells drawn and
 * tabulated are the snapshot's weights summed over pairs of columns (those of at least 0.1, and each row's
 * largest), every decoder step keeps its row labelled with the character it writes, the page carries the
 * prepared cells rather than the raw weights, and a run with two training stages never mixes them.
 */
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../src/lib/snapshot-schema.ts';
import { chartPropsSchema, loadSpec, renderChart } from '../../../src/components/vega-chart.ts';
import { parseProps } from '../../../src/site/props.ts';
import { buildChart, parseSpec, tableColumns } from '../../../src/site/vega.ts';
import { loadQ3Smoke, q3SmokeFile } from './fixture.ts';

const file = q3SmokeFile;
const smoke = loadQ3Smoke();

function render(snapshot: Snapshot, extra: Record<string, unknown> = {}) {
  const props = parseProps('VegaChart', chartPropsSchema, {
    experiment: 'q3-asr',
    profile: 'smoke',
    spec: 'q3-alignment',
    data: { alignment: 'tables.alignment' },
    caption: 'Alignment.',
    ...extra,
  });
  return renderChart(snapshot, file, loadSpec('q3-alignment'), props);
}

/** The cells the chart should draw, computed here from the raw rows: `decoder/clip/step/from` -> weight. */
function expectedCells(rows: NonNullable<Snapshot['tables']['alignment']>): Map<string, number> {
  const cells = new Map<string, number>();
  for (const row of rows) {
    const weights = String(row.weights).split(' ').map(Number);
    const pairs = Array.from({ length: Math.ceil(weights.length / 2) }, (_, pair) => weights[2 * pair] + (weights[2 * pair + 1] ?? 0));
    const largest = Math.max(...pairs);
    pairs.forEach((weight, pair) => {
      if (weight >= 0.1 || weight === largest)
        cells.set(`${row.decoder}/${row.clip}/${row.step}/${((pair * Number(row.bin) * 2 * 320) / 22050).toFixed(2)}`, weight);
    });
  }
  return cells;
}

describe('the alignment chart', () => {
  it('draws and tabulates exactly the cells of the weights, one labelled row per decoder step', async () => {
    const chart = await render(smoke);
    const rows = smoke.tables.alignment!;
    const expected = expectedCells(rows);
    expect(chart.table.headings).toEqual(['decoder', 'clip', 'step', 'writes', 'from (s)', 'attention weight']);
    expect(chart.table.rows.length).toBe(expected.size);
    const decoderOf = (name: string) => (name.startsWith('LSTM') ? 'recurrent' : 'attention');
    for (const [decoderName, clipName, step, , from, weight] of chart.table.rows) {
      const key = `${decoderOf(decoderName)}/${Number(clipName.replace('test clip ', '')) - 1}/${step}/${from}`;
      expect(expected.has(key), key).toBe(true);
      expect(Math.abs(Number(weight) - expected.get(key)!), `${key}: ${weight}`).toBeLessThanOrEqual(0.005 + 1e-9); // printed to 2 decimals
    }
    // Every step of every panel keeps its row, labelled with what it writes (a space as ␣, the stop token as ■).
    const tabulated = new Set(chart.table.rows.map(([decoderName, clipName, step, writes]) => `${decoderName}/${clipName}/${step}/${writes}`));
    for (const row of rows) {
      const writes = row.emitted === 'stop' ? '■' : row.emitted === ' ' ? '␣' : String(row.emitted);
      const decoderName = row.decoder === 'recurrent' ? 'LSTM decoder' : 'attention decoder';
      expect(tabulated.has(`${decoderName}/test clip ${Number(row.clip) + 1}/${row.step}/${writes}`), `${row.decoder} clip ${row.clip} step ${row.step}`).toBe(
        true,
      );
    }
    expect(chart.svg).toContain('>■</text>');
    expect(chart.svg).toMatch(/^<svg role="img" aria-label="Cross-attention of each decoder/);
  });

  it('hands the page the prepared cells, not the raw weights', async () => {
    const chart = await render(smoke);
    const data = (chart.vega.data ?? []).find((entry) => entry.name === 'alignment') as { values: Record<string, unknown>[] };
    expect(data.values.length).toBe(chart.rows.length);
    expect(Object.keys(data.values[0]).sort()).toEqual(['bin', 'clip', 'decoder', 'emitted', 'pair', 'stage', 'step', 'weight']);
    expect(JSON.stringify(chart.vega).length).toBeLessThan(JSON.stringify(smoke.tables.alignment).length);
  });

  it('keeps the stages of a run apart, and shows one stage with where', async () => {
    const snapshot = structuredClone(smoke);
    snapshot.tables.alignment = ['pretrain', 'fine-tune'].flatMap((stage) =>
      smoke.tables.alignment!.map((row) => ({ ...row, arm: 'synthetic-then-real', stage })),
    );
    const both = await render(snapshot);
    expect(both.table.rows.length).toBe(2 * expectedCells(smoke.tables.alignment!).size);
    expect(new Set(both.table.rows.map((row) => row[0]))).toEqual(
      new Set(['LSTM decoder, before fine-tuning', 'attention decoder, before fine-tuning', 'LSTM decoder', 'attention decoder']),
    );
    const fineTuned = await render(snapshot, { where: { stage: 'fine-tune', clip: [0, 1] } });
    const plain = await render(smoke);
    expect(fineTuned.table.rows).toEqual(plain.table.rows.filter((row) => row[1] !== 'test clip 3'));
    await expect(render(snapshot, { where: { stage: 'pre-train' } })).rejects.toThrow(`${file} → tables.alignment: no row has stage = "pre-train"`);
    await expect(render(smoke, { where: { stage: 'fine-tune' } })).rejects.toThrow('row 0 has no column "stage"');
  });
});

describe('usermeta.table and usermeta.prepare', () => {
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    data: { name: 'points' },
    mark: 'point',
    encoding: { x: { field: 'a', type: 'quantitative', title: 'A' }, y: { field: 'b', type: 'quantitative' } },
  };
  const rows = [
    { a: 1, b: 2 },
    { a: 2, b: 4 },
    { a: 3, b: 9 },
  ];

  it('chooses, orders and titles the data table’s columns among the plotted fields', async () => {
    const spec = parseSpec(JSON.stringify({ ...base, usermeta: { table: { columns: ['b', { field: 'a', title: 'a value', digits: 1 }] } } }), 'x.vl.json');
    expect(tableColumns(spec, 'x.vl.json')).toEqual([
      { field: 'b', title: 'b' },
      { field: 'a', title: 'a value', digits: 1 },
    ]);
    const bad = parseSpec(JSON.stringify({ ...base, usermeta: { table: { columns: ['c'] } } }), 'x.vl.json');
    expect(() => tableColumns(bad, 'x.vl.json')).toThrow('x.vl.json: usermeta.table.columns: "c" is not a plotted field (a, b)');
    const odd = parseSpec(JSON.stringify({ ...base, usermeta: { table: { columns: [{ field: 'a', width: 3 }] } } }), 'x.vl.json');
    expect(() => tableColumns(odd, 'x.vl.json')).toThrow('is not a field name or {"field", "title", "digits"}');
  });

  it('reshapes a data set at build time, for the drawing and the page alike', async () => {
    const spec = parseSpec(
      JSON.stringify({ ...base, usermeta: { prepare: { data: 'points', transform: [{ filter: 'datum.b > 3' }, { calculate: 'datum.a * 10', as: 'a' }] } } }),
      'x.vl.json',
    );
    const chart = await buildChart(spec, { points: rows }, 'x.vl.json');
    expect(chart.rows).toEqual([
      { a: 20, b: 4 },
      { a: 30, b: 9 },
    ]);
    expect((chart.vega.data ?? []).find((entry) => entry.name === 'points')).toMatchObject({
      values: [
        { a: 20, b: 4 },
        { a: 30, b: 9 },
      ],
    });
    const wrong = parseSpec(JSON.stringify({ ...base, usermeta: { prepare: { data: 'dots', transform: [] } } }), 'x.vl.json');
    await expect(buildChart(wrong, { points: rows }, 'x.vl.json')).rejects.toThrow(
      'x.vl.json: usermeta.prepare reads data set "dots", which is not supplied (points)',
    );
  });
});
