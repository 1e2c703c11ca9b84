/**
 * LJ Speech 1.1 (https://keithito.com/LJ-Speech-Dataset/): metadata.csv with `id|text|normalized text` rows
 * and wavs/<id>.wav, 16-bit mono 22,050 Hz. The same reader serves the project's synthetic corpora, which
 * are written in this layout.
 *
 * metadata.csv is not CSV in the quoting sense: fields are separated by '|' and never quoted, and transcripts
 * contain bare double quotes (`"`), so a CSV parser would misread them. Each line is split on '|' exactly.
 *
 * The folder comes from an option or the LJSPEECH_DIR environment variable; the project never hard-codes it.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { readSettings, settings } from '../settings.ts';
import type { SpeechClip, SpeechCorpus } from './speech-corpus.ts';
import { clipsInRange } from './speech-corpus.ts';

const LJ_SPEECH_SAMPLE_RATE = 22050;
/** The homework's splits, as [start, end) ranges of metadata rows. */
export const LJ_SPEECH_SPLITS = {
  train: [0, 9825],
  validation: [9825, 10480],
  test: [10480, 13100],
} as const satisfies Record<string, readonly [number, number]>;
export type LjSpeechSplit = keyof typeof LJ_SPEECH_SPLITS;

const DOWNLOAD_HINT = 'download LJ Speech 1.1 from https://keithito.com/LJ-Speech-Dataset/ and set LJSPEECH_DIR to its LJSpeech-1.1 folder';

export interface MetadataRow {
  id: string;
  text: string;
  normalizedText: string;
}

/** Rows of an LJ Speech metadata.csv; any line without exactly three '|'-separated fields is an error naming it. */
export function parseLjMetadata(content: string, source: string): MetadataRow[] {
  const lines = content.split('\n');
  // A final line terminator leaves one empty string behind; it is not a row.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const rows: MetadataRow[] = [];
  const ids = new Set<string>();
  lines.forEach((raw, lineIndex) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const fields = line.split('|');
    if (fields.length !== 3) {
      throw new Error(
        `${source}, line ${lineIndex + 1}: expected 3 '|'-separated fields (id|text|normalized text), found ${fields.length}: ${JSON.stringify(line.slice(0, 80))}`,
      );
    }
    const [id, text, normalizedText] = fields;
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`${source}, line ${lineIndex + 1}: id ${JSON.stringify(id)} is not a plain file name`);
    if (ids.has(id)) throw new Error(`${source}, line ${lineIndex + 1}: id ${id} appears twice`);
    ids.add(id);
    rows.push({ id, text, normalizedText });
  });
  return rows;
}

export interface ReadLayoutOptions {
  /** Keep only rows whose WAV exists (and say how many were dropped) instead of failing on the first missing one. */
  subset?: boolean;
  /** Corpus id for provenance; default `ljspeech-1.1`. */
  id?: string;
  sampleRate?: number;
  log?: (line: string) => void;
}

/** Reads a folder in LJ Speech layout. The WAVs are only checked for existence here; createSpeechDataset reads them. */
export async function readLjLayout(dir: string, options: ReadLayoutOptions = {}): Promise<SpeechCorpus> {
  const root = resolve(dir);
  const metadataPath = join(root, 'metadata.csv');
  const wavDir = join(root, 'wavs');
  let metadata: Buffer;
  try {
    metadata = await readFile(metadataPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`LJ Speech layout: ${metadataPath} not found (the folder must hold metadata.csv and wavs/)`);
    throw new Error(`LJ Speech layout: cannot read ${metadataPath} (${code ?? error})`);
  }
  let wavNames: Set<string>;
  try {
    wavNames = new Set((await readdir(wavDir)).filter((name) => name.endsWith('.wav')));
  } catch (error) {
    throw new Error(`LJ Speech layout: cannot list ${wavDir} (${(error as NodeJS.ErrnoException).code ?? error}); the folder must hold metadata.csv and wavs/`);
  }
  const rows = parseLjMetadata(decodeUtf8(metadata, metadataPath), metadataPath);
  const clips: SpeechClip[] = [];
  const missing: string[] = [];
  rows.forEach((row, index) => {
    const fileName = `${row.id}.wav`;
    if (wavNames.has(fileName)) clips.push({ index, ...row, wavPath: join(wavDir, fileName) });
    else missing.push(row.id);
  });
  if (missing.length > 0 && !options.subset) {
    const first = missing[0];
    throw new Error(
      `LJ Speech layout: metadata row ${rows.findIndex((row) => row.id === first) + 1} (${first}) has no audio: ${join(wavDir, `${first}.wav`)} is missing` +
        (missing.length > 1 ? `, and so do ${missing.length - 1} more of the ${rows.length} rows` : '') +
        `. Use subset mode to keep only the rows whose audio exists.`,
    );
  }
  if (missing.length > 0) {
    options.log?.(`${basename(root)}: subset mode keeps ${clips.length} of ${rows.length} rows; ${missing.length} have no WAV in ${wavDir}`);
  }
  if (clips.length === 0) throw new Error(`LJ Speech layout: none of the ${rows.length} rows of ${metadataPath} has a WAV in ${wavDir}`);
  const hash = createHash('sha256').update(metadata);
  for (const clip of clips) hash.update(`\n${clip.id}`);
  return {
    id: options.id ?? 'ljspeech-1.1',
    dir: root,
    rows: rows.length,
    clips,
    missing,
    sampleRate: options.sampleRate ?? LJ_SPEECH_SAMPLE_RATE,
    hash: hash.digest('hex'),
  };
}

export interface LjSpeechOptions extends ReadLayoutOptions {
  /** The LJSpeech-1.1 folder; overrides the environment. */
  dir?: string;
  /** The environment to read LJSPEECH_DIR from, validated like process.env (default: the process's settings; tests pass their own). */
  env?: Record<string, string | undefined>;
}

/** The LJ Speech folder from the option or LJSPEECH_DIR, or null when neither is set. */
export function ljSpeechDir(options: Pick<LjSpeechOptions, 'dir' | 'env'> = {}): string | null {
  if (options.dir !== undefined) return options.dir;
  return (options.env ? readSettings(options.env) : settings()).ljspeechDir ?? null;
}

export async function loadLjSpeech(options: LjSpeechOptions = {}): Promise<SpeechCorpus> {
  const dir = ljSpeechDir(options);
  if (dir === null) throw new Error(`LJ Speech: no folder given; ${DOWNLOAD_HINT} (or pass the folder as an option)`);
  const origin = options.dir !== undefined ? 'option' : 'LJSPEECH_DIR';
  const exists = await stat(dir).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!exists) throw new Error(`LJ Speech: folder ${dir} (from ${origin}) does not exist; ${DOWNLOAD_HINT}`);
  return readLjLayout(dir, options);
}

/**
 * Only the transcripts of an LJ Speech folder (no audio needed), with their row indices and the sha256 of
 * metadata.csv: what speaking LJ Speech's own sentences with espeak-ng starts from.
 */
export async function loadLjSpeechTranscripts(
  options: Pick<LjSpeechOptions, 'dir' | 'env'> = {},
): Promise<{ rows: Array<MetadataRow & { index: number }>; hash: string }> {
  const dir = ljSpeechDir(options);
  if (dir === null) throw new Error(`LJ Speech: no folder given; ${DOWNLOAD_HINT} (or pass the folder as an option)`);
  const metadataPath = join(resolve(dir), 'metadata.csv');
  let metadata: Buffer;
  try {
    metadata = await readFile(metadataPath);
  } catch (error) {
    throw new Error(`LJ Speech: cannot read ${metadataPath} (${(error as NodeJS.ErrnoException).code ?? error}); ${DOWNLOAD_HINT}`);
  }
  const rows = parseLjMetadata(decodeUtf8(metadata, metadataPath), metadataPath).map((row, index) => ({ index, ...row }));
  return { rows, hash: createHash('sha256').update(metadata).digest('hex') };
}

function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`LJ Speech layout: ${source} is not valid UTF-8`);
  }
}

/** The clips of one of the homework's splits (subset corpora keep their original row indices). */
export function ljSpeechSplit(corpus: SpeechCorpus, split: LjSpeechSplit): SpeechClip[] {
  const [start, end] = LJ_SPEECH_SPLITS[split];
  return clipsInRange(corpus.clips, start, end);
}
