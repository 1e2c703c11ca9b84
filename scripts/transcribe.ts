/**
 * `npm run transcribe -- FILE.wav [...]`: greedy transcripts of WAV files with a published Question 3 model.
 *
 *   npm run transcribe -- [--model NAME|PATH.safetensors] [--json] FILE.wav [FILE.wav ...]
 *
 * Any WAV of 16-, 24- or 32-bit PCM or 32-bit float, mono or with more channels (mixed down to their mean), at any
 * sample rate (resampled to the model's 22,050 Hz by src/lib/audio/resample.ts, a restatement of torchaudio's
 * resample). Features are the experiments' log-mel with the settings of the model's run; clips longer than the
 * model's frames are transcribed in consecutive windows and joined (src/lib/inference/transcribe.ts), and the
 * output says so. --model takes a published model's name, `<experiment>/<profile>/<name>` (default
 * DEFAULT_ASR_MODEL in src/lib/models/published.ts), or the path of its weights in some checkout's
 * models/<experiment>/<profile>/; the weights are checked against the snapshot that lists them, which also gives
 * the model's config (src/lib/models/published-files.ts).
 *
 * Prints `FILE: transcript` per file (notes in brackets before the colon when the audio was mixed down,
 * resampled or windowed), or with --json one JSON object with the model and a result or error per file. A file
 * that cannot be transcribed is reported on stderr naming the file and the problem; the others are still done.
 * Exit status: 0 all transcribed, 1 some file failed, 2 bad arguments or an unusable model.
 */
import * as tf from '@tensorflow/tfjs';
import { readAnyWav } from '../src/lib/audio/wav.ts';
import { initBackend } from '../src/lib/backend/backend.ts';
import { prepareAudio, transcribeSamples } from '../src/lib/inference/transcribe.ts';
import type { Transcription } from '../src/lib/inference/transcribe.ts';
import { listPublishedModels, loadPublishedAsr } from '../src/lib/models/published-files.ts';
import { DEFAULT_ASR_MODEL } from '../src/lib/models/published.ts';

const USAGE = 'usage: npm run transcribe -- [--model NAME|PATH.safetensors] [--json] FILE.wav [FILE.wav ...]';

/** A mistake on the command line or an unusable model: one line on stderr, exit 2. */
class UsageError extends Error {}

interface Options {
  files: string[];
  json: boolean;
  model: string;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { files: [], json: false, model: DEFAULT_ASR_MODEL };
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === '--json') options.json = true;
    else if (argument === '--model') {
      const value = argv[++i];
      if (!value) throw new UsageError('transcribe: --model needs a model name or a .safetensors path');
      options.model = value;
    } else if (argument === '--help' || argument === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (argument.startsWith('--')) throw new UsageError(`transcribe: unknown option '${argument}'\n${USAGE}`);
    else options.files.push(argument);
  }
  if (options.files.length === 0) throw new UsageError(`transcribe: no WAV files given\n${USAGE}`);
  return options;
}

interface FileResult extends Transcription {
  file: string;
  windowed: boolean;
  audio: { sampleRate: number; channels: number; encoding: string; resampledTo: number | null };
  computeSeconds: number;
}

function notes(result: FileResult): string[] {
  const out: string[] = [];
  if (result.audio.channels > 1) out.push(`${result.audio.channels} channels mixed to mono`);
  if (result.audio.resampledTo !== null) out.push(`resampled from ${result.audio.sampleRate} to ${result.audio.resampledTo} Hz`);
  if (result.windowed) {
    const length = result.windows[0].endSeconds - result.windows[0].startSeconds;
    out.push(
      `${result.seconds.toFixed(2)} s: longer than the model's ${length.toFixed(2)} s, transcribed in ${result.windows.length} consecutive windows and joined`,
    );
  }
  if (result.droppedSeconds > 0) out.push(`last ${result.droppedSeconds.toFixed(2)} s too short to transcribe`);
  return out;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  // PROD only silences tfjs's console advice ("install our node backend"); it changes no computation.
  tf.env().set('PROD', true);
  await initBackend({ log: (line) => process.stderr.write(`${line}\n`) });
  let loaded: Awaited<ReturnType<typeof loadPublishedAsr>>;
  try {
    loaded = await loadPublishedAsr(options.model);
  } catch (error) {
    const available = await listPublishedModels().catch(() => []);
    throw new UsageError(`transcribe: ${(error as Error).message}\n(published models here: ${available.length ? available.join(', ') : 'none yet'})`);
  }
  const { info, model, location } = loaded;
  const results: (FileResult | { file: string; error: string })[] = [];
  let failures = 0;
  for (const file of options.files) {
    try {
      const started = performance.now();
      const wav = await readAnyWav(file);
      const audio = prepareAudio(wav, info.features.sampleRate);
      if (audio.samples.length === 0) throw new Error(`${file}: the data chunk holds no samples`);
      let transcription: Transcription;
      try {
        transcription = transcribeSamples(model, info, audio.samples);
      } catch (error) {
        throw new Error(`${file}: ${(error as Error).message}`);
      }
      const result: FileResult = {
        file,
        ...transcription,
        windowed: transcription.windows.length > 1,
        audio: { sampleRate: wav.sampleRate, channels: wav.channels.length, encoding: wav.encoding, resampledTo: audio.resampled ? audio.sampleRate : null },
        computeSeconds: (performance.now() - started) / 1000,
      };
      results.push(result);
      if (!options.json) {
        const bracket = notes(result);
        console.log(`${file}${bracket.length ? ` [${bracket.join('; ')}]` : ''}: ${result.text}`);
      }
    } catch (error) {
      failures++;
      const message = (error as Error).message;
      results.push({ file, error: message });
      process.stderr.write(`transcribe: ${message}\n`);
    }
  }
  model.dispose();
  if (options.json) {
    const { config, features, seed, source } = info;
    console.log(
      JSON.stringify(
        {
          model: { name: location.name, path: location.path, snapshot: location.snapshotFile, sha256: source.sha256, config, features, seed, source },
          results,
        },
        null,
        1,
      ),
    );
  }
  return failures ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(error instanceof UsageError ? `${error.message}\n` : `transcribe: ${(error as Error).stack ?? error}\n`);
    process.exitCode = 2;
  },
);
