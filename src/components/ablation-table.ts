/**
 * What `<AblationTable>` shows (issue 18 point 6): one row per lever setting and decoder, with the listening gap
 * (Jaccard, own audio minus another clip's) on a voice no model trained on and on real LJ Speech, each with its 95%
 * interval, its clips and the seeds behind it. Every number is read from a committed snapshot:
 *
 * - `source: 'generalisation'` (default): both gaps from q3-generalisation's table (`tables.generalisation`, the row of
 *   the run's model, decoder and test), which scores the run's published weights of one seed;
 * - `source: 'cross-validation'`: the real-LJ gap from the run's own pooled metrics (`metrics.<arm>-<decoder>-
 *   listening-gap-jaccard` with `-low` and `-high`, over `metrics.test-clips`, its seeds); q3-generalisation cannot
 *   score such a run (every real clip was a training clip in some fold), so its held-out voice cell says so.
 *
 * A run without a snapshot yet is shown as "not run", and a run the generalisation snapshot does not list as "not
 * scored", both stated in the row; a snapshot that exists but lacks a value the row reads fails the build.
 */
import { z } from 'zod';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { SiteDataError } from '../site/errors.ts';
import { formatNumber } from '../site/format.ts';
import { snapshotRefSchema } from '../site/props.ts';
import { lookup, lookupNumber, lookupRows, requireColumns, seedList } from '../site/snapshots.ts';
import type { Row } from '../site/snapshots.ts';

const runId = z.string().regex(/^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/, 'must be <experiment>/<profile>, e.g. q3-asr/listening');

export const ablationTablePropsSchema = z
  .object({
    /** The q3-generalisation snapshot the held-out voice and real-LJ gaps come from. */
    generalisation: snapshotRefSchema.default({ experiment: 'q3-generalisation', profile: 'full' }),
    rows: z
      .array(
        z
          .object({
            lever: z.string().min(1),
            /** `{key.path}` is replaced by that number of the run's snapshot, as an integer ("–" while it has none). */
            setting: z.string().min(1),
            run: runId,
            source: z.enum(['generalisation', 'cross-validation']).default('generalisation'),
          })
          .strict(),
      )
      .min(1),
    /** Decimals of every gap. */
    digits: z.number().int().min(0).max(4).default(3),
  })
  .strict();

export type AblationTableProps = z.output<typeof ablationTablePropsSchema>;

/** A snapshot the site has, by `<experiment>/<profile>`. */
export interface Available {
  snapshot: Snapshot;
  file: string;
}

export type AblationCell = { gap: string; interval: string; clips: string; above: boolean } | { note: string };

export interface AblationRow {
  lever: string;
  setting: string;
  run: string;
  decoder: string;
  heldOut: AblationCell;
  real: AblationCell;
  /** Seeds behind the numbers, or "–" where there are none. */
  seeds: string;
}

export interface RenderedAblation {
  rows: AblationRow[];
  /** The snapshots the table quotes (for their freshness marks), by id. */
  quoted: string[];
}

const decoderNames: Readonly<Record<string, string>> = { recurrent: 'LSTM', attention: 'attention' };
const columns = ['model', 'decoder', 'test', 'n', 'gap', 'gapLow', 'gapHigh'];

export function renderAblation(available: ReadonlyMap<string, Available>, props: AblationTableProps): RenderedAblation {
  const generalisationId = `${props.generalisation.experiment}/${props.generalisation.profile}`;
  const generalisation = available.get(generalisationId);
  const quoted = new Set<string>();
  const format = (value: number) => formatNumber(value, { style: 'fixed', digits: props.digits, signed: true });
  const cell = (gap: number, low: number, high: number, clips: number, where: string): AblationCell => {
    if (!(low <= gap && gap <= high)) throw new SiteDataError(`${where}: the gap ${gap} lies outside its interval [${low}, ${high}]`);
    return { gap: format(gap), interval: `${format(low)} to ${format(high)}`, clips: formatNumber(clips, { style: 'integer' }), above: low > 0 };
  };

  const rows = props.rows.flatMap((row): AblationRow[] => {
    const run = available.get(row.run);
    const base = { lever: row.lever, setting: setting(row.setting, run), run: row.run };
    if (!run) {
      const note = { note: `not run (no snapshot ${row.run} yet)` };
      return [{ ...base, decoder: '–', heldOut: note, real: note, seeds: '–' }];
    }
    quoted.add(row.run);
    return decoders(run).map((decoder): AblationRow => {
      const name = decoderNames[decoder] ?? decoder;
      if (row.source === 'cross-validation') {
        const arms = lookup(run.snapshot, 'provenance.config.arms', run.file);
        if (!Array.isArray(arms) || typeof arms[0] !== 'string') throw new SiteDataError(`${run.file}: "provenance.config.arms" names no arm`);
        const key = `metrics.${arms[0]}-${decoder}-listening-gap-jaccard`;
        const value = (path: string) => lookupNumber(run.snapshot, path, run.file);
        return {
          ...base,
          decoder: name,
          heldOut: { note: 'not scored (cross-validated: no real clip is left unheard)' },
          real: cell(value(key), value(`${key}-low`), value(`${key}-high`), value('metrics.test-clips'), `${run.file} → ${key}`),
          seeds: formatNumber(seedList(run.snapshot).length, { style: 'integer' }),
        };
      }
      if (!generalisation) {
        const note = { note: `not run (no snapshot ${generalisationId} yet)` };
        return { ...base, decoder: name, heldOut: note, real: note, seeds: '–' };
      }
      const models = lookup(generalisation.snapshot, 'provenance.config.models', generalisation.file);
      if (!Array.isArray(models) || !models.includes(row.run)) {
        const note = { note: `not scored (${generalisationId} does not list ${row.run})` };
        return { ...base, decoder: name, heldOut: note, real: note, seeds: '–' };
      }
      quoted.add(generalisationId);
      const scored = (test: string): AblationCell => {
        const where = `${generalisation.file} → tables.generalisation`;
        const all = lookupRows(generalisation.snapshot, 'tables.generalisation', generalisation.file);
        requireColumns(all, columns, 'tables.generalisation', generalisation.file);
        const matching = all.filter((candidate) => candidate.model === row.run && candidate.decoder === decoder && candidate.test === test);
        if (matching.length !== 1)
          throw new SiteDataError(`${where}: ${matching.length} rows of model ${row.run}, decoder ${decoder} and test ${test}, expected 1`);
        const [found] = matching;
        const [gap, low, high, clips] = (['gap', 'gapLow', 'gapHigh', 'n'] as const).map((column) =>
          numberCell(found, column, `${where} (${row.run} ${decoder} ${test})`),
        );
        return cell(gap, low, high, clips, `${where} (${row.run} ${decoder} ${test})`);
      };
      // One published model per decoder: the numbers are of one seed.
      return { ...base, decoder: name, heldOut: scored('held-out-voice'), real: scored('real-lj'), seeds: formatNumber(1, { style: 'integer' }) };
    });
  });
  return { rows, quoted: [...quoted] };
}

/** The decoders a run trained, in its config's order. */
function decoders({ snapshot, file }: Available): string[] {
  const value = lookup(snapshot, 'provenance.config.decoders', file);
  if (!Array.isArray(value) || value.length === 0 || !value.every((decoder) => typeof decoder === 'string'))
    throw new SiteDataError(`${file}: "provenance.config.decoders" is not a list of decoders`);
  return value as string[];
}

function setting(text: string, run: Available | undefined): string {
  return text.replace(/\{([^}]+)\}/g, (_whole, path: string) => (run ? formatNumber(lookupNumber(run.snapshot, path, run.file), { style: 'integer' }) : '–'));
}

function numberCell(row: Row, column: string, where: string): number {
  const value = row[column];
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new SiteDataError(`${where}: "${column}" is ${JSON.stringify(value)}, expected a finite number`);
  return value;
}
