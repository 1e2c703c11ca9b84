/**
 * What `<ListeningTable>` shows: a run's shuffled-audio control (issue 11), `tables.listening`, one group of rows
 * per decoder and one row per measure: the test score with each clip's own audio, with another test clip's audio,
 * the gain from the right audio and its 95% bootstrap interval over clips. The gain is signed so that positive
 * always means the audio helps: right − shuffled for the similarities, shuffled − right for the error rates
 * (CER, WER), as the experiment records it.
 */
import { z } from 'zod';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { formatNumber } from '../site/format.ts';
import { SiteDataError } from '../site/errors.ts';
import { lookupRows, requireColumns } from '../site/snapshots.ts';
import type { Row } from '../site/snapshots.ts';
import { snapshotRefSchema } from '../site/props.ts';

/** Which way each measure improves; the table says so beside its name. */
const measureDirections: Readonly<Record<string, 'higher' | 'lower'>> = {
  Jaccard: 'higher',
  cosine: 'higher',
  'Damerau-Levenshtein': 'higher',
  CER: 'lower',
  WER: 'lower',
};

const decoderNames: Readonly<Record<string, string>> = { recurrent: 'LSTM', attention: 'attention' };

/**
 * Error rates are pooled over the clips (total edits / total reference length), but the interval the experiment
 * records for them is the bootstrap interval of the mean of per-clip differences: a different statistic, which
 * need not contain the pooled gap. Their interval is not shown (src/lib/train/asr-evaluation.ts says more).
 */
const pooledMeasures = new Set(['CER', 'WER']);

export const listeningTablePropsSchema = snapshotRefSchema
  .extend({
    /** Key path of the rows; default `tables.listening`. */
    path: z.string().min(1).default('tables.listening'),
    /** Only rows whose cells equal these values, e.g. `{ arm: 'real-only' }`. */
    where: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
    /** Only these measures, in this order (default: all, in the snapshot's order). */
    measures: z.array(z.string().min(1)).min(1).optional(),
    /** Decimals of every number. */
    digits: z.number().int().min(0).max(6).default(3),
  })
  .strict();

export interface ListeningRow {
  measure: string;
  direction: 'higher' | 'lower';
  right: string;
  shuffled: string;
  gap: string;
  interval: string;
  /** Whether the whole interval is above zero: the audio helps, at 95%. */
  helps: boolean;
}

export interface ListeningGroup {
  decoder: string;
  rows: ListeningRow[];
}

export interface RenderedListening {
  groups: ListeningGroup[];
  source: string;
}

const columns = ['decoder', 'measure', 'rightAudio', 'shuffledAudio', 'gap', 'gapLow', 'gapHigh'] as const;

export function renderListening(snapshot: Snapshot, file: string, props: z.output<typeof listeningTablePropsSchema>): RenderedListening {
  const where = `${file} → ${props.path}`;
  const all = lookupRows(snapshot, props.path, file);
  const filters = Object.entries(props.where ?? {});
  requireColumns(all, [...columns, ...filters.map(([key]) => key)], props.path, file);
  const chosen = all.filter((row) => filters.every(([key, value]) => row[key] === value));
  if (chosen.length === 0) throw new SiteDataError(`${where}: no row has ${filters.map(([key, value]) => `${key} = ${JSON.stringify(value)}`).join(' and ')}`);
  const measures = props.measures ?? [...new Set(chosen.map((row) => String(row.measure)))];
  const decoders = [...new Set(chosen.map((row) => String(row.decoder)))];
  const format = (value: number, signed = false) => formatNumber(value, { style: 'fixed', digits: props.digits, signed });
  const groups = decoders.map(
    (decoder): ListeningGroup => ({
      decoder: decoderNames[decoder] ?? decoder,
      rows: measures.map((measure): ListeningRow => {
        const matching = chosen.filter((row) => row.decoder === decoder && row.measure === measure);
        if (matching.length !== 1)
          throw new SiteDataError(
            `${where}: ${matching.length} rows of decoder ${JSON.stringify(decoder)} and measure ${JSON.stringify(measure)}, expected 1${filters.length ? '' : ' (narrow them with `where`)'}`,
          );
        const row = matching[0];
        const direction = measureDirections[measure];
        if (!direction)
          throw new SiteDataError(`${where}: measure ${JSON.stringify(measure)} is not one the table knows (${Object.keys(measureDirections).join(', ')})`);
        const [right, shuffled, gap, low, high] = (['rightAudio', 'shuffledAudio', 'gap', 'gapLow', 'gapHigh'] as const).map((key) =>
          numberCell(row, key, where),
        );
        const pooled = pooledMeasures.has(measure);
        if (!pooled && !(low <= gap && gap <= high))
          throw new SiteDataError(`${where}: ${decoder} ${measure}: the gap ${gap} lies outside its interval [${low}, ${high}]`);
        return {
          measure,
          direction,
          right: format(right),
          shuffled: format(shuffled),
          gap: format(gap, true),
          interval: pooled ? '–' : `${format(low, true)} to ${format(high, true)}`,
          helps: !pooled && low > 0,
        };
      }),
    }),
  );
  return { groups, source: where };
}

function numberCell(row: Row, key: string, where: string): number {
  const value = row[key];
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new SiteDataError(`${where}: "${key}" of ${row.decoder} ${row.measure} is ${JSON.stringify(value)}, expected a finite number`);
  return value;
}
