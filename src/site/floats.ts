/**
 * Props shared by numbered figures and tables. `number` is written by the cross-reference plugin
 * (plugins/cross-references.ts) in MDX; a component used elsewhere has none and prints no number.
 */
import { z } from 'zod';
import { labelPrefixes } from './plugins/cross-references.ts';
import type { FloatKind } from './plugins/cross-references.ts';
import { anchorId } from './plugins/equations.ts';
import { snapshotRefSchema } from './props.ts';

function labelSchema(kind: FloatKind) {
  const prefix = labelPrefixes[kind];
  return z.string().regex(new RegExp(`^${prefix}[A-Za-z0-9][A-Za-z0-9_.-]*$`), `must be a ${kind} label such as "${prefix}cost" (letters, digits, _ . -)`);
}

const numberSchema = z.string().regex(/^[1-9][0-9]*$/, 'is assigned by the cross-reference plugin, in document order');

export function floatPropsSchema(kind: FloatKind) {
  return z.object({
    /** Makes the element a link target for `\ref`/`\cref`: `fig:cost` -> id `fig-cost`. */
    label: labelSchema(kind).optional(),
    number: numberSchema.optional(),
  });
}

export interface FloatNumbering {
  /** `Figure 2.` / `Table 1.`, or undefined outside numbered MDX. */
  heading: string | undefined;
  id: string | undefined;
}

export function floatNumbering(kind: FloatKind, props: { label?: string; number?: string }): FloatNumbering {
  const name = kind === 'figure' ? 'Figure' : 'Table';
  return {
    heading: props.number === undefined ? undefined : `${name} ${props.number}.`,
    id: props.label === undefined ? undefined : anchorId(props.label),
  };
}

/** `<Figure>`: any content (a diagram, an image) with a numbered caption. */
export const figurePropsSchema = z
  .object({
    /** May hold inline TeX between `$`s. */
    caption: z.string().min(1),
  })
  .merge(floatPropsSchema('figure'))
  .strict();

/** `<Table>`: a table written in the prose (Markdown, or HTML with `<Metric>`s in its cells) with a numbered caption. */
export const captionedTablePropsSchema = z
  .object({
    /** May hold inline TeX between `$`s. */
    caption: z.string().min(1),
    /** The snapshots its numbers come from (each gets a run-details line). */
    runs: z.array(snapshotRefSchema.strict()).optional(),
  })
  .merge(floatPropsSchema('table'))
  .strict();
