/** How executable checks of the derivations read on the page: one beside its derivation (`<Check>`), or all (`<Checks>`). */
import { z } from 'zod';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { floatPropsSchema } from '../site/floats.ts';
import { formatNumber } from '../site/format.ts';
import { findCheck } from '../site/snapshots.ts';
import type { Check } from '../site/snapshots.ts';
import { snapshotRefSchema } from '../site/props.ts';
import { SiteDataError } from '../site/errors.ts';
import { escapeHtml, inlineMarkup } from '../site/text.ts';

export const checkPropsSchema = snapshotRefSchema
  .extend({
    /** The check's stable id (its name carries run parameters that differ between profiles). */
    id: z.string().min(1),
  })
  .strict();
export const checksPropsSchema = snapshotRefSchema.extend({ caption: z.string().optional() }).merge(floatPropsSchema('table')).strict();

export interface CheckSummary {
  status: 'passed' | 'failed';
  /** `✓ passed` or `✗ failed`: the symbol is not the only carrier of the meaning. */
  label: string;
  worstError: string;
  tolerance: string;
  /** One sentence for screen readers and hover. */
  sentence: string;
}

export function summarizeCheck(check: Check): CheckSummary {
  const status = check.passed ? 'passed' : 'failed';
  const worstError = formatNumber(check.worstError, { style: 'auto', digits: 2 });
  const tolerance = check.tolerance === 0 ? 'exact' : formatNumber(check.tolerance, { style: 'auto', digits: 2 });
  const bound = check.tolerance === 0 ? 'required to be exact' : `tolerance ${tolerance}`;
  return {
    status,
    label: check.passed ? '✓ passed' : '✗ failed',
    worstError,
    tolerance,
    sentence: `Check "${checkNameText(check.name)}" ${status}: worst error ${worstError}, ${bound}.`,
  };
}

export function selectCheck(snapshot: Snapshot, file: string, props: z.output<typeof checkPropsSchema>): Check {
  return findCheck(snapshot, props.id, file);
}

/** What `<Checks>` shows: every check the snapshot recorded with its summary, under a caption (HTML). */
export function summarizeChecks(
  snapshot: Snapshot,
  file: string,
  props: z.output<typeof checksPropsSchema>,
): { rows: Array<{ check: Check; summary: CheckSummary }>; caption: string } {
  if (snapshot.checks.length === 0) throw new SiteDataError(`${file}: records no checks, so <Checks> has nothing to show`);
  return {
    rows: snapshot.checks.map((check) => ({ check, summary: summarizeCheck(check) })),
    caption: inlineMarkup(props.caption ?? `Executable checks recorded in ${file}.`, `${file} → checks`),
  };
}

/**
 * A check's name as HTML. Names are written by the experiments in plain text with TeX-like subscripts
 * (`Σ_{n<K} (qᵀk)ⁿ/n!`, `A_ij`, `1_L`); on the page those become real subscripts instead of printing as source.
 */
export function checkNameHtml(name: string): string {
  return escapeHtml(name)
    .replace(/_\{([^{}]*)\}/g, '<sub>$1</sub>')
    .replace(/_([A-Za-z0-9]+)/g, '<sub>$1</sub>');
}

/** The same name as plain text for labels and hover: subscripts written inline. */
export function checkNameText(name: string): string {
  return name.replace(/_\{([^{}]*)\}/g, '$1').replace(/_([A-Za-z0-9]+)/g, '$1');
}
