/**
 * Every published model the committed snapshots list (snapshots/<experiment>/<profile>.json, `artifacts`):
 *
 * - the file exists under models/ (a listed file that is absent is skipped with a message: the weights of a long
 *   run land with its snapshot), its sha256 and size are the listed ones, and it loads into the model its
 *   snapshot describes (no missing, extra or misshapen tensors);
 * - Question 3: the greedy transcripts of the snapshot's sample clips (tables.samples: the first test clips) are
 *   reproduced exactly, from features recomputed the way the experiments make them (only those clips are
 *   re-spoken or read: src/lib/data/sample-clips.ts). Real recordings are read from LJSPEECH_DIR; without it, the
 *   ones committed for the site (content/audio/ljspeech/, each checked against the sha256 its snapshot records:
 *   src/site/sample-audio.ts) are checked, so the published LJ models are checked on every machine. A
 *   cross-validated run scored its clips in batches padded to their longest, ordered by every clip's length: its
 *   transcripts are checked only with LJSPEECH_DIR (skipped with a message otherwise);
 * - Question 2: on the first 10 test images of the committed Fashion-MNIST fixture, the class and the
 *   log-probabilities equal those of PyTorch's forward pass of the same file (scripts/hw2_torch.py) to 1e-5 relative;
 *   skipped with a message where /usr/bin/python3 has no torch.
 *
 * With no snapshot listing any artifact yet, one test says so and passes.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { loadFashionMnistFixture } from '../../../src/lib/data/fashion-mnist.ts';
import { encodeNpy, parseNpy } from '../../../src/lib/data/npy.ts';
import { COMMITTED_AUDIO_DIR } from '../../../src/lib/data/committed-clips.ts';
import { clipFeatures, q3SampleClips, SampleClipsUnavailable, targetText } from '../../../src/lib/data/sample-clips.ts';
import type { SampleClip } from '../../../src/lib/data/sample-clips.ts';
import { classifyImages } from '../../../src/lib/inference/classify.ts';
import { transcribeWindows } from '../../../src/lib/inference/transcribe.ts';
import { listedArtifacts, loadPublishedAsr, loadPublishedCnn, PROJECT_ROOT, readPublishedModel } from '../../../src/lib/models/published-files.ts';
import type { ListedArtifact } from '../../../src/lib/models/published-files.ts';
import type { Row, Snapshot } from '../../../src/lib/snapshot-schema.ts';
import { snapshotSampleAudio } from '../../../src/site/sample-audio.ts';
import { runPython, torchProblem } from '../../support/torch.ts';

const listed = await listedArtifacts(PROJECT_ROOT);
const IMAGES = 10;

let dir: string;

beforeAll(async () => {
  // The experiments' backend (cpu with the fast kernels unless TFJS_FAST_KERNELS=0), so the arithmetic is theirs.
  await initBackend({ log: () => {} });
  dir = await mkdtemp(join(tmpdir(), 'published-artifacts-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function present(entry: ListedArtifact, context: TestContext): string {
  if (entry.name === null)
    throw new Error(
      `${entry.snapshotFile} lists ${entry.artifact.file}, which is not under models/: committed snapshots publish their weights there (update mode)`,
    );
  if (!existsSync(join(PROJECT_ROOT, entry.artifact.file))) {
    const note = `${entry.artifact.file} is listed by ${entry.snapshotFile} but absent: not committed yet`;
    console.warn(`published-artifacts: skipped: ${note}`);
    context.skip(note);
  }
  return entry.name;
}

/**
 * Whether a sample row's `stage` is that of the artifact's weights (rows without a stage are the only run's). A
 * pre-trained artifact holds `pretrain`, or with cross-validation's lengthening stages `pretrain-<n>` for the last
 * of the config's `cv.stages`; a cross-validated run without pre-training publishes fold 0's models; any other
 * artifact is the run's final model, whatever its stage is called.
 */
function artifactStage(snapshot: Snapshot, name: string): (stage: unknown) => boolean {
  const { cv } = snapshot.provenance.config as { cv?: { stages?: unknown[] } };
  if (name.startsWith('pretrained-')) {
    const last = cv?.stages ? `pretrain-${cv.stages.length}` : 'pretrain';
    return (stage) => stage === undefined || stage === last;
  }
  if (cv) return (stage) => stage === undefined || stage === 'fold-0';
  return (stage) => stage !== 'pretrain';
}

/** The snapshot's sample rows for this artifact: its decoder, and its stage where the snapshot has several. */
function sampleRows(snapshot: Snapshot, decoder: string, name: string): Row[] {
  const ofArtifact = artifactStage(snapshot, name);
  return (snapshot.tables.samples ?? []).filter((row) => row.decoder === decoder && ofArtifact(row.stage)).sort((a, b) => Number(a.index) - Number(b.index));
}

/**
 * A snapshot's sample clips: all of them, re-spoken or read from LJSPEECH_DIR; or, for real recordings without LJ
 * Speech, those committed under content/audio/ljspeech/ (none committed is a failure, not a skip). A
 * cross-validated run's clips are scored in batches ordered by every clip's length, so without LJ Speech they
 * cannot be rebuilt: `unavailable` says why, and the check is skipped.
 */
async function sampleClips(entry: ListedArtifact): Promise<{ clips: SampleClip[]; committedOnly: string | null; unavailable?: string }> {
  try {
    return { clips: await q3SampleClips(entry.snapshot.provenance.config, { source: entry.snapshotFile }), committedOnly: null };
  } catch (error) {
    if (!(error instanceof SampleClipsUnavailable)) throw error;
    if ('cv' in entry.snapshot.provenance.config)
      return {
        clips: [],
        committedOnly: null,
        unavailable: `${entry.snapshotFile} is cross-validated, its evaluation batches need every clip: ${error.reason}`,
      };
    const { clips, note } = await snapshotSampleAudio(entry.snapshot, entry.snapshotFile, { root: PROJECT_ROOT });
    if (clips.length === 0) throw new Error(`${entry.snapshotFile}: no sample clip to check the transcripts on: ${error.reason}; and ${note}`);
    return { clips: clips.map(({ index, id, text, wav }) => ({ index, id, text, wav })), committedOnly: error.reason };
  }
}

// Both decoders of a snapshot share its sample clips: spoken or read once.
const clipsBySnapshot = new Map<string, ReturnType<typeof sampleClips>>();

async function transcriptsCheck(entry: ListedArtifact, name: string, context: TestContext): Promise<void> {
  if (!clipsBySnapshot.has(entry.snapshotFile)) clipsBySnapshot.set(entry.snapshotFile, sampleClips(entry));
  const { clips: available, committedOnly, unavailable } = await clipsBySnapshot.get(entry.snapshotFile)!;
  if (unavailable) {
    console.warn(`published-artifacts: skipped: ${entry.artifact.file}: ${unavailable}`);
    context.skip(unavailable);
  }
  const { info, model } = await loadPublishedAsr(name);
  try {
    const allRows = sampleRows(entry.snapshot, info.config.decoder, entry.artifact.name);
    expect(allRows.length, `${entry.snapshotFile} lists no sample transcripts for ${entry.artifact.name}`).toBeGreaterThan(0);
    const clips = available.filter((clip) => allRows.some((row) => Number(row.index) === clip.index));
    const rows = clips.map((clip) => allRows.find((row) => Number(row.index) === clip.index)!);
    if (committedOnly)
      console.warn(
        `published-artifacts: ${entry.artifact.file}: ${clips.length} of ${allRows.length} sample clips, those under ${COMMITTED_AUDIO_DIR}/ (${committedOnly})`,
      );
    expect(clips.length, `${entry.artifact.file}: no sample clip matches a row of ${entry.snapshotFile}`).toBeGreaterThan(0);
    // The clips rebuilt from the config are the ones the snapshot quotes: the same target texts, in order.
    expect(clips.map((clip) => targetText(clip.text, info.config.textLength))).toEqual(rows.map((row) => row.target));
    // Each clip at the frames it was scored at (the config's, or its evaluation batch's longest clip's), those of
    // one length together.
    const transcripts = new Array<string>(clips.length);
    for (const frames of new Set(clips.map((clip) => clip.frames ?? info.features.frames))) {
      const at = clips.flatMap((clip, i) => ((clip.frames ?? info.features.frames) === frames ? [i] : []));
      const features = at.map((i) => clipFeatures(clips[i].wav, { nMels: info.config.nMels, frames, source: clips[i].id }));
      transcribeWindows(model, features, frames).forEach((text, j) => (transcripts[at[j]] = text));
    }
    expect(transcripts).toEqual(rows.map((row) => row.prediction));
  } finally {
    model.dispose();
  }
}

const PYTHON_CNN = `
import numpy as np
import torch
from hw2_torch import load_published
model, info = load_published(sys.argv[1])
with torch.no_grad():
    np.save(sys.argv[3], model(torch.from_numpy(np.load(sys.argv[2]))).numpy().astype('<f4'))
`;

async function torchCheck(name: string, file: string): Promise<void> {
  const { info, model } = await loadPublishedCnn(name);
  try {
    const fixture = await loadFashionMnistFixture();
    const images = Array.from({ length: IMAGES }, (_, i) => fixture.test.images.slice(i * 784, (i + 1) * 784));
    const ours = classifyImages(model, images);
    const [input, output] = [join(dir, 'images.npy'), join(dir, 'log-probabilities.npy')];
    const batch = new Float32Array(IMAGES * 784);
    images.forEach((image, i) => batch.set(image, i * 784));
    await writeFile(input, encodeNpy({ dtype: 'float32', shape: [IMAGES, 1, 28, 28], data: batch }));
    await runPython(PYTHON_CNN, [join(PROJECT_ROOT, file), input, output]);
    const theirs = parseNpy(new Uint8Array(await readFile(output)), output);
    const classes = info.config.classes;
    expect(theirs.shape).toEqual([IMAGES, classes]);
    const argmax = (values: ArrayLike<number>) => Array.from(values).reduce((best, value, i, all) => (value > all[best] ? i : best), 0);
    let worst = 0;
    for (let i = 0; i < IMAGES; i++) {
      const row = Array.from(theirs.data.slice(i * classes, (i + 1) * classes) as Float32Array);
      expect(argmax(ours[i]), `${file}, image ${i}: class`).toBe(argmax(row));
      // Relative to the value's size (absolute near zero): a log-probability of −20 carries float32 rounding of its
      // own size, accumulated over the network's ~225,000 multiply-adds in a different order in each framework.
      row.forEach((value, c) => (worst = Math.max(worst, Math.abs(value - ours[i][c]) / Math.max(1, Math.abs(value)))));
    }
    expect(worst, `${file}: largest log-probability difference from PyTorch, relative`).toBeLessThan(1e-5);
  } finally {
    model.dispose();
  }
}

describe('published models listed by the committed snapshots', () => {
  if (listed.length === 0) {
    it('(none listed yet: nothing to check)', () => {
      console.warn('published-artifacts: no committed snapshot lists published weights yet');
    });
  }
  const torch = torchProblem();
  for (const entry of listed) {
    const { file } = entry.artifact;
    const kind = 'decoder' in entry.artifact.description ? 'asr' : 'cnn';
    describe(`${file} (${entry.snapshotFile})`, () => {
      it('exists, has the listed sha256 and size, and loads into the model its snapshot describes', async (context) => {
        const name = present(entry, context);
        const { info, weights } = await readPublishedModel(name);
        expect(info.source).toMatchObject({ file, sha256: entry.artifact.sha256 });
        expect(weights.size).toBeGreaterThan(0);
        const loaded = kind === 'asr' ? await loadPublishedAsr(name) : await loadPublishedCnn(name);
        loaded.model.dispose();
      });
      if (kind === 'asr') {
        it("reproduces the greedy transcripts of the snapshot's sample clips exactly", async (context) => {
          await transcriptsCheck(entry, present(entry, context), context);
        });
      } else {
        it.skipIf(torch !== null)(
          `gives PyTorch's class and log-probabilities (to 1e-5) on ${IMAGES} fixture test images${torch ? ` (skipped: ${torch})` : ''}`,
          async (context) => {
            await torchCheck(present(entry, context), file);
          },
        );
      }
    });
  }
});
