/**
 * What `<RunFact>` shows: one fact about the run behind a snapshot, as text, read from its provenance: the data
 * set it used, the engine it ran on. Numbers from a run go through `<Metric>`; this is for the words around them.
 */
import { z } from 'zod';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { dateInWords } from '../site/citation.ts';
import { formatCount, formatNumber } from '../site/format.ts';
import { readableDescription } from '../site/provenance.ts';
import { snapshotRefSchema } from '../site/props.ts';

export const runFacts = ['dataset', 'dataset-description', 'backend', 'profile', 'run', 'seeds'] as const;
export type RunFactName = (typeof runFacts)[number];

export const runFactPropsSchema = snapshotRefSchema
  .extend({
    /**
     * `dataset`: the data set's id; `dataset-description`: its description; `backend`: TensorFlow.js version,
     * backend and kernels; `profile`: the profile's name; `run`: "profile `x` of `y`, <date>, <duration>" (ranFor); `seeds`:
     * how many seeds the run has ("one seed", "3 seeds").
     */
    fact: z.enum(runFacts),
  })
  .strict();

export function runFact(snapshot: Snapshot, fact: RunFactName): string {
  const { provenance } = snapshot;
  switch (fact) {
    case 'dataset':
      return provenance.dataset.id;
    case 'dataset-description':
      return readableDescription(provenance.dataset.description);
    case 'backend': {
      const { tfjs } = provenance;
      const backend = tfjs.backend === tfjs.tfjsBackend ? `the ${tfjs.backend} backend` : `the ${tfjs.backend} backend (tfjs backend ${tfjs.tfjsBackend})`;
      return `TensorFlow.js ${tfjs.version}, ${backend}${tfjs.fastKernels ? ' with the project’s fast kernels' : ''}, Node.js ${provenance.node}`;
    }
    case 'profile':
      return snapshot.profile;
    case 'seeds': {
      const count = (provenance.seeds ?? [provenance.seed]).length;
      return count === 1 ? 'one seed' : `${formatNumber(count, { style: 'integer' })} seeds`;
    }
    case 'run': {
      const day = dateInWords(snapshot.timings.startedAt.slice(0, 10));
      return `profile “${snapshot.profile}” of ${snapshot.experiment}, run on ${day}${ranFor(snapshot.timings)}`;
    }
  }
}

/**
 * ` in 12 minutes` by the run's own clock. A run assembled from parts that earlier processes computed has no such
 * clock: then `; its parts computed for 5 hours 40 minutes in all`, summed over the parts' own records, when every
 * part has one; else nothing, rather than a duration nobody measured.
 */
function ranFor(timings: Snapshot['timings']): string {
  const { total } = timings.seconds;
  if (total !== undefined) return ` in ${formatDuration(total)}`;
  const seconds = (timings.parts ?? []).map((part) => part.seconds);
  if (seconds.length === 0 || seconds.includes(null)) return '';
  return `; its parts computed for ${formatDuration(seconds.reduce((sum: number, value) => sum + (value ?? 0), 0))} in all`;
}

/** A run's length as a person writes it: `54 seconds`, `12 minutes`, `1 hour 57 minutes`, `14 hours`. */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return formatCount(Math.round(seconds), 'second');
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return formatCount(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours >= 10) return formatCount(Math.round(minutes / 60), 'hour');
  const rest = minutes - hours * 60;
  return rest === 0 ? formatCount(hours, 'hour') : `${formatCount(hours, 'hour')} ${formatCount(rest, 'minute')}`;
}
