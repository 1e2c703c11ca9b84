/**
 * Charts: a Vega-Lite spec file (src/charts/<name>.vl.json) names its data sets (`"data": {"name": "cost"}`),
 * the page supplies their rows from a snapshot, and the chart is compiled and drawn to SVG here, at build
 * time, so it is complete with JavaScript off and in print. The compiled Vega spec is also handed to the
 * browser, where vega-embed redraws the same chart with tooltips (see hydrate-charts.ts).
 */
import { logger, parse, View, Warn } from 'vega';
import type { Spec as VegaSpec } from 'vega';
import { compile } from 'vega-lite';
import type { Config, TopLevelSpec } from 'vega-lite';
import type { Row } from './lookup.ts';

export class ChartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChartError';
  }
}

/** Site-wide look of every chart; a spec's own `config` wins where it sets something. */
export const chartConfig: Config = {
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  background: null as unknown as string, // transparent: the page's background shows through, in either theme
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', grid: true, gridOpacity: 0.5 },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal' },
  range: { category: ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'] },
};

export interface CompiledChart {
  /** The Vega spec with the data inlined: what the browser hydrates. */
  vega: VegaSpec;
  /** The chart drawn at build time. */
  svg: string;
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
  if (unused.length > 0) throw new ChartError(`${file}: does not use data set ${unused.map((name) => `"${name}"`).join(', ')} (it reads ${[...wanted].join(', ') || 'none'})`);
  for (const [name, rows] of Object.entries(datasets)) {
    if (rows.length === 0) throw new ChartError(`${file}: data set "${name}" has no rows`);
  }
  return { ...spec, datasets: structuredClone(datasets) } as TopLevelSpec;
}

export function compileSpec(spec: TopLevelSpec, file: string): VegaSpec {
  try {
    return compile(spec, { config: chartConfig }).spec;
  } catch (error) {
    throw new ChartError(`${file}: Vega-Lite could not compile it: ${(error as Error).message}`);
  }
}

/** Draws a Vega spec to an SVG string in Node, without a browser or a canvas. */
export async function renderSvg(vegaSpec: VegaSpec, file: string): Promise<string> {
  const warnings: string[] = [];
  // Warnings (a log scale given a zero, a field that is not there) mean a wrong chart: collect them and fail.
  const collect = logger(Warn, undefined, (_method: string, _level: string, input: readonly unknown[]) => {
    warnings.push(input.map(String).join(' '));
  });
  const view = new View(parse(vegaSpec), { renderer: 'none', logger: collect });
  try {
    const svg = await view.toSVG();
    if (warnings.length > 0) throw new ChartError(`${file}: Vega reported: ${warnings.join('; ')}`);
    return svg;
  } catch (error) {
    if (error instanceof ChartError) throw error;
    throw new ChartError(`${file}: Vega could not draw it: ${(error as Error).message}`);
  } finally {
    view.finalize();
  }
}

/** Spec + rows -> the compiled spec and its SVG. */
export async function buildChart(spec: TopLevelSpec, datasets: Record<string, Row[]>, file: string): Promise<CompiledChart> {
  const vega = compileSpec(injectData(spec, datasets, file), file);
  const svg = await renderSvg(vega, file);
  return { vega, svg };
}

/**
 * JSON that is safe inside `<script type="application/json">`: `<` is escaped so no string in the data can
 * close the element or open a comment.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
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
