/** What `<SnapshotTable>` shows: chosen columns of a snapshot table, each with its own heading and format. */
import { z } from 'zod';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { floatPropsSchema } from './floats.ts';
import { formatNumber, formatOptionsSchema } from './format.ts';
import { lookupRows, requireColumns } from './lookup.ts';
import { snapshotRefSchema } from './metric.ts';
import { inlineMarkup } from './text.ts';

const columnSchema = z
  .object({
    /** Column name in the snapshot's rows. */
    key: z.string().min(1),
    /** Heading; may hold inline TeX between `$`s. */
    label: z.string().min(1),
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
        if (typeof cell === 'number') return formatNumber(cell, { style: column.style, digits: column.digits, signed: column.signed, unit: column.unit });
        if (cell === null) return '—'; // a diverged value is recorded as null
        return String(cell);
      }),
    ),
    numeric,
    caption: props.caption === undefined ? undefined : inlineMarkup(props.caption, where),
    source: where,
  };
}
