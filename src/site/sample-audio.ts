/**
 * The recordings the site plays beside a Question 3 run's sample transcripts (TranscriptDiff.astro, TryIt.astro),
 * served at `/audio/<experiment>/<profile>/sample-<i>.wav` (src/pages/audio/…), where `i` is the `index` of the
 * run's `tables.samples` rows: the i-th clip of its test split. A page may only play the clip it claims, so:
 *
 * - synthetic speech (config `corpus: 'synthetic-brown'`): re-spoken at build time from the generation
 *   parameters in the snapshot's config (src/lib/data/sample-clips.ts), byte for byte what the experiment heard;
 *   test/unit/site/sample-audio.test.ts checks them against the corpus hash the snapshot recorded;
 * - real LJ Speech recordings (a snapshot with `tables.sampleClips`: `{ id, index, text, wavSha256 }` per sample
 *   clip, in sample order): only the few committed under `content/audio/ljspeech/` (listed with their sha256 in
 *   its manifest.json: src/lib/data/committed-clips.ts), each checked against the snapshot's `wavSha256`. A
 *   mismatch fails the build; a clip that is not committed gets no player.
 *
 * Either way each clip's text must give the snapshot's target for that index, so a clip can never sit beside
 * another clip's transcript.
 */
import { z } from 'zod';
import { parseWav } from '../lib/audio/wav.ts';
import { COMMITTED_AUDIO_DIR, readCommittedClips, sha256Schema } from '../lib/data/committed-clips.ts';
import { q3SampleClips, SAMPLE_RATE, SampleClipsUnavailable, targetText } from '../lib/data/sample-clips.ts';
import { sha256 } from '../lib/provenance/hash.ts';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { projectRoot } from './settings.ts';
import { loadAllSnapshots } from './snapshots.ts';
import type { LoadedSnapshot } from './snapshots.ts';

/** Where the site serves a run's sample clip `index`, below the base. */
export function samplePath(experiment: string, profile: string, index: number): string {
  return `/audio/${experiment}/${profile}/sample-${index}.wav`;
}

/** A recording the site serves, and what the page says about it. */
export interface SampleAudio {
  experiment: string;
  profile: string;
  /** The `index` of the snapshot's tables.samples rows it belongs to. */
  index: number;
  id: string;
  /** The clip's transcript as spoken or recorded. */
  text: string;
  wav: Uint8Array;
  /** Of `wav`: what the page puts in `data-sha256`. */
  sha256: string;
  seconds: number;
  /** Below the base. */
  path: string;
  origin: 'synthetic' | 'committed';
}

/** A run's recordings, or why it has none (for a note on the page). */
export interface RunAudio {
  clips: SampleAudio[];
  note: string | null;
}

export class SampleAudioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SampleAudioError';
  }
}

const sampleClipRowSchema = z.object({ id: z.string().min(1), index: z.number().int().nonnegative(), text: z.string(), wavSha256: sha256Schema }).passthrough();

/** The snapshot's target transcript of sample `index` (every row of that index must agree). */
function sampleTarget(snapshot: Snapshot, file: string, index: number): string | undefined {
  const targets = new Set(
    (snapshot.tables.samples ?? []).filter((row) => row.index === index && typeof row.target === 'string').map((row) => row.target as string),
  );
  if (targets.size > 1)
    throw new SampleAudioError(
      `${file} → tables.samples: the rows of index ${index} disagree on the target (${[...targets].map((t) => JSON.stringify(t)).join(', ')})`,
    );
  return [...targets][0];
}

function checkText(snapshot: Snapshot, file: string, index: number, id: string, text: string): void {
  const target = sampleTarget(snapshot, file, index);
  const textLength = snapshot.provenance.config.textLength;
  if (target === undefined || typeof textLength !== 'number') return;
  const expected = targetText(text, textLength);
  if (expected !== target) {
    throw new SampleAudioError(
      `${file}: sample clip ${index} (${id}) says ${JSON.stringify(text)}, which gives the target ${JSON.stringify(expected)}, but tables.samples has ${JSON.stringify(target)}: not that row's clip`,
    );
  }
}

function audio(
  snapshot: Snapshot,
  file: string,
  clip: { index: number; id: string; text: string; wav: Uint8Array },
  origin: SampleAudio['origin'],
): SampleAudio {
  checkText(snapshot, file, clip.index, clip.id, clip.text);
  const { samples } = parseWav(clip.wav, { source: `${file}: sample clip ${clip.index} (${clip.id})`, expectedSampleRate: SAMPLE_RATE });
  return {
    experiment: snapshot.experiment,
    profile: snapshot.profile,
    index: clip.index,
    id: clip.id,
    text: clip.text,
    wav: clip.wav,
    sha256: sha256(clip.wav),
    seconds: samples.length / SAMPLE_RATE,
    path: samplePath(snapshot.experiment, snapshot.profile, clip.index),
    origin,
  };
}

/**
 * A snapshot's recordings: re-spoken synthetic clips, or the committed real ones its `tables.sampleClips` vouches
 * for. `root` is the project root (the committed folder is below it).
 */
export async function snapshotSampleAudio(snapshot: Snapshot, file: string, options: { root?: string } = {}): Promise<RunAudio> {
  const config = snapshot.provenance.config;
  if (config.corpus === 'synthetic-brown') {
    try {
      const clips = await q3SampleClips(config, { source: file });
      return { clips: clips.map((clip) => audio(snapshot, file, clip, 'synthetic')), note: null };
    } catch (error) {
      if (error instanceof SampleClipsUnavailable) return { clips: [], note: error.reason };
      throw error;
    }
  }
  const rows = snapshot.tables.sampleClips;
  if (!rows) return { clips: [], note: 'the snapshot lists no sample recordings (tables.sampleClips)' };
  const committed = await readCommittedClips(options.root ?? projectRoot());
  const clips: SampleAudio[] = [];
  rows.forEach((row, position) => {
    const parsed = sampleClipRowSchema.safeParse(row);
    if (!parsed.success)
      throw new SampleAudioError(
        `${file} → tables.sampleClips row ${position}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      );
    const clip = committed.get(parsed.data.id);
    if (!clip) return;
    if (clip.sha256 !== parsed.data.wavSha256) {
      throw new SampleAudioError(
        `${clip.file} has sha256 ${clip.sha256}, but ${file} → tables.sampleClips records ${parsed.data.wavSha256} for ${parsed.data.id}: not the recording the run heard`,
      );
    }
    // Row k of sampleClips is the k-th sample clip (its `index` is the clip's row in metadata.csv).
    clips.push(audio(snapshot, file, { index: position, id: clip.id, text: parsed.data.text, wav: clip.wav }, 'committed'));
  });
  return { clips, note: clips.length ? null : `none of its sample recordings is committed under ${COMMITTED_AUDIO_DIR}/` };
}

const bySnapshot = new Map<string, Promise<RunAudio>>();

/** A loaded snapshot's recordings, memoized for the build (the pages and the audio route share them). */
export function sampleAudio(loaded: LoadedSnapshot): Promise<RunAudio> {
  let run = bySnapshot.get(loaded.id);
  if (!run) {
    run = snapshotSampleAudio(loaded.snapshot, loaded.file);
    bySnapshot.set(loaded.id, run);
  }
  return run;
}

/** Every recording the site serves: those of each Question 3 snapshot. */
export async function servedSampleAudio(): Promise<SampleAudio[]> {
  const runs = (await loadAllSnapshots()).filter((loaded) => loaded.snapshot.experiment.startsWith('q3-'));
  return (await Promise.all(runs.map(sampleAudio))).flatMap((run) => run.clips);
}
