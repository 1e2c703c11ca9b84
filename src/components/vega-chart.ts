/**
 * What `<VegaChart>` shows: a spec file with its data sets filled from one snapshot. The spec files are bundled at
 * build time by Vite (import.meta.glob) and looked up by name: `q1-cost` -> src/charts/q1-cost.vl.json.
 */
import { z } from 'zod';
import type { TopLevelSpec } from 'vega-lite';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { SiteDataError } from '../site/errors.ts';
import { floatPropsSchema } from '../site/floats.ts';
import { compactList, formatNumber } from '../site/format.ts';
import { snapshotRefSchema } from '../site/props.ts';
import { everySeedCurveName, lookupRows, requireColumns } from '../site/snapshots.ts';
import type { Row } from '../site/snapshots.ts';
import { escapeHtml, inlineMarkup } from '../site/text.ts';
import { buildChart, ChartError, parseSpec } from '../site/vega.ts';
import type { CompiledChart, PlottedRow } from '../site/vega.ts';

const files = import.meta.glob<string>('../charts/*.vl.json', { query: '?raw', import: 'default', eager: true });

export interface SpecFile {
  file: string;
  spec: TopLevelSpec;
}

export function specNames(): string[] {
  return Object.keys(files)
    .map((path) => path.replace(/^.*\/(.+)\.vl\.json$/, '$1'))
    .sort();
}

export function loadSpec(name: string): SpecFile {
  const file = `src/charts/${name}.vl.json`;
  const text = files[`../charts/${name}.vl.json`];
  if (text === undefined) throw new ChartError(`${file}: no such chart spec (specs: ${specNames().join(', ') || 'none'})`);
  return { file, spec: parseSpec(text, file) };
}

const cellValue = z.union([z.number(), z.string(), z.boolean()]);

export const chartPropsSchema = snapshotRefSchema
  .extend({
    /** Spec file name: `q1-cost` for src/charts/q1-cost.vl.json. */
    spec: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a spec name such as q1-cost (the file src/charts/<name>.vl.json)'),
    /** Data set name in the spec -> key path of its rows in the snapshot, e.g. `{ cost: 'timings.curves.cost' }`. */
    data: z.record(z.string().min(1), z.string().min(1)).refine((data) => Object.keys(data).length > 0, 'must name at least one data set'),
    /**
     * Only rows whose cells equal these values (or one of a list of them), in every data set, e.g.
     * `{ stage: 'fine-tune', clip: [0, 1] }` where a table holds several runs' rows.
     */
    where: z.record(z.string(), z.union([cellValue, z.array(cellValue).min(1)])).optional(),
    /**
     * Several runs in one chart: every data set's key path is read from each of these snapshots (the chart's own
     * among them) and each row gets a `run` column holding its run's label, e.g. the listening gap of a synthetic
     * and a real-speech run side by side.
     */
    runs: z
      .array(snapshotRefSchema.extend({ label: z.string().min(1) }).strict())
      .min(2, 'must list at least two runs (one run needs no runs prop)')
      .optional(),
    /** May hold inline TeX between `$`s. */
    caption: z.string().min(1),
    /**
     * How to use the interactive chart ("Hover over a point for its value."). Shown only where the chart can be
     * interactive: not without JavaScript, not in print.
     */
    hint: z.string().min(1).optional(),
  })
  .merge(floatPropsSchema('figure'))
  .strict();

export interface RenderedChart extends CompiledChart {
  caption: string;
  source: string;
  /** The text alternative of the drawn chart: what it shows, in words. */
  label: string;
  /** The plotted values as the data table shows them: headings and formatted cells. */
  table: { headings: string[]; rows: string[][]; numeric: boolean[] };
}

/** A snapshot a chart of several runs reads, with the label its rows get in the `run` column. */
export interface ChartRun {
  snapshot: Snapshot;
  file: string;
  label: string;
}

/**
 * The rows at `keyPath`: of the chart's snapshot, or of every run, each row tagged with its run's label (`run`) and
 * the run's place in the list (`runOrder`, from 0), by which a spec orders the runs as the page lists them.
 */
function readRows(snapshot: Snapshot, file: string, keyPath: string, runs: ChartRun[]): Row[] {
  if (runs.length === 0) return lookupRows(snapshot, keyPath, file);
  return runs.flatMap((run, runOrder) =>
    lookupRows(run.snapshot, keyPath, run.file).map((row, index) => {
      const taken = ['run', 'runOrder'].filter((column) => Object.hasOwn(row, column));
      if (taken.length > 0) throw new SiteDataError(`${run.file} → ${keyPath}: row ${index} already has a column "${taken[0]}"`);
      return { ...row, run: run.label, runOrder };
    }),
  );
}

export async function renderChart(
  snapshot: Snapshot,
  file: string,
  specFile: SpecFile,
  props: z.output<typeof chartPropsSchema>,
  runs: ChartRun[] = [],
): Promise<RenderedChart> {
  if (runs.length > 0 && !runs.some((run) => run.snapshot.experiment === snapshot.experiment && run.snapshot.profile === snapshot.profile)) {
    throw new SiteDataError(`${file}: <VegaChart runs> must list the chart's own snapshot (${snapshot.experiment}/${snapshot.profile})`);
  }
  const datasets: Record<string, Row[]> = {};
  const filters = Object.entries(props.where ?? {});
  for (const [name, keyPath] of Object.entries(props.data)) {
    const rows = readRows(snapshot, file, keyPath, runs);
    if (filters.length > 0)
      requireColumns(
        rows,
        filters.map(([key]) => key),
        keyPath,
        file,
      );
    datasets[name] = rows.filter((row) => filters.every(([key, value]) => (Array.isArray(value) ? value.includes(row[key] as never) : row[key] === value)));
    if (datasets[name].length === 0) {
      throw new SiteDataError(
        `${file} → ${keyPath}: no row has ${filters.map(([key, value]) => `${key} ${Array.isArray(value) ? 'in' : '='} ${JSON.stringify(value)}`).join(' and ')}`,
      );
    }
  }
  const chart = await buildChart(specFile.spec, datasets, specFile.file);
  const files = runs.length > 0 ? runs.map((run) => run.file) : [file];
  const source = `${specFile.file} with ${Object.values(props.data)
    .flatMap((keyPath) => files.map((from) => `${from} → ${keyPath}`))
    .join(', ')}`;
  const numeric = chart.columns.map((column) => chart.rows.every((row) => row[column.field] === null || typeof row[column.field] === 'number'));
  const table = {
    headings: chart.columns.map((column) => column.title),
    rows: chart.rows.map((row) => chart.columns.map((column) => formatCell(row[column.field], column.digits))),
    numeric,
  };
  const seeds = seedsNote(props.data, datasets);
  const label = `${chart.description ?? stripTags(props.caption)}${seeds} ${chart.rows.length} plotted values, listed in the data table below the chart.`;
  return {
    ...chart,
    svg: labelSvg(chart.svg, label),
    ...(chart.narrow ? { narrow: { ...chart.narrow, svg: labelSvg(chart.narrow.svg, label) } } : {}),
    caption: `${inlineMarkup(props.caption, specFile.file)}${escapeHtml(seeds)}`,
    source,
    label,
    table,
  };
}

/**
 * For a chart of every seed's curve (`seeds.perSeed[*].curves.<name>`), the sentence the caption ends with: which
 * seeds it draws, or that one seed has no spread to show yet. Empty for other charts.
 */
function seedsNote(data: Record<string, string>, datasets: Record<string, Row[]>): string {
  const names = Object.keys(data).filter((name) => everySeedCurveName(data[name]) !== undefined);
  if (names.length === 0) return '';
  const seeds = [...new Set(names.flatMap((name) => datasets[name].map((row) => Number(row.seed))))];
  return seeds.length === 1
    ? ` One seed so far (seed ${seeds[0]}): no spread across seeds to show yet.`
    : ` Over ${seeds.length} seeds (${compactList(seeds)}).`;
}

/** A plotted value as the data table prints it: numbers to four significant digits (or `digits` decimals), integers in full. */
function formatCell(value: PlottedRow[string], digits?: number): string {
  if (value === null) return '—';
  if (typeof value === 'number' && digits !== undefined) return formatNumber(value, { style: 'fixed', digits });
  if (typeof value === 'number') return Number.isInteger(value) ? formatNumber(value, { style: 'integer' }) : formatNumber(value, { digits: 4 });
  return String(value);
}

/**
 * The drawn SVG as one image with a text alternative: `role="img"` and `aria-label` on its root. Its marks keep
 * Vega's own ARIA markup, which a screen reader then skips in favour of the label (and the data table).
 */
function labelSvg(svg: string, label: string): string {
  if (!svg.startsWith('<svg ')) throw new Error(`a chart's SVG must start with <svg, got ${JSON.stringify(svg.slice(0, 20))}`);
  return `<svg role="img" aria-label="${escapeHtml(label)}" ${svg.slice('<svg '.length)}`;
}

function stripTags(text: string): string {
  return text
    .replace(/\$[^$]*\$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
