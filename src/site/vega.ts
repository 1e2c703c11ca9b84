/**
 * Charts: a Vega-Lite spec file (src/charts/<name>.vl.json) names its data sets (`"data": {"name": "cost"}`),
 * the page supplies their rows from a snapshot, and the chart is compiled and drawn to SVG here, at build
 * time, so it is complete with JavaScript off and in print. The compiled Vega spec is also handed to the
 * browser, where vega-embed redraws the same chart with tooltips (see client/hydrate-charts.ts).
 */
import * as vega from 'vega';
import { logger, parse, View, Warn } from 'vega';
import type { Spec as VegaSpec } from 'vega';
import { vegaTextWidth } from '../lib/text/text-width.ts';
import { compile } from 'vega-lite';
import type { Config, TopLevelSpec } from 'vega-lite';
import type { Row } from './snapshots.ts';

// Text is measured by its font's advance widths, in Node as in the browser (client/hydrate-charts.ts sets the same
// function there), so the drawn and the live chart have the same layout, and labels take the room they need.
(vega as unknown as { textMetrics: { width: typeof vegaTextWidth } }).textMetrics.width = vegaTextWidth;

export class ChartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChartError';
  }
}

/** Site-wide look of every chart; a spec's own `config` wins where it sets something. */
const chartConfig: Config = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  background: null as unknown as string, // transparent: the page's background shows through, in either theme
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', grid: true, gridOpacity: 0.5 },
  // No limits on legend text: a title is never cut to "share of the true cla…" (Node and the browser measure text
  // alike, see client/hydrate-charts.ts, so both draw the same layout).
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', titleLimit: 1000, labelLimit: 1000 },
  range: { category: ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'] },
};

export interface CompiledChart {
  /** The Vega spec with the data inlined: what the browser hydrates. */
  vega: VegaSpec;
  /** The chart drawn at build time. */
  svg: string;
  /**
   * The same chart laid out for a narrow container (a phone), where the spec gives one (usermeta.narrow): drawn
   * from the same rows, plotting the same values, so the data table serves both.
   */
  narrow?: { vega: VegaSpec; svg: string };
  /** The plotted values (plottedRows) and their columns. */
  columns: PlottedColumn[];
  rows: PlottedRow[];
  /** The spec's own description of what it shows. */
  description: string | undefined;
}

/** Parses a spec file's text, naming the file when it is not a Vega-Lite spec we can use. */
export function parseSpec(text: string, file: string): TopLevelSpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ChartError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ChartError(`${file}: a Vega-Lite spec must be a JSON object`);
  return json as TopLevelSpec;
}

/** The names of the data sets a spec reads (`{"data": {"name": …}}` anywhere in it). */
export function dataNames(spec: unknown): Set<string> {
  const names = new Set<string>();
  visit(spec, (node) => {
    const data = node.data;
    if (isRecord(data) && typeof data.name === 'string') names.add(data.name);
  });
  return names;
}

/**
 * The spec with `datasets` filled in. Every named data set must get rows and every supplied data set must be
 * used, so a renamed data set in a spec or a page fails the build. Specs may not load data themselves (`url`,
 * inline `values`): a chart shows snapshot data or nothing, and the site makes no outside requests.
 */
export function injectData(spec: TopLevelSpec, datasets: Record<string, Row[]>, file: string): TopLevelSpec {
  visit(spec, (node) => {
    const data = node.data;
    if (isRecord(data) && ('url' in data || 'values' in data)) {
      throw new ChartError(`${file}: data must be named and supplied from a snapshot ({"name": …}), not loaded with url or values`);
    }
  });
  if ('datasets' in spec && spec.datasets) throw new ChartError(`${file}: must not declare "datasets"; the page supplies them`);
  const wanted = dataNames(spec);
  const given = Object.keys(datasets);
  const missing = [...wanted].filter((name) => !given.includes(name));
  const unused = given.filter((name) => !wanted.has(name));
  if (missing.length > 0) throw new ChartError(`${file}: no rows supplied for data set ${missing.map((name) => `"${name}"`).join(', ')}`);
  if (unused.length > 0)
    throw new ChartError(`${file}: does not use data set ${unused.map((name) => `"${name}"`).join(', ')} (it reads ${[...wanted].join(', ') || 'none'})`);
  for (const [name, rows] of Object.entries(datasets)) {
    if (rows.length === 0) throw new ChartError(`${file}: data set "${name}" has no rows`);
  }
  return { ...spec, datasets: structuredClone(datasets) } as TopLevelSpec;
}

/**
 * Vega-Lite warns when a faceted chart with independent scales draws several layers, because it cannot tell that
 * the layers read one data set; it then assumes they do. When no layer inside the facet loads data of its own, that
 * assumption is the truth, and the warning says nothing.
 */
const FACET_UNION_WARNING = 'Detected faceted independent scales that union domain of the same fields from different source';

function layersShareFacetData(spec: TopLevelSpec): boolean {
  const inner = (spec as { facet?: unknown; spec?: unknown }).facet !== undefined ? (spec as { spec?: unknown }).spec : undefined;
  if (!isRecord(inner)) return false;
  let ownData = false;
  visit(inner, (node) => {
    if ('data' in node) ownData = true;
  });
  return !ownData;
}

function compileSpec(spec: TopLevelSpec, file: string): VegaSpec {
  const quiet = layersShareFacetData(spec);
  const report = logger(Warn, undefined, (_method: string, level: string, input: readonly unknown[]) => {
    const text = input.map(String).join(' ');
    if (quiet && text.startsWith(FACET_UNION_WARNING)) return;
    console.warn(`${file}: Vega-Lite: ${level} ${text}`);
  });
  try {
    return compile(spec, { config: chartConfig, logger: report }).spec;
  } catch (error) {
    throw new ChartError(`${file}: Vega-Lite could not compile it: ${(error as Error).message}`);
  }
}

/** A value a chart plots, as its data table shows it. */
export type PlottedRow = Record<string, number | string | boolean | null>;

/** A column of the plotted values: the field and the heading the chart itself gives it. */
export interface PlottedColumn {
  field: string;
  title: string;
  /** Decimals the data table prints, where the spec chooses them (usermeta.table). */
  digits?: number;
}

/**
 * Draws a Vega spec to an SVG string in Node, without a browser or a canvas, and collects the data behind its
 * marks: every datum a point, bar, cell or text label is drawn from, after the spec's transforms (fold, filter,
 * calculate), so a chart's data table lists exactly what is plotted (see markData).
 */
async function renderSvg(vegaSpec: VegaSpec, file: string): Promise<{ svg: string; data: Record<string, unknown>[] }> {
  const warnings: string[] = [];
  // Warnings (a log scale given a zero, a field that is not there) mean a wrong chart: collect them and fail.
  const collect = logger(Warn, undefined, (_method: string, _level: string, input: readonly unknown[]) => {
    warnings.push(input.map(String).join(' '));
  });
  const view = new View(parse(vegaSpec), { renderer: 'none', logger: collect });
  try {
    const svg = await view.toSVG();
    if (warnings.length > 0) throw new ChartError(`${file}: Vega reported: ${warnings.join('; ')}`);
    return { svg, data: markData((view.scenegraph() as unknown as { root: SceneNode }).root) };
  } catch (error) {
    if (error instanceof ChartError) throw error;
    throw new ChartError(`${file}: Vega could not draw it: ${(error as Error).message}`);
  } finally {
    view.finalize();
  }
}

interface SceneNode {
  marktype?: string;
  role?: string;
  datum?: Record<string, unknown>;
  items?: SceneNode[];
}

/**
 * The marks whose every item shows one value: points, bars and cells, and text. A line or an area is drawn
 * through values points already show, or summarises them (the thin line of each seed and the sd band around
 * the seeds' mean, whose points carry mean, sd and n), so its datums add no row to the data table.
 */
const valueMarks = new Set(['symbol', 'rect', 'text']);

/** The datums of the data marks (not axes, legends or titles) that show values, in drawing order. */
function markData(root: SceneNode): Record<string, unknown>[] {
  const data: Record<string, unknown>[] = [];
  const seen = new Set<unknown>();
  const visit = (node: SceneNode) => {
    if (node.role === 'mark' && node.marktype !== undefined && valueMarks.has(node.marktype)) {
      for (const item of node.items ?? []) {
        if (item.datum && !seen.has(item.datum)) {
          seen.add(item.datum);
          data.push(item.datum);
        }
      }
    }
    for (const child of node.items ?? []) visit(child);
  };
  visit(root);
  return data;
}

const columnChannels = ['row', 'column', 'color', 'strokeDash', 'x', 'y', 'text', 'tooltip'] as const;

/**
 * The fields a Vega-Lite spec plots, in reading order (facets, then series, then position, then text and
 * tooltip), each with the title the chart shows for it (axis, legend, header or tooltip title).
 */
function plottedColumns(spec: TopLevelSpec): PlottedColumn[] {
  const columns = new Map<string, string>();
  const add = (definition: unknown) => {
    if (!isRecord(definition) || typeof definition.field !== 'string') return;
    const field = definition.field;
    const titles = [
      definition.title,
      isRecord(definition.axis) ? definition.axis.title : undefined,
      isRecord(definition.legend) ? definition.legend.title : undefined,
    ];
    const title = titles.find((candidate): candidate is string => typeof candidate === 'string');
    if (!columns.has(field)) columns.set(field, title ?? field);
    else if (title && columns.get(field) === field) columns.set(field, title);
  };
  const encodings: Record<string, unknown>[] = [];
  visit(spec, (node) => {
    if (isRecord(node.encoding)) encodings.push(node.encoding);
    if (isRecord(node.facet)) encodings.push(node.facet);
  });
  for (const channel of columnChannels) {
    for (const encoding of encodings) {
      const definition = encoding[channel];
      if (Array.isArray(definition)) definition.forEach(add);
      else add(definition);
    }
  }
  return [...columns].map(([field, title]) => ({ field, title }));
}

/** The plotted datums reduced to the plotted columns, without repeats (a line and its points share a datum). */
function plottedRows(data: Record<string, unknown>[], columns: PlottedColumn[]): PlottedRow[] {
  const rows: PlottedRow[] = [];
  const keys = new Set<string>();
  for (const datum of data) {
    const row: PlottedRow = {};
    for (const { field } of columns) {
      const value = datum[field];
      row[field] = typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' ? value : null;
    }
    const key = JSON.stringify(row);
    if (keys.has(key)) continue;
    keys.add(key);
    rows.push(row);
  }
  return rows;
}

/**
 * The data table's columns: every plotted field (plottedColumns), or the spec's own choice among them, in its
 * order, where a plotted field is only a device (a sort key behind axis labels), optionally with a heading and a
 * number of decimals: `"usermeta": {"table": {"columns": ["decoderName", {"field": "from", "title": "from (s)", "digits": 2}]}}`.
 */
export function tableColumns(spec: TopLevelSpec, file: string): PlottedColumn[] {
  const plotted = plottedColumns(spec);
  const usermeta = (spec as { usermeta?: unknown }).usermeta;
  const table = isRecord(usermeta) ? usermeta.table : undefined;
  if (table === undefined) return plotted;
  if (!isRecord(table) || !Array.isArray(table.columns) || Object.keys(table).some((key) => key !== 'columns') || table.columns.length === 0) {
    throw new ChartError(`${file}: usermeta.table must be {"columns": [field or {"field", "title", "digits"}, …]}`);
  }
  return table.columns.map((entry: unknown) => {
    const chosen = typeof entry === 'string' ? { field: entry } : isRecord(entry) && typeof entry.field === 'string' ? entry : null;
    const valid =
      chosen !== null &&
      Object.keys(chosen).every((key) => ['field', 'title', 'digits'].includes(key)) &&
      (chosen.title === undefined || typeof chosen.title === 'string') &&
      (chosen.digits === undefined || (Number.isInteger(chosen.digits) && (chosen.digits as number) >= 0 && (chosen.digits as number) <= 15));
    if (!valid) throw new ChartError(`${file}: usermeta.table.columns: ${JSON.stringify(entry)} is not a field name or {"field", "title", "digits"}`);
    const column = plotted.find((candidate) => candidate.field === chosen.field);
    if (!column)
      throw new ChartError(
        `${file}: usermeta.table.columns: "${chosen.field}" is not a plotted field (${plotted.map((candidate) => candidate.field).join(', ')})`,
      );
    return {
      field: column.field,
      title: typeof chosen.title === 'string' ? chosen.title : column.title,
      ...(typeof chosen.digits === 'number' ? { digits: chosen.digits } : {}),
    };
  });
}

/**
 * A spec may reshape a data set once, here, instead of in every reader's browser:
 * `"usermeta": {"prepare": {"data": "alignment", "transform": [Vega-Lite transforms]}}` runs those transforms over
 * the supplied rows at build time, and the chart, drawn and hydrated alike, gets their output as that data set.
 * The page then carries the rows the chart needs (a few hundred heat-map cells) rather than the raw ones.
 */
async function prepareData(spec: TopLevelSpec, datasets: Record<string, Row[]>, file: string): Promise<Record<string, Row[]>> {
  const usermeta = (spec as { usermeta?: unknown }).usermeta;
  const prepare = isRecord(usermeta) ? usermeta.prepare : undefined;
  if (prepare === undefined) return datasets;
  if (
    !isRecord(prepare) ||
    typeof prepare.data !== 'string' ||
    !Array.isArray(prepare.transform) ||
    Object.keys(prepare).some((key) => key !== 'data' && key !== 'transform')
  ) {
    throw new ChartError(`${file}: usermeta.prepare must be {"data": <data set name>, "transform": [Vega-Lite transforms]}`);
  }
  const rows = datasets[prepare.data];
  if (!rows) throw new ChartError(`${file}: usermeta.prepare reads data set "${prepare.data}", which is not supplied (${Object.keys(datasets).join(', ')})`);
  // A chart of no marks but one point per prepared row: the rows are read back from the data feeding that mark.
  const vega = compileSpec(
    { data: { values: structuredClone(rows) }, transform: prepare.transform, mark: 'point' } as TopLevelSpec,
    `${file} (usermeta.prepare)`,
  );
  const source = (vega.marks?.[0] as { from?: { data?: string } } | undefined)?.from?.data;
  if (!source) throw new ChartError(`${file}: usermeta.prepare: no data set feeds the prepared rows`);
  const view = new View(parse(vega), { renderer: 'none' });
  try {
    await view.runAsync();
    const prepared = (view.data(source) as Record<string, unknown>[]).map((tuple) => {
      const row: Row = {};
      for (const [key, value] of Object.entries(tuple)) {
        if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' || value === null) row[key] = value;
      }
      return row;
    });
    return { ...datasets, [prepare.data]: prepared };
  } catch (error) {
    throw new ChartError(`${file}: usermeta.prepare failed: ${(error as Error).message}`);
  } finally {
    view.finalize();
  }
}

/**
 * Where a chart changes layout: below this container width (CSS px) the narrow variant is shown, drawn and
 * hydrated (site.css has the same number in its container query; client/hydrate-charts.ts reads it from the page).
 */
export const NARROW_CHART_WIDTH = 600;

/**
 * The spec for narrow containers: `"usermeta": {"narrow": {…}}` is a JSON merge patch (RFC 7396) applied to the
 * spec: objects merge, anything else replaces, `null` removes. Facets that sit side by side become rows, widths
 * shrink, and text stays at a size a phone can read (the chart is drawn as wide as the screen, never scaled down).
 * Undefined when the spec has none.
 */
export function narrowSpec(spec: TopLevelSpec, file: string): TopLevelSpec | undefined {
  const usermeta = (spec as { usermeta?: unknown }).usermeta;
  const patch = isRecord(usermeta) ? usermeta.narrow : undefined;
  if (patch === undefined) return undefined;
  if (!isRecord(patch)) throw new ChartError(`${file}: usermeta.narrow must be an object, a merge patch of the spec`);
  if ('usermeta' in patch || 'data' in patch || 'datasets' in patch) {
    throw new ChartError(`${file}: usermeta.narrow may change the layout only, not usermeta, data or datasets`);
  }
  return mergePatch(spec, patch) as TopLevelSpec;
}

/** What the page carries of a narrow layout's spec: the spec without the data sets it shares with the wide one, and their names. */
export interface NarrowForPage {
  spec: VegaSpec;
  /** Data sets whose rows the browser copies from the wide spec (client/hydrate-charts.ts). */
  sharedData: string[];
}

/** The narrow spec without the rows it has in common with the wide one, so a page carries each data set once. */
export function shareData(wide: VegaSpec, narrow: VegaSpec): NarrowForPage {
  const wideData = new Map((wide.data ?? []).map((entry) => [entry.name, JSON.stringify((entry as { values?: unknown }).values)]));
  const sharedData: string[] = [];
  const data = (narrow.data ?? []).map((entry) => {
    const values = (entry as { values?: unknown }).values;
    if (values === undefined || wideData.get(entry.name) !== JSON.stringify(values)) return entry;
    sharedData.push(entry.name);
    const { values: _shared, ...rest } = entry as { values?: unknown; name: string };
    return rest as typeof entry;
  });
  return { spec: { ...narrow, data }, sharedData };
}

/** RFC 7396: `patch` applied to `target`, neither changed. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isRecord(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Spec + rows -> the compiled spec, its SVG and the values it plots (and the same for narrow containers, if the spec has a narrow layout). */
export async function buildChart(spec: TopLevelSpec, datasets: Record<string, Row[]>, file: string): Promise<CompiledChart> {
  const prepared = await prepareData(spec, datasets, file);
  const vega = compileSpec(injectData(spec, prepared, file), file);
  const { svg, data } = await renderSvg(vega, file);
  const columns = tableColumns(spec, file);
  const rows = plottedRows(data, columns);
  const chart: CompiledChart = { vega, svg, columns, rows, description: typeof spec.description === 'string' ? spec.description : undefined };
  const narrow = narrowSpec(spec, file);
  if (!narrow) return chart;
  const where = `${file} (usermeta.narrow)`;
  // The narrow drawing repeats the wide one for small screens, which label it as one image (its root's aria-label,
  // and the data table): without Vega's text for every mark it weighs half as much.
  const unlabelled = { ...narrow, config: { ...narrow.config, aria: false } } as TopLevelSpec;
  const narrowVega = compileSpec(injectData(unlabelled, prepared, where), where);
  const drawn = await renderSvg(narrowVega, where);
  const narrowRows = plottedRows(drawn.data, columns);
  // One data table under both layouts: they must plot the same values.
  const key = (list: PlottedRow[]) => list.map((row) => JSON.stringify(row)).sort();
  if (JSON.stringify(key(narrowRows)) !== JSON.stringify(key(rows))) {
    throw new ChartError(`${where}: the narrow layout plots ${narrowRows.length} values, the wide one ${rows.length}; both must plot the same`);
  }
  return { ...chart, narrow: { vega: narrowVega, svg: drawn.svg } };
}

function visit(value: unknown, callback: (node: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) visit(item, callback);
  } else if (isRecord(value)) {
    callback(value);
    for (const child of Object.values(value)) visit(child, callback);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
