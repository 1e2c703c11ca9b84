/** What `<SnapshotTable>` shows: chosen columns of a snapshot table, each with its own heading and format. */
import { z } from 'zod';
import type { Snapshot, Summary } from '../lib/snapshot-schema.ts';
import { floatPropsSchema } from '../site/floats.ts';
import { formatNumber, formatOptionsSchema, formatSpread } from '../site/format.ts';
import { SiteDataError } from '../site/errors.ts';
import { lookup, lookupRows, requireColumns } from '../site/snapshots.ts';
import type { Row } from '../site/snapshots.ts';
import { snapshotRefSchema } from '../site/props.ts';
import { inlineMarkup } from '../site/text.ts';

const columnSchema = z
  .object({
    /** Column name in the snapshot's rows. */
    key: z.string().min(1),
    /** Heading; may hold inline TeX between `$`s. */
    label: z.string().min(1),
    /**
     * The metric in `seeds.aggregates` that holds this column over seeds, with `{column}` filled in from the row:
     * `{variant}-lr{learningRate}-testAccuracy`. Where the run has several seeds the cell reads mean ± sd (n);
     * with one, the row's value. The shown seed's value of that metric must equal the row's, so a name that picks
     * the wrong metric fails the build.
     */
    seeds: z.string().min(1).optional(),
  })
  .merge(formatOptionsSchema)
  .strict();

export const tablePropsSchema = snapshotRefSchema
  .extend({
    /** Key path of the rows, e.g. `tables.featureDimensions`. */
    path: z.string().min(1),
    columns: z.array(columnSchema).min(1),
    /** Only rows whose cells equal these values, e.g. `{ K: 3 }`. */
    where: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
    /** Leaves out rows whose cells equal all of these values, e.g. `{ layer: 'pad1' }`. */
    exclude: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
    /** May hold inline TeX between `$`s. */
    caption: z.string().optional(),
  })
  .merge(floatPropsSchema('table'))
  .strict();

export interface RenderedTable {
  /** HTML of each heading. */
  headings: string[];
  /** Text of each cell. */
  rows: string[][];
  /** Which columns hold numbers, to right-align them. */
  numeric: boolean[];
  caption: string | undefined;
  source: string;
}

export function renderTable(snapshot: Snapshot, file: string, props: z.output<typeof tablePropsSchema>): RenderedTable {
  const where = `${file} → ${props.path}`;
  const all = lookupRows(snapshot, props.path, file);
  const filters = Object.entries(props.where ?? {});
  const exclusions = Object.entries(props.exclude ?? {});
  requireColumns(all, [...props.columns.map((column) => column.key), ...filters.map(([key]) => key), ...exclusions.map(([key]) => key)], props.path, file);
  const rows = all.filter(
    (row) => filters.every(([key, value]) => row[key] === value) && !(exclusions.length > 0 && exclusions.every(([key, value]) => row[key] === value)),
  );
  if (rows.length === 0) throw new Error(`${where}: no row has ${filters.map(([key, value]) => `${key} = ${JSON.stringify(value)}`).join(' and ')}`);
  const numeric = props.columns.map((column) => rows.every((row) => typeof row[column.key] === 'number'));
  return {
    headings: props.columns.map((column) => inlineMarkup(column.label, where)),
    rows: rows.map((row) =>
      props.columns.map((column) => {
        const cell = row[column.key];
        const options = { style: column.style, digits: column.digits, signed: column.signed, unit: column.unit };
        const spread = column.seeds === undefined ? undefined : seedsSummary(snapshot, file, column.seeds, row, column.key);
        if (spread) return formatSpread(spread, options);
        if (typeof cell === 'number') return formatNumber(cell, options);
        if (cell === null) return '—'; // a diverged value is recorded as null
        return String(cell);
      }),
    ),
    numeric,
    caption: props.caption === undefined ? undefined : inlineMarkup(props.caption, where),
    source: where,
  };
}

/**
 * The summary over seeds that a `seeds` column names for this row (undefined without a seeds section), after
 * checking that the shown seed's value of it is the row's own.
 */
function seedsSummary(snapshot: Snapshot, file: string, template: string, row: Row, key: string): Summary | undefined {
  if (!snapshot.seeds) return undefined;
  const name = template.replace(/\{([^}]+)\}/g, (_, column: string) => {
    if (!Object.hasOwn(row, column)) throw new SiteDataError(`${file}: seeds name "${template}" uses column "${column}", which the rows do not have`);
    return String(row[column]);
  });
  const summary = lookup(snapshot, `seeds.aggregates.${name}`, file) as Summary;
  const shown = snapshot.seeds.perSeed.find((run) => run.seed === snapshot.seeds?.shown)?.metrics[name];
  const cell = row[key];
  if (typeof cell === 'number' && shown !== undefined && Math.abs(shown - cell) > 1e-9 * Math.max(1, Math.abs(cell))) {
    throw new SiteDataError(
      `${file}: column "${key}" is ${cell} in the row, but seed ${snapshot.seeds.shown} has ${shown} for "${name}": the seeds name picks another metric`,
    );
  }
  return summary;
}
