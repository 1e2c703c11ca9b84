/**
 * `npm run transcribe` as a user runs it (a child process) on the committed inputs in test/fixtures/cli/:
 *
 * - with a freshly initialised small model published into a temporary checkout (nothing is trained: what is
 *   checked is that the command gives what the library gives in-process for the same features, not that the text
 *   is right), for every input encoding, long clips and bad input (not a WAV; NaN or infinite samples; a clip too
 *   short to hold a word, which gets a warning; a listing of models that names a snapshot it cannot read);
 * - with every published q3-asr model the snapshots list at run time (smoke now, the listening profile once its
 *   weights land), on the committed synthetic clip speech-sample.wav: the library's in-process transcript, and
 *   where the snapshot's corpus is the clip's (speech.json), the transcript the snapshot lists for that sample;
 * - without --model: the default model, or while it is not published, an error naming its file and the command.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogMel, fitFrames } from '../../../src/lib/audio/log-mel.ts';
import { resample } from '../../../src/lib/audio/resample.ts';
import { decodeWav, encodeWav, parseWav } from '../../../src/lib/audio/wav.ts';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { targetText } from '../../../src/lib/data/sample-clips.ts';
import { transcribeSamples } from '../../../src/lib/inference/transcribe.ts';
import type { AsrModel } from '../../../src/lib/models/asr.ts';
import { createAsrModel } from '../../../src/lib/models/asr.ts';
import { createCnn } from '../../../src/lib/models/cnn.ts';
import { DEFAULT_ASR_MODEL, modelFile } from '../../../src/lib/models/published.ts';
import type { PublishedAsrInfo } from '../../../src/lib/models/published.ts';
import { listedArtifacts, loadPublishedAsr, PROJECT_ROOT } from '../../../src/lib/models/published-files.ts';
import { cutGenerated } from '../../../src/lib/text/similarity.ts';
import { decodeTokens } from '../../../src/lib/text/tokens.ts';
import { tempRoot } from '../../support/harness.ts';
import { publishAsr, publishCnn } from '../../support/published.ts';
import { runCli } from './run-cli.ts';

const FRAMES = 48; // 0.35 s: the 0.8 s clip needs three windows
const inputs = 'test/fixtures/cli';
const longClip = 'test/fixtures/ljspeech-mini/wavs/LJ900-0002.wav';

let dir: string;
let modelPath: string;
let model: AsrModel;
let info: PublishedAsrInfo;

interface Output {
  model: { name: string; path: string; snapshot: string; sha256: string; config: unknown; features: PublishedAsrInfo['features'] };
  results: (
    | { file: string; text: string; windowed: boolean; windows: { startSeconds: number; endSeconds: number; text: string }[]; audio: Record<string, unknown> }
    | { file: string; error: string }
  )[];
}

/** The transcript computed here, step by step, the way the experiments make features and score transcripts. */
async function expectedTranscript(file: string): Promise<string> {
  const wav = decodeWav(new Uint8Array(await readFile(file)));
  const mono = Float32Array.from(wav.channels[0], (_, i) => wav.channels.reduce((sum, channel) => sum + channel[i], 0) / wav.channels.length);
  const samples = wav.sampleRate === 22050 ? mono : resample(mono, wav.sampleRate, 22050);
  const features = fitFrames(createLogMel({ nMels: 80, frames: null }).compute(samples), 80, FRAMES); // [80, FRAMES]
  const tokens = tf.tidy(() => model.transcribe(tf.tensor3d(features, [1, 80, FRAMES]), 0)); // [1, textLength]
  const text = decodeTokens(cutGenerated(tokens.dataSync() as Int32Array));
  tokens.dispose();
  return text;
}

beforeAll(async () => {
  await initBackend({ requested: 'cpu', log: () => {} });
  dir = await tempRoot('transcribe-cli');
  const fresh = createAsrModel(
    { decoder: 'attention', nMels: 80, frames: FRAMES, hidden: 16, heads: 2, mlpHidden: 32, encoderBlocks: 1, textLength: 12, maxTimescale: 3000 },
    17,
  );
  // Scaled up (as the golden reference weights are) so the greedy text depends on the input: at PyTorch's initial
  // scale every clip decodes to the same string, which would make the comparisons below say little.
  for (const variable of fresh.namedParameters().values()) tf.tidy(() => variable.assign(tf.mul(variable, 6)));
  modelPath = (await publishAsr(dir, fresh, { frames: FRAMES, seed: 17, profile: 'cli' })).path;
  fresh.dispose();
  // The in-process side uses the model as read back from the file, as the command does.
  ({ model, info } = await loadPublishedAsr(modelPath));
});

afterAll(async () => {
  model?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('npm run transcribe', () => {
  it('transcribes mono 32-bit, stereo 24-bit 16 kHz and float 44.1 kHz files as the library does in-process', async () => {
    const files = ['mono-22k-pcm32.wav', 'stereo-16k-pcm24.wav', 'mono-44k-float32.wav'].map((name) => `${inputs}/${name}`);
    const run = await runCli('transcribe', ['--json', '--model', modelPath, ...files]);
    expect(run.stderr).not.toMatch(/transcribe:/);
    expect(run.code).toBe(0);
    const output = JSON.parse(run.stdout) as Output;
    expect(output.model.features.frames).toBe(FRAMES);
    expect(output.results.map((result) => result.file)).toEqual(files);
    const texts = new Set<string>();
    for (const result of output.results) {
      if (!('text' in result)) throw new Error(`unexpected error: ${result.error}`);
      expect(result.text, result.file).toBe(await expectedTranscript(result.file));
      expect(result.windowed).toBe(false);
      texts.add(result.text);
    }
    expect(texts.size, 'the model should not decode every clip to the same text').toBeGreaterThan(1);
    expect(output.results[1]).toMatchObject({ audio: { sampleRate: 16000, channels: 2, encoding: 'pcm24', resampledTo: 22050 } });
    expect(output.results[2]).toMatchObject({ audio: { sampleRate: 44100, channels: 1, encoding: 'float32', resampledTo: 22050 } });
    expect(output.results[0]).toMatchObject({ audio: { sampleRate: 22050, channels: 1, encoding: 'pcm32', resampledTo: null } });
  });

  it('says in the text output when it mixed down and resampled', async () => {
    const run = await runCli('transcribe', ['--model', modelPath, `${inputs}/stereo-16k-pcm24.wav`]);
    expect(run.code).toBe(0);
    const expected = await expectedTranscript(`${inputs}/stereo-16k-pcm24.wav`);
    expect(run.stdout).toBe(`${inputs}/stereo-16k-pcm24.wav [2 channels mixed to mono; resampled from 16000 to 22050 Hz]: ${expected}\n`);
  });

  it("transcribes a clip longer than the model's frames in consecutive windows, joins them, and says so", async () => {
    const samples = parseWav(new Uint8Array(await readFile(longClip)), { expectedSampleRate: 22050 }).samples;
    const expected = transcribeSamples(model, info, samples);
    expect(expected.windows).toHaveLength(3);
    const text = await runCli('transcribe', ['--model', modelPath, longClip]);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(`${longClip} [0.80 s: longer than the model's 0.35 s, transcribed in 3 consecutive windows and joined]: ${expected.text}\n`);
    const json = JSON.parse((await runCli('transcribe', ['--json', '--model', modelPath, longClip])).stdout) as Output;
    expect(json.results[0]).toMatchObject({ windowed: true, text: expected.text, windows: expected.windows });
  });

  it('reports each bad file with its name and problem, still transcribes the good one, and exits 1', async () => {
    const bad: [string, string][] = [
      ['not-a-wav.wav', "not a RIFF/WAVE file (starts with 'This', form 'text')"],
      ['empty.wav', 'the file is empty'],
      ['pcm8.wav', '8-bit PCM is not supported; 16-, 24- or 32-bit PCM and 32-bit float are'],
      ['truncated.wav', 'data chunk declares 2206 bytes but only 956 remain: the file is truncated'],
      ['missing.wav', 'cannot read (no such file)'],
    ];
    const folder = `${inputs}/`; // unreadable as a file
    const good = `${inputs}/mono-22k-pcm32.wav`;
    const run = await runCli('transcribe', ['--model', modelPath, ...bad.map(([name]) => `${inputs}/${name}`), folder, good]);
    expect(run.code).toBe(1);
    for (const [name, problem] of bad) expect(run.stderr).toContain(`transcribe: ${inputs}/${name}: ${problem}\n`);
    expect(run.stderr).toContain(`transcribe: ${folder}: cannot read (a folder, not a file)\n`);
    expect(run.stdout).toBe(`${good}: ${await expectedTranscript(good)}\n`);
    const json = JSON.parse((await runCli('transcribe', ['--json', '--model', modelPath, `${inputs}/empty.wav`, good])).stdout) as Output;
    expect(json.results[0]).toEqual({ file: `${inputs}/empty.wav`, error: `${inputs}/empty.wav: the file is empty` });
    expect('text' in json.results[1]).toBe(true);
  });

  it('refuses NaN or infinite samples naming the file (exit 1), and warns that a 0.05 s clip is too short to hold a word', async () => {
    const nan = join(dir, 'nan.wav');
    const short = join(dir, 'short.wav');
    const samples = Float32Array.from({ length: 4410 }, (_, i) => 0.3 * Math.sin(i / 7));
    samples[2205] = Number.NaN;
    samples[3000] = Number.POSITIVE_INFINITY;
    await writeFile(nan, encodeWav([samples], 22050, 'float32'));
    await writeFile(short, encodeWav([samples.slice(0, 1102)], 22050, 'pcm16'));
    const good = `${inputs}/mono-22k-pcm32.wav`;
    const run = await runCli('transcribe', ['--model', modelPath, nan, short, good]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`transcribe: ${nan}: 1 NaN and 1 infinite samples (the first at 0.100 s): not audio, nothing to transcribe\n`);
    expect(run.stderr).toContain(`transcribe: ${short}: warning: 0.050 s is shorter than 0.1 s, too short to hold a word: the transcript is a guess\n`);
    expect(run.stdout.split('\n').map((line) => line.split(':')[0])).toEqual([short, good, '']);
  });

  it('names a snapshot it cannot read among the published models, instead of saying there are none', async () => {
    const broken = join(dir, 'snapshots/q3-asr/broken.json');
    await mkdir(join(dir, 'snapshots/q3-asr'), { recursive: true });
    await writeFile(broken, '{"experiment": "q3-asr", ');
    try {
      const run = await runCli('transcribe', ['--model', join(dir, 'models/q3-asr/cli/absent.safetensors'), `${inputs}/mono-22k-pcm32.wav`]);
      expect(run.code).toBe(2);
      expect(run.stderr).not.toContain('none yet');
      expect(run.stderr).toMatch(
        /\(published models here: [^)]*q3-asr\/cli\/attention[^)]*; left out, cannot be read: \S+\/snapshots\/q3-asr\/broken\.json: is not JSON/,
      );
    } finally {
      await rm(broken);
    }
  });

  it('exits 2 on bad arguments or a model it cannot use, naming the file', async () => {
    const none = await runCli('transcribe', ['--model', modelPath]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/transcribe: no WAV files given\nusage: npm run transcribe/);
    const absent = join(dir, 'models/q3-asr/cli/absent.safetensors');
    const missing = await runCli('transcribe', ['--model', absent, `${inputs}/mono-22k-pcm32.wav`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`transcribe: ${absent}: no such file. The model q3-asr/cli/absent is published by its experiment's run in update mode`);
    const cnn = createCnn({ variant: 'pooled', classes: 4, dropout: 0.7, seed: 2 });
    const { path: cnnPath } = await publishCnn(dir, cnn, { variant: 'pooled', classNames: ['a', 'b', 'c', 'd'], profile: 'cli' });
    cnn.dispose();
    const wrong = await runCli('transcribe', ['--model', cnnPath, `${inputs}/mono-22k-pcm32.wav`]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(
      'models/q2-cnn/cli/pooled-lr0.01.safetensors: is a Question 2 image classifier (cnn), not a Question 3 speech recogniser (asr)',
    );
  });

  it(`runs ${DEFAULT_ASR_MODEL} without --model, or says which file is missing and which command makes it`, async () => {
    const run = await runCli('transcribe', [`${inputs}/mono-22k-pcm32.wav`]);
    if (existsSync(join(PROJECT_ROOT, modelFile(DEFAULT_ASR_MODEL)))) {
      expect(run.stderr).not.toMatch(/transcribe:/);
      expect(run.code).toBe(0);
    } else {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${join(PROJECT_ROOT, modelFile(DEFAULT_ASR_MODEL))}: no such file.`);
      expect(run.stderr).toContain('npx tsx scripts/experiment.ts q3-asr multi-engine --update');
    }
  });
});

interface SpeechFixture {
  file: string;
  id: string;
  text: string;
  sample: number;
  corpus: Record<string, unknown>;
}

const speech = JSON.parse(await readFile(`${inputs}/speech.json`, 'utf8')) as SpeechFixture;
const published = (await listedArtifacts(PROJECT_ROOT)).filter((entry) => entry.snapshot.experiment === 'q3-asr' && entry.name !== null);

describe('npm run transcribe with the published q3-asr models', () => {
  const clip = `${inputs}/${speech.file}`;
  const present = published.filter((entry) => existsSync(join(PROJECT_ROOT, entry.artifact.file)));
  if (present.length === 0) {
    it('(no q3-asr weights committed yet: nothing to run)', () => {
      console.warn(`transcribe: no snapshots/q3-asr/*.json lists weights that are present under models/ (${published.length} listed)`);
    });
  }
  for (const entry of present) {
    it(`${entry.name} transcribes ${clip} as the library does${sameCorpus(entry.snapshot.provenance.config, speech) ? ', and as the snapshot lists for that sample' : ''}`, async () => {
      const run = await runCli('transcribe', ['--json', '--model', entry.name!, clip]);
      expect(run.stderr).not.toMatch(/transcribe:/);
      expect(run.code).toBe(0);
      const output = JSON.parse(run.stdout) as Output;
      expect(output.model).toMatchObject({ name: entry.name, sha256: entry.artifact.sha256, snapshot: entry.snapshotFile });
      const result = output.results[0];
      if (!('text' in result)) throw new Error(`unexpected error: ${result.error}`);
      const loaded = await loadPublishedAsr(entry.name!);
      const samples = parseWav(new Uint8Array(await readFile(clip)), { expectedSampleRate: 22050 }).samples;
      expect(result.text).toBe(transcribeSamples(loaded.model, loaded.info, samples).text);
      loaded.model.dispose();
      expect(result.windowed).toBe(false);
      if (sameCorpus(entry.snapshot.provenance.config, speech)) {
        const row = (entry.snapshot.tables.samples ?? []).find(
          (candidate) => candidate.decoder === entry.artifact.description.decoder && candidate.index === speech.sample,
        );
        expect(row, `${entry.snapshotFile}: sample ${speech.sample} of the ${entry.artifact.description.decoder} decoder`).toBeDefined();
        expect(row!.target).toBe(targetText(speech.text, loaded.info.config.textLength));
        expect(result.text).toBe(row!.prediction);
      }
    });
  }
});

/**
 * Whether a run's config has the corpus the committed clip was spoken from (then the clip is its sample `speech.sample`).
 * The engines count too: a multi-engine corpus of the same sentences gives each clip another voice (and the held-out
 * voice other splits), so its samples are other audio. Absent, a corpus is espeak-ng's alone.
 */
function sameCorpus(config: Record<string, unknown>, speech: SpeechFixture): boolean {
  const engines = (corpus: Record<string, unknown>) => JSON.stringify(corpus.engines ?? ['espeak-ng']);
  return (
    Object.entries(speech.corpus).every(([key, value]) => config[key] === value) &&
    engines(config) === engines(speech.corpus) &&
    typeof config.samples === 'number' &&
    config.samples > speech.sample
  );
}
