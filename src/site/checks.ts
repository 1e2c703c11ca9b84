/** How executable checks of the derivations read on the page. */
import { z } from 'zod';
import type { Snapshot } from '../lib/harness/snapshot.ts';
import { floatPropsSchema } from './floats.ts';
import { formatNumber } from './format.ts';
import { findCheck } from './lookup.ts';
import type { Check } from './lookup.ts';
import { snapshotRefSchema } from './metric.ts';

export const checkPropsSchema = snapshotRefSchema
  .extend({
    /** The check's stable id (its name carries run parameters that differ between profiles). */
    id: z.string().min(1),
  })
  .strict();
export const checksPropsSchema = snapshotRefSchema
  .extend({ caption: z.string().optional() })
  .merge(floatPropsSchema('table'))
  .strict();

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
    sentence: `Check "${check.name}" ${status}: worst error ${worstError}, ${bound}.`,
  };
}

export function selectCheck(snapshot: Snapshot, file: string, props: z.output<typeof checkPropsSchema>): Check {
  return findCheck(snapshot, props.id, file);
}
