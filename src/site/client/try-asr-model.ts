/**
 * The speech "try it" engine, imported by try-asr.ts on the reader's first request: a published Question 3 model
 * in the page, and the steps `npm run transcribe` takes (src/lib/inference/transcribe.ts): WAV -> mono ->
 * 22,050 Hz -> log-mel -> windows of the model's frames -> greedy decoding.
 */
import { decodeWav } from '../../lib/audio/wav.ts';
import { prepareAudio, transcribeSamples } from '../../lib/inference/transcribe.ts';
import type { AsrModel } from '../../lib/models/asr.ts';
import type { PublishedAsrInfo } from '../../lib/models/published.ts';
import { asrModelFromStateDict } from '../../lib/models/published-model.ts';
import { modelCache } from './try-engine.ts';

const models = modelCache<AsrModel>();

/** The model at `url`, fetched and built once per page. */
export function loadModel(url: string, info: PublishedAsrInfo): Promise<AsrModel> {
  return models(url, (weights) => asrModelFromStateDict(info.config, weights, url));
}

export interface PageTranscription {
  text: string;
  /** Seconds of audio (at the model's rate) and of computing (decoding the WAV to the transcript). */
  seconds: number;
  computeSeconds: number;
  windows: number;
  notes: string[];
}

/** Transcribes the bytes of a WAV file, as `npm run transcribe` does. */
export async function transcribeWav(url: string, info: PublishedAsrInfo, bytes: Uint8Array, name: string): Promise<PageTranscription> {
  const model = await loadModel(url, info);
  const started = performance.now();
  const wav = decodeWav(bytes, { source: name });
  const audio = prepareAudio(wav, info.features.sampleRate, { source: name });
  if (audio.samples.length === 0) throw new Error(`${name}: the data chunk holds no samples`);
  const result = transcribeSamples(model, info, audio.samples);
  const computeSeconds = (performance.now() - started) / 1000;
  const notes: string[] = [];
  if (audio.channels > 1) notes.push(`${audio.channels} channels mixed to mono`);
  if (audio.resampled) notes.push(`resampled from ${audio.originalSampleRate} to ${audio.sampleRate} Hz`);
  if (result.windows.length > 1)
    notes.push(
      `longer than the model's ${((info.features.frames * info.features.logMel.hopLength) / info.features.sampleRate).toFixed(2)} s: transcribed in ${result.windows.length} consecutive windows and joined`,
    );
  if (result.droppedSeconds > 0) notes.push(`the last ${result.droppedSeconds.toFixed(2)} s were too short to transcribe`);
  if (result.trimmedSeconds > 0) notes.push(`the last ${result.trimmedSeconds.toFixed(2)} s of silence were left out`);
  notes.push(...result.warnings);
  return { text: result.text, seconds: result.seconds, computeSeconds, windows: result.windows.length, notes };
}
