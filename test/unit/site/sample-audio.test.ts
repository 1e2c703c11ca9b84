/**
 * The recordings the Q3 page plays (src/site/sample-audio.ts) are the clips the runs heard:
 *
 * - synthetic speech: the corpus each snapshot names is rebuilt into the data cache when absent
 *   (generateSyntheticCorpus with the snapshot's clips, minChars, maxChars and corpusSeed), its sha256 over
 *   metadata.csv and every WAV is the `corpus sha256` the snapshot recorded, and the clips the site serves are byte
 *   for byte that corpus's WAVs of the first test clips. The smoke corpus (160 clips) always; the others (cpu 900,
 *   listening 4,000: 25-40 s of espeak-ng when not cached) where their snapshot exists;
 * - real recordings: each committed WAV hashes to its manifest entry and to the `wavSha256` of every snapshot
 *   that lists it, and no committed file is shown by no snapshot;
 * - and the checks themselves, on a scratch folder: a wrong file, a mismatched hash or a clip beside another
 *   clip's transcript fails; a clip that is not committed gets no player.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWavPcm16 } from '../../../src/lib/audio/wav.ts';
import { splitCounts } from '../../../src/lib/data/asr-split.ts';
import { readLjLayout } from '../../../src/lib/data/ljspeech.ts';
import { targetText } from '../../../src/lib/data/sample-clips.ts';
import type { HeldOut, SpeechEngine } from '../../../src/lib/data/synthetic-speech.ts';
import { defaultPalette, generateSyntheticCorpus, isHeldOut } from '../../../src/lib/data/synthetic-speech.ts';
import { parseSnapshot } from '../../../src/lib/harness/snapshot.ts';
import type { Snapshot } from '../../../src/lib/snapshot-schema.ts';
import { parseProps } from '../../../src/site/props.ts';
import { COMMITTED_AUDIO_DIR, readCommittedClips } from '../../../src/lib/data/committed-clips.ts';
import { DataFileError } from '../../../src/lib/data/data-file-error.ts';
import { sha256 } from '../../../src/lib/provenance/hash.ts';
import { samplePath, SampleAudioError, snapshotSampleAudio } from '../../../src/site/sample-audio.ts';
import { renderTranscripts, transcriptDiffPropsSchema } from '../../../src/components/transcript-diff.ts';
import { tempRoot } from '../../support/harness.ts';
import { projectRoot } from './fixture.ts';

interface Loaded {
  snapshot: Snapshot;
  file: string;
}

function q3Snapshots(): Loaded[] {
  const folder = join(projectRoot, 'snapshots');
  return readdirSync(folder)
    .filter((experiment) => experiment.startsWith('q3-'))
    .flatMap((experiment) =>
      readdirSync(join(folder, experiment))
        .filter((name) => name.endsWith('.json'))
        .map((name) => {
          const file = `snapshots/${experiment}/${name}`;
          return { snapshot: parseSnapshot(readFileSync(join(projectRoot, file), 'utf8'), file), file };
        }),
    );
}

const snapshots = q3Snapshots();
const synthetic = snapshots.filter(({ snapshot }) => snapshot.provenance.config.corpus === 'synthetic-brown');
const real = snapshots.filter(({ snapshot }) => snapshot.tables.sampleClips !== undefined);

/** The corpus hash as generateSyntheticCorpus computes it, from the files: metadata.csv, then each WAV's sha256. */
async function corpusHash(dir: string): Promise<string> {
  const hash = createHash('sha256').update(await readFile(join(dir, 'metadata.csv')));
  for (const clip of (await readLjLayout(dir)).clips) hash.update(sha256(await readFile(clip.wavPath)));
  return hash.digest('hex');
}

function dataValue(snapshot: Snapshot, key: string): unknown {
  return snapshot.tables.data?.find((row) => row.key === key)?.value;
}

describe('synthetic sample recordings', () => {
  it('include the smoke run, which CI always has', () => {
    expect(synthetic.map(({ snapshot }) => snapshot.profile)).toContain('smoke');
  });

  it.each(synthetic.map((loaded) => [loaded.snapshot.profile, loaded] as const))(
    'q3-asr/%s: the site serves the WAVs of the corpus whose sha256 the snapshot recorded',
    async (_profile, { snapshot, file }) => {
      const config = snapshot.provenance.config as {
        clips: number;
        minChars: number;
        maxChars: number;
        corpusSeed: number;
        samples: number;
        trainFraction: number;
        validationFraction: number;
        engines?: SpeechEngine[];
        heldOut?: HeldOut;
      };
      // The data cache's folder for this corpus, named as experiments/q3/asr.ts names it (so a cached corpus is reused).
      const engines = config.engines ? config.engines.join('+') : 'espeak';
      const dir = join(
        projectRoot,
        '.cache',
        'data',
        'speech',
        `brown-${engines}-n${config.clips}-c${config.minChars}-${config.maxChars}-s${config.corpusSeed}`,
      );
      const corpus = await generateSyntheticCorpus({
        dir,
        count: config.clips,
        minChars: config.minChars,
        maxChars: config.maxChars,
        seed: config.corpusSeed,
        palette: config.engines ? defaultPalette(config.engines) : undefined,
      });
      expect(await corpusHash(dir), `${dir}: sha256 over metadata.csv and the WAVs`).toBe(dataValue(snapshot, 'corpus sha256'));

      const { clips, note } = await snapshotSampleAudio(snapshot, file, { root: projectRoot });
      const counts = splitCounts(config.clips, config.trainFraction, config.validationFraction);
      // The test split: the test block without a held-out family's clips.
      const heldOut = config.heldOut;
      const test = Array.from({ length: counts.test }, (_, i) => counts.train + counts.validation + i).filter(
        (position) => !heldOut || !isHeldOut(corpus.speakers[position], heldOut),
      );
      expect(note).toBeNull();
      expect(clips.map((clip) => clip.index)).toEqual(Array.from({ length: Math.min(config.samples, test.length) }, (_, i) => i));
      const layout = await readLjLayout(dir);
      for (const clip of clips) {
        const corpusClip = layout.clips[test[clip.index]];
        const bytes = await readFile(corpusClip.wavPath);
        expect(clip.id).toBe(corpusClip.id);
        expect(Buffer.compare(Buffer.from(clip.wav), bytes), `${clip.id}: served bytes = ${corpusClip.wavPath}`).toBe(0);
        expect(clip.sha256).toBe(sha256(bytes));
        expect(clip.path).toBe(samplePath('q3-asr', snapshot.profile, clip.index));
        expect(clip.origin).toBe('synthetic');
      }
    },
    // Without a data cache (a fresh clone) the whole corpus is spoken first: on a 2-core machine busy with training,
    // 196 s for the listening corpus and more than 300 s for the multi-engine one (espeak-ng and Flite).
    900_000,
  );

  it('refuse a clip whose text does not give its row’s target', async () => {
    const smoke = synthetic.find(({ snapshot }) => snapshot.profile === 'smoke')!;
    const snapshot = structuredClone(smoke.snapshot);
    for (const row of snapshot.tables.samples ?? []) if (row.index === 1) row.target = 'another clip.';
    await expect(snapshotSampleAudio(snapshot, smoke.file)).rejects.toThrow(/sample clip 1 \(BRN-\d+\) says .*, but tables\.samples has "another clip\."/);
  }, 60_000);
});

describe('committed real recordings', () => {
  it('hash to their manifest and to every snapshot that lists them, and each is shown by some snapshot', async () => {
    const committed = await readCommittedClips(projectRoot);
    expect(committed.size).toBeLessThanOrEqual(3);
    const files = readdirSync(join(projectRoot, COMMITTED_AUDIO_DIR)).filter((name) => name !== 'manifest.json');
    expect(files.sort(), `${COMMITTED_AUDIO_DIR}: files the manifest does not list`).toEqual([...committed.keys()].map((id) => `${id}.wav`).sort());
    for (const clip of committed.values()) {
      const listings = real.flatMap(({ snapshot, file }) =>
        (snapshot.tables.sampleClips ?? []).filter((row) => row.id === clip.id).map((row) => ({ file, wavSha256: row.wavSha256 })),
      );
      expect(listings.length, `${clip.file}: no snapshot lists ${clip.id} in tables.sampleClips`).toBeGreaterThan(0);
      for (const listing of listings)
        expect(listing.wavSha256, `${listing.file}: wavSha256 of ${clip.id}`).toBe(sha256(await readFile(join(projectRoot, clip.file))));
    }
    for (const { snapshot, file } of real) {
      const { clips } = await snapshotSampleAudio(snapshot, file, { root: projectRoot });
      const listed = new Set((snapshot.tables.sampleClips ?? []).map((row) => row.id));
      expect(clips.map((clip) => clip.id).sort(), file).toEqual([...committed.keys()].filter((id) => listed.has(id)).sort());
      for (const clip of clips) expect(clip.origin).toBe('committed');
    }
  });
});

describe('the checks, on a scratch folder', () => {
  let root: string;
  const wav = encodeWavPcm16(
    Int16Array.from({ length: 2205 }, (_, i) => Math.round(8000 * Math.sin(i / 10))),
    22050,
  ); // 0.1 s
  const other = encodeWavPcm16(new Int16Array(2205), 22050);
  const text = 'For this he was summoned before a magistrate.';

  /** A real-speech snapshot showing LJ001-0001 and LJ001-0002 as samples 0 and 1. */
  function realSnapshot(sha: string): Snapshot {
    const snapshot = structuredClone(synthetic[0].snapshot);
    snapshot.experiment = 'q3-ljspeech';
    snapshot.profile = 'listening';
    snapshot.provenance.config = { realLimit: 385, samples: 2, textLength: 20 };
    const target = targetText(text, 20);
    snapshot.tables.samples = [0, 1].flatMap((index) =>
      ['recurrent', 'attention'].map((decoder) => ({ decoder, index, target: index === 0 ? target : 'in being comparativ', prediction: 'the' })),
    );
    snapshot.tables.sampleClips = [
      { id: 'LJ001-0001', index: 120, text, wavSha256: sha },
      { id: 'LJ001-0002', index: 121, text: 'In being comparatively modern.', wavSha256: sha256(other) },
    ];
    return snapshot;
  }

  async function commit(entries: Array<{ id: string; bytes: Uint8Array; sha256?: string }>): Promise<void> {
    const folder = join(root, COMMITTED_AUDIO_DIR);
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder, { recursive: true });
    for (const entry of entries) await writeFile(join(folder, `${entry.id}.wav`), entry.bytes);
    const clips = entries.map((entry) => ({ id: entry.id, sha256: entry.sha256 ?? sha256(entry.bytes), bytes: entry.bytes.length }));
    await writeFile(join(folder, 'manifest.json'), JSON.stringify({ source: 'test', clips }));
  }

  beforeAll(async () => {
    root = await tempRoot('sample-audio');
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('serve a committed clip that hashes to the snapshot, and give the others no player', async () => {
    await commit([{ id: 'LJ001-0001', bytes: wav }]);
    const { clips, note } = await snapshotSampleAudio(realSnapshot(sha256(wav)), 'real.json', { root });
    expect(note).toBeNull();
    expect(clips.map(({ index, id, seconds, path, origin }) => ({ index, id, seconds, path, origin }))).toEqual([
      { index: 0, id: 'LJ001-0001', seconds: 0.1, path: '/audio/q3-ljspeech/listening/sample-0.wav', origin: 'committed' },
    ]);
    expect(clips[0].sha256).toBe(sha256(wav));
  });

  it('fail when the committed file is not the one the run heard, or not the one the manifest lists', async () => {
    await commit([{ id: 'LJ001-0001', bytes: wav }]);
    await expect(snapshotSampleAudio(realSnapshot(sha256(other)), 'real.json', { root })).rejects.toBeInstanceOf(SampleAudioError);
    await expect(snapshotSampleAudio(realSnapshot(sha256(other)), 'real.json', { root })).rejects.toThrow(
      `${COMMITTED_AUDIO_DIR}/LJ001-0001.wav has sha256 ${sha256(wav)}, but real.json → tables.sampleClips records ${sha256(other)} for LJ001-0001: not the recording the run heard`,
    );
    await commit([{ id: 'LJ001-0001', bytes: wav, sha256: sha256(other) }]);
    await expect(readCommittedClips(root)).rejects.toBeInstanceOf(DataFileError);
    await expect(readCommittedClips(root)).rejects.toThrow(`${COMMITTED_AUDIO_DIR}/LJ001-0001.wav: ${wav.length} bytes with sha256 ${sha256(wav)}, but`);
  });

  it('fail when a committed clip would sit beside another clip’s transcript', async () => {
    await commit([{ id: 'LJ001-0002', bytes: other }]);
    const snapshot = realSnapshot(sha256(wav));
    for (const row of snapshot.tables.samples ?? []) if (row.index === 1) row.target = 'something else';
    await expect(snapshotSampleAudio(snapshot, 'real.json', { root })).rejects.toThrow('sample clip 1 (LJ001-0002) says "In being comparatively modern."');
  });

  it('give no player, and say why, where nothing is committed', async () => {
    await rm(join(root, COMMITTED_AUDIO_DIR), { recursive: true, force: true });
    expect(await snapshotSampleAudio(realSnapshot(sha256(wav)), 'real.json', { root })).toEqual({
      clips: [],
      note: `none of its sample recordings is committed under ${COMMITTED_AUDIO_DIR}/`,
    });
    const withoutList = realSnapshot(sha256(wav));
    delete withoutList.tables.sampleClips;
    expect((await snapshotSampleAudio(withoutList, 'real.json', { root })).note).toBe('the snapshot lists no sample recordings (tables.sampleClips)');
  });

  it('put each recording beside the rows of its index in tables.samples, and nowhere else', () => {
    const snapshot = realSnapshot(sha256(wav));
    const recording = { index: 0, id: 'LJ001-0001', path: '/audio/q3-ljspeech/listening/sample-0.wav', sha256: sha256(wav), seconds: 0.1 };
    const props = (extra: Record<string, unknown> = {}) =>
      parseProps('TranscriptDiff', transcriptDiffPropsSchema, { experiment: 'q3-ljspeech', profile: 'listening', ...extra });
    const rendered = renderTranscripts(snapshot, 'real.json', props(), [recording]);
    expect(rendered.hasAudio).toBe(true);
    expect(rendered.rows.map((row) => row.audio?.id ?? null)).toEqual(['LJ001-0001', 'LJ001-0001', null, null]);
    expect(renderTranscripts(snapshot, 'real.json', props({ audio: false }), [recording]).hasAudio).toBe(false);
    snapshot.tables.other = snapshot.tables.samples!;
    expect(renderTranscripts(snapshot, 'real.json', props({ path: 'tables.other' }), [recording]).hasAudio).toBe(false);
  });
});

it('finds the committed folder in the checkout', () => {
  expect(existsSync(join(projectRoot, COMMITTED_AUDIO_DIR, 'manifest.json'))).toBe(true);
});
