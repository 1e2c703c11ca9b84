/**
 * `npm run transcribe` as a user runs it (a child process) on the committed inputs in test/fixtures/cli/ with a
 * freshly initialised small model saved in the published format (nothing is trained: what is checked is that the
 * command gives what the library gives in-process for the same features, not that the text is right).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogMel, fitFrames } from '../../../src/lib/audio/log-mel.ts';
import { resample } from '../../../src/lib/audio/resample.ts';
import { decodeWav, parseWav } from '../../../src/lib/audio/wav.ts';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { transcribeSamples } from '../../../src/lib/inference/transcribe.ts';
import { createCnn } from '../../../src/lib/models/cnn.ts';
import { loadPublishedAsr, savePublishedAsr, savePublishedCnn } from '../../../src/lib/models/published.ts';
import type { PublishedAsrInfo } from '../../../src/lib/models/published.ts';
import type { AsrModel } from '../../../src/lib/models/asr.ts';
import { createAsrModel } from '../../../src/lib/models/asr.ts';
import { cutGenerated } from '../../../src/lib/text/similarity.ts';
import { decodeTokens } from '../../../src/lib/text/tokens.ts';
import { runCli } from './run-cli.ts';

const FRAMES = 48; // 0.35 s: the 0.8 s clip needs three windows
const inputs = 'test/fixtures/cli';
const longClip = 'test/fixtures/ljspeech-mini/wavs/LJ900-0002.wav';

let dir: string;
let modelPath: string;
let model: AsrModel;
let info: PublishedAsrInfo;

interface Output {
  model: { path: string; sha256: string; config: unknown; features: PublishedAsrInfo['features'] };
  results: ({ file: string; text: string; windowed: boolean; windows: { startSeconds: number; endSeconds: number; text: string }[]; audio: Record<string, unknown> } | { file: string; error: string })[];
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
  dir = await mkdtemp(join(tmpdir(), 'transcribe-cli-'));
  modelPath = join(dir, 'asr.safetensors');
  const fresh = createAsrModel({ decoder: 'attention', vocab: 35, freq: 80, hidden: 16, heads: 2, mlpHidden: 32, encoderBlocks: 1, textLength: 12, maxTimescale: 3000 }, 17);
  // Scaled up (as the golden reference weights are) so the greedy text depends on the input: at PyTorch's initial
  // scale every clip decodes to the same string, which would make the comparisons below say little.
  for (const variable of fresh.namedParameters().values()) tf.tidy(() => variable.assign(tf.mul(variable, 6)));
  await savePublishedAsr(modelPath, fresh, { frames: FRAMES, seed: 17, source: { experiment: 'test', profile: 'cli' } });
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

  it('exits 2 on bad arguments or a model it cannot use, naming the file', async () => {
    const none = await runCli('transcribe', ['--model', modelPath]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/transcribe: no WAV files given\nusage: npm run transcribe/);
    const missing = await runCli('transcribe', ['--model', join(dir, 'absent.safetensors'), `${inputs}/mono-22k-pcm32.wav`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`transcribe: ${join(dir, 'absent.safetensors')}: cannot read the model (no such file)`);
    const cnnPath = join(dir, 'cnn.safetensors');
    await savePublishedCnn(cnnPath, createCnn({ variant: 'pooled', classes: 4, dropout: 0.7, seed: 2 }), {
      variant: 'pooled',
      dropout: 0.7,
      classNames: ['a', 'b', 'c', 'd'],
      seed: 2,
      source: { experiment: 'test', profile: 'cli' },
    });
    const wrong = await runCli('transcribe', ['--model', cnnPath, `${inputs}/mono-22k-pcm32.wav`]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`${cnnPath}: is a Question 2 image classifier (cnn), not a Question 3 speech recogniser (asr)`);
  });
});
