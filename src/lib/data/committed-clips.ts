/**
 * The few real LJ Speech recordings committed to the repository (`content/audio/ljspeech/<id>.wav`, listed with
 * their size and sha256 in the folder's manifest.json) so the site can play a Question 3 run's sample clips.
 * scripts/commit-sample-audio.ts writes them; the site (src/site/sample-audio.ts) reads them, and plays one only
 * where its snapshot records the same sha256. LJ Speech is public domain.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { sha256 } from '../provenance/hash.ts';
import { DataFileError } from './data-file-error.ts';

/** The committed real recordings, project-relative. */
export const COMMITTED_AUDIO_DIR = 'content/audio/ljspeech';

/** At most this many committed recordings: a few small public-domain files, not a data set. */
export const MAX_COMMITTED_CLIPS = 3;

export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in lower-case hex');

export const committedManifestSchema = z
  .object({
    /** Where the files come from, for readers of the folder. */
    source: z.string().min(1),
    clips: z
      .array(
        z
          .object({
            /** LJ Speech's id; the file is `<id>.wav` beside the manifest. */
            id: z.string().regex(/^LJ\d{3}-\d{4}$/, 'must be an LJ Speech id such as LJ001-0001'),
            sha256: sha256Schema,
            bytes: z.number().int().positive(),
          })
          .strict(),
      )
      .max(MAX_COMMITTED_CLIPS),
  })
  .strict();

export type CommittedManifest = z.infer<typeof committedManifestSchema>;

/** A committed recording, its bytes checked against the manifest. */
export interface CommittedClip {
  id: string;
  file: string;
  wav: Uint8Array;
  sha256: string;
}

/** The committed recordings under `root`, by id; the manifest and every file must agree (else a DataFileError). */
export async function readCommittedClips(root: string): Promise<Map<string, CommittedClip>> {
  const manifestFile = `${COMMITTED_AUDIO_DIR}/manifest.json`;
  let text: string;
  try {
    text = await readFile(join(root, manifestFile), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const parsed = committedManifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new DataFileError(manifestFile, parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`).join('; '));
  const clips = new Map<string, CommittedClip>();
  for (const entry of parsed.data.clips) {
    const file = `${COMMITTED_AUDIO_DIR}/${entry.id}.wav`;
    if (clips.has(entry.id)) throw new DataFileError(manifestFile, `${entry.id} is listed twice`);
    const wav = new Uint8Array(await readFile(join(root, file)));
    const hash = sha256(wav);
    if (wav.length !== entry.bytes || hash !== entry.sha256) {
      throw new DataFileError(file, `${wav.length} bytes with sha256 ${hash}, but ${manifestFile} lists ${entry.bytes} bytes with sha256 ${entry.sha256}`);
    }
    clips.set(entry.id, { id: entry.id, file, wav, sha256: hash });
  }
  return clips;
}
