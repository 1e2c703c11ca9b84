/**
 * What `<SeedChoice>` says of a choice a run makes once per seed (the learning rate picked on validation accuracy):
 * whether every seed made the same one, `every one of the 3 seeds chose it`, or what they chose,
 * `the 3 seeds chose from 0.001 to 0.01`. Never a range whose two ends are the same number.
 */
import { z } from 'zod';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { formatCount, formatExact } from '../site/format.ts';
import { snapshotRefSchema } from '../site/props.ts';
import { lookupNumber, metricAggregate } from '../site/snapshots.ts';

export const seedChoicePropsSchema = snapshotRefSchema
  .extend({
    /** Key path of the choice, e.g. `metrics.bestLearningRate`. */
    path: z.string().regex(/^metrics\./, 'must be a key path under metrics, such as metrics.bestLearningRate'),
  })
  .strict();

export function renderSeedChoice(
  snapshot: Snapshot,
  file: string,
  props: z.output<typeof seedChoicePropsSchema>,
): { text: string; source: string; unanimous: boolean } {
  const value = lookupNumber(snapshot, props.path, file);
  const aggregate = metricAggregate(snapshot, props.path);
  const source = `${file} → seeds.aggregates.${props.path.slice('metrics.'.length)}`;
  if (!aggregate) return { text: 'the one seed run chose it', source: `${file} → ${props.path}`, unanimous: true };
  const seeds = formatCount(aggregate.n, 'seed');
  if (aggregate.min === aggregate.max) return { text: `every one of the ${seeds} chose it`, source, unanimous: true };
  return {
    text: `the ${seeds} chose from ${formatExact(aggregate.min)} to ${formatExact(aggregate.max)}, ${formatExact(value)} in the first`,
    source,
    unanimous: false,
  };
}
