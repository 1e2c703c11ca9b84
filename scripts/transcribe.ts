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
 * Silence adds no text (src/lib/inference/transcribe.ts): trailing silence beyond 0.1 s is cut and a window holding
 * only silence is not transcribed. Prints `FILE: transcript` per file (notes in brackets before the colon when the
 * audio was mixed down, resampled, windowed or cut), or with --json one JSON object with the model and a result or
 * error per file. A file that cannot be transcribed (not a WAV, NaN or infinite samples) is reported on stderr
 * naming the file and the problem; the others are still done. A clip too short to hold a word, or without sound,
 * is transcribed with a warning on stderr (`transcribe: FILE: warning: ...`).
 * Exit status: 0 all transcribed, 1 some file failed, 2 bad arguments or an unusable model.
 */
import { readAnyWav } from '../src/lib/audio/wav.ts';
import { prepareAudio, transcribeSamples } from '../src/lib/inference/transcribe.ts';
import type { Transcription } from '../src/lib/inference/transcribe.ts';
import { loadPublishedAsr } from '../src/lib/models/published-files.ts';
import { DEFAULT_ASR_MODEL } from '../src/lib/models/published.ts';
import { runModelCommand } from './model-command.ts';

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
  if (result.trimmedSeconds > 0) out.push(`last ${result.trimmedSeconds.toFixed(2)} s of silence left out`);
  if (result.windowed) {
    const length = result.windows[0].endSeconds - result.windows[0].startSeconds;
    const silent = result.windows.filter((window) => window.silent).length;
    out.push(
      `${result.seconds.toFixed(2)} s: longer than the model's ${length.toFixed(2)} s, transcribed in ${result.windows.length} consecutive windows and joined${silent ? ` (${silent} silent, not transcribed)` : ''}`,
    );
  }
  if (result.droppedSeconds > 0) out.push(`last ${result.droppedSeconds.toFixed(2)} s too short to transcribe`);
  return out;
}

await runModelCommand({
  name: 'transcribe',
  usage: 'usage: npm run transcribe -- [--model NAME|PATH.safetensors] [--json] FILE.wav [FILE.wav ...]',
  defaultModel: DEFAULT_ASR_MODEL,
  files: 'WAV files',
  load: loadPublishedAsr,
  async run({ model, info }, file): Promise<FileResult> {
    const started = performance.now();
    const wav = await readAnyWav(file);
    const audio = prepareAudio(wav, info.features.sampleRate, { source: file });
    if (audio.samples.length === 0) throw new Error(`${file}: the data chunk holds no samples`);
    let transcription: Transcription;
    try {
      transcription = transcribeSamples(model, info, audio.samples);
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}`);
    }
    for (const warning of transcription.warnings) process.stderr.write(`transcribe: ${file}: warning: ${warning}\n`);
    return {
      file,
      ...transcription,
      windowed: transcription.windows.length > 1,
      audio: { sampleRate: wav.sampleRate, channels: wav.channels.length, encoding: wav.encoding, resampledTo: audio.resampled ? audio.sampleRate : null },
      computeSeconds: (performance.now() - started) / 1000,
    };
  },
  print(result) {
    const bracket = notes(result);
    return [`${result.file}${bracket.length ? ` [${bracket.join('; ')}]` : ''}: ${result.text}`];
  },
  describe({ info, location }) {
    const { config, features, seed, source } = info;
    return { name: location.name, path: location.path, snapshot: location.snapshotFile, sha256: source.sha256, config, features, seed, source };
  },
});
