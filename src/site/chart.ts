/** What `<VegaChart>` shows: a spec file with its data sets filled from one snapshot. */
import { z } from 'zod';
import type { Snapshot } from '../lib/harness/snapshot.ts';
import type { SpecFile } from './chart-specs.ts';
import { floatPropsSchema } from './floats.ts';
import { lookupRows } from './lookup.ts';
import type { Row } from './lookup.ts';
import { snapshotRefSchema } from './metric.ts';
import { inlineMarkup } from './text.ts';
import { buildChart } from './vega.ts';
import type { CompiledChart } from './vega.ts';

export const chartPropsSchema = snapshotRefSchema
  .extend({
    /** Spec file name: `q1-cost` for src/charts/q1-cost.vl.json. */
    spec: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a spec name such as q1-cost (the file src/charts/<name>.vl.json)'),
    /** Data set name in the spec -> key path of its rows in the snapshot, e.g. `{ cost: 'timings.curves.cost' }`. */
    data: z.record(z.string().min(1), z.string().min(1)).refine((data) => Object.keys(data).length > 0, 'must name at least one data set'),
    /** May hold inline TeX between `$`s. */
    caption: z.string().min(1),
  })
  .merge(floatPropsSchema('figure'))
  .strict();

export type ChartProps = z.input<typeof chartPropsSchema>;

export interface RenderedChart extends CompiledChart {
  caption: string;
  source: string;
}

export async function renderChart(snapshot: Snapshot, file: string, specFile: SpecFile, props: z.output<typeof chartPropsSchema>): Promise<RenderedChart> {
  const datasets: Record<string, Row[]> = {};
  for (const [name, keyPath] of Object.entries(props.data)) datasets[name] = lookupRows(snapshot, keyPath, file);
  const chart = await buildChart(specFile.spec, datasets, specFile.file);
  const source = `${specFile.file} with ${Object.values(props.data).map((keyPath) => `${file} → ${keyPath}`).join(', ')}`;
  return { ...chart, caption: inlineMarkup(props.caption, specFile.file), source };
}
