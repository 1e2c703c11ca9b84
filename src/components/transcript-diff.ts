/**
 * What `<TranscriptDiff>` shows: target and predicted transcripts side by side, with the characters that differ
 * marked. The diff is computed at build time (a longest common subsequence over characters), so the marks are
 * plain `<del>`/`<ins>` in the HTML and read without JavaScript, in print and by screen readers. Each row whose
 * clip the site can play exactly (src/site/sample-audio.ts) gets a player of that recording.
 */
import { z } from 'zod';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { lookupRows, requireColumns } from '../site/snapshots.ts';
import type { Row } from '../site/snapshots.ts';
import { snapshotRefSchema } from '../site/props.ts';

export type DiffOperation = 'equal' | 'delete' | 'insert';

export interface DiffPart {
  /** `delete`: in the target only (missed); `insert`: in the prediction only (spurious). */
  op: DiffOperation;
  text: string;
}

/**
 * The character edit script from `target` to `prediction`: runs of kept, deleted and inserted characters, in
 * order, merged so that no two neighbours share an operation. Characters are code points. Where several
 * alignments are equally long, deletions come before insertions, so a substituted run reads as
 * `<del>old</del><ins>new</ins>`.
 */
export function diffCharacters(target: string, prediction: string): DiffPart[] {
  const a = Array.from(target);
  const b = Array.from(prediction);
  const columns = b.length + 1;
  // lcs[i * columns + j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs = new Uint16Array((a.length + 1) * columns);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * columns + j] = a[i] === b[j] ? lcs[(i + 1) * columns + j + 1] + 1 : Math.max(lcs[(i + 1) * columns + j], lcs[i * columns + j + 1]);
    }
  }
  const parts: DiffPart[] = [];
  const push = (op: DiffOperation, character: string) => {
    const last = parts.at(-1);
    if (last && last.op === op) last.text += character;
    else parts.push({ op, text: character });
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      push('equal', a[i]);
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[(i + 1) * columns + j] >= lcs[i * columns + j + 1])) {
      push('delete', a[i]);
      i++;
    } else {
      push('insert', b[j]);
      j++;
    }
  }
  return sortSubstitutions(parts);
}

/** Within each changed stretch, the deletions first: `<ins>x</ins><del>y</del>` and `<del>y</del><ins>x</ins>` say the same. */
function sortSubstitutions(parts: DiffPart[]): DiffPart[] {
  const out: DiffPart[] = [];
  let stretch: DiffPart[] = [];
  const flush = () => {
    for (const op of ['delete', 'insert'] as const) {
      const text = stretch
        .filter((part) => part.op === op)
        .map((part) => part.text)
        .join('');
      if (text) out.push({ op, text });
    }
    stretch = [];
  };
  for (const part of parts) {
    if (part.op === 'equal') {
      flush();
      out.push(part);
    } else stretch.push(part);
  }
  flush();
  return out;
}

/** The two sides of a diff: the target with its missed characters, the prediction with its spurious ones. */
export function diffSides(parts: readonly DiffPart[]): { target: DiffPart[]; prediction: DiffPart[] } {
  return { target: parts.filter((part) => part.op !== 'insert'), prediction: parts.filter((part) => part.op !== 'delete') };
}

/** Characters the target and the prediction share, in order, as a share of the longer one: 1 for identical texts. */
export function matchedShare(parts: readonly DiffPart[]): number {
  const length = (op: DiffOperation) => parts.filter((part) => part.op === op).reduce((sum, part) => sum + Array.from(part.text).length, 0);
  const equal = length('equal');
  const longer = Math.max(equal + length('delete'), equal + length('insert'));
  return longer === 0 ? 1 : equal / longer;
}

/**
 * A space inside a mark would be an invisible mark: show it as `␣`. Unmarked text keeps its spaces (the cell
 * preserves them), so a prediction of nothing but spaces still shows as a run of marked boxes.
 */
export function visibleText(part: DiffPart): string {
  return part.op === 'equal' ? part.text : part.text.replace(/ /g, '\u2423');
}

export const transcriptDiffPropsSchema = snapshotRefSchema
  .extend({
    /** Key path of the rows; each holds `target` and `prediction`. */
    path: z.string().min(1).default('tables.samples'),
    /** Only rows whose cells equal these values, e.g. `{ decoder: 'attention' }`. */
    where: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
    /** Columns shown before the transcripts, e.g. `[{ key: 'decoder', label: 'Decoder' }]`. */
    columns: z.array(z.object({ key: z.string().min(1), label: z.string().min(1) }).strict()).default([]),
    /** At most this many rows, in the snapshot's order. */
    limit: z.number().int().positive().optional(),
    /** A player of each row's recording (rows of tables.samples, by `index`), where the site has exactly that clip. */
    audio: z.boolean().default(true),
  })
  .strict();

/** What a row's player needs of a recording (a SampleAudio of src/site/sample-audio.ts). */
export interface RowAudio {
  index: number;
  id: string;
  /** Below the base. */
  path: string;
  sha256: string;
  seconds: number;
}

export interface TranscriptRow {
  /** Text of the leading columns. */
  cells: string[];
  /** The row's recording, if the site has it. */
  audio: RowAudio | null;
  target: DiffPart[];
  prediction: DiffPart[];
  /** For a screen-reader summary and hover text. */
  matched: number;
}

export interface RenderedTranscripts {
  headings: string[];
  rows: TranscriptRow[];
  source: string;
  /** Whether any row has a recording (the table then has a column of players). */
  hasAudio: boolean;
}

/** `recordings`: the run's sample recordings, matched to rows by `index` (ignored when the `audio` prop is false). */
export function renderTranscripts(
  snapshot: Snapshot,
  file: string,
  props: z.output<typeof transcriptDiffPropsSchema>,
  recordings: readonly RowAudio[] = [],
): RenderedTranscripts {
  const where = `${file} → ${props.path}`;
  const all = lookupRows(snapshot, props.path, file);
  const filters = Object.entries(props.where ?? {});
  requireColumns(all, ['target', 'prediction', ...props.columns.map((column) => column.key), ...filters.map(([key]) => key)], props.path, file);
  const chosen = all.filter((row) => filters.every(([key, value]) => row[key] === value));
  if (chosen.length === 0) throw new Error(`${where}: no row has ${filters.map(([key, value]) => `${key} = ${JSON.stringify(value)}`).join(' and ')}`);
  const rows = chosen.slice(0, props.limit).map((row): TranscriptRow => {
    const target = text(row, 'target', where);
    const prediction = text(row, 'prediction', where);
    const parts = diffCharacters(target, prediction);
    const sides = diffSides(parts);
    // The recordings are those of tables.samples' indices: no player beside rows of any other table.
    const audio = props.audio && props.path === 'tables.samples' ? (recordings.find((recording) => recording.index === row.index) ?? null) : null;
    return {
      cells: props.columns.map((column) => String(row[column.key] ?? '—')),
      audio,
      target: sides.target,
      prediction: sides.prediction,
      matched: matchedShare(parts),
    };
  });
  return { headings: props.columns.map((column) => column.label), rows, source: where, hasAudio: rows.some((row) => row.audio !== null) };
}

function text(row: Row, key: 'target' | 'prediction', where: string): string {
  const value = row[key];
  if (typeof value !== 'string') throw new Error(`${where}: "${key}" is ${value === null ? 'null' : `a ${typeof value}`}, expected a transcript (a string)`);
  return value;
}
