/**
 * espeak-ng inside Node (the @echogarden/espeak-ng-emscripten WebAssembly build), made deterministic.
 *
 * Out of the box the same text with the same settings does not give the same samples twice:
 * - espeak_ng_Initialize seeds rand() from time(NULL), and rand() drives the breath noise of voices such as
 *   `+f3` or `+whisper`;
 * - synthesis leaves state behind in the module's memory, so a clip depends on the clips spoken before it.
 * So the clock is pinned while the engine initialises, and the module's linear memory is snapshotted once the
 * engine is ready and restored before every clip: each clip then comes out of the same starting state, and its
 * bytes depend only on (text, voice, rate, pitch). A unit test checks this against a freshly created module.
 *
 * One more piece of state lives on the JavaScript side: the WebIDL glue copies string arguments into a buffer
 * it mallocs lazily and grows on demand. Growing it after the snapshot would desynchronise it from the restored
 * heap, so it is grown once before the snapshot (a long dummy text) and texts are limited to fit in it.
 */
import createModule from '@echogarden/espeak-ng-emscripten';
import type { ESpeakNGModule, ESpeakNGWorker } from '@echogarden/espeak-ng-emscripten';

export interface VoiceSettings {
  /** espeak-ng voice, optionally with a variant: `en-us`, `en-us+f3`, `en-us+m2`. */
  voice: string;
  /** Words per minute (espeak-ng default 175; it accepts 80-450). */
  rate: number;
  /** Base pitch 0-99 (default 50). */
  pitch: number;
}

export interface Synthesizer {
  readonly sampleRate: number;
  /** 16-bit mono samples at `sampleRate`; the same arguments always give the same samples. */
  speak(text: string, settings: VoiceSettings): Int16Array;
}

/** Texts longer than this (UTF-8 bytes) are refused: see the note on the string buffer above. */
const MAX_TEXT_BYTES = 4000;
const STRING_BUFFER_WARMUP = 8192;
/** The instant the engine believes it starts at, so its rand() seed is always the same. */
const PINNED_CLOCK_MS = 0;

function withPinnedClock<T>(run: () => T): T {
  const realNow = Date.now;
  Date.now = () => PINNED_CLOCK_MS;
  try {
    return run();
  } finally {
    Date.now = realNow;
  }
}

export async function createSynthesizer(): Promise<Synthesizer> {
  const module: ESpeakNGModule = await createModule();
  // Synchronous, so nothing else can observe the pinned clock.
  const worker: ESpeakNGWorker = withPinnedClock(() => {
    const created = new module.eSpeakNGWorker();
    created.synthesize(' '.repeat(STRING_BUFFER_WARMUP), () => false);
    if (created.set_voice('en-us') !== 0) throw new Error("espeak-ng: cannot load the voice 'en-us'");
    return created;
  });
  const sampleRate = worker.get_samplerate();
  const snapshot = module.HEAPU8.slice();
  const encoder = new TextEncoder();

  function speak(text: string, settings: VoiceSettings): Int16Array {
    const { voice, rate, pitch } = settings;
    const bytes = encoder.encode(text).length;
    if (bytes > MAX_TEXT_BYTES)
      throw new Error(`espeak-ng: text of ${bytes} UTF-8 bytes is longer than the ${MAX_TEXT_BYTES} allowed: ${JSON.stringify(text.slice(0, 60))}...`);
    if (!Number.isInteger(rate) || rate < 80 || rate > 450) throw new Error(`espeak-ng: rate ${rate} is outside 80-450 words per minute`);
    if (!Number.isInteger(pitch) || pitch < 0 || pitch > 99) throw new Error(`espeak-ng: pitch ${pitch} is outside 0-99`);
    // The memory may have grown since the snapshot: a fresh module would see zeros there.
    const heap = module.HEAPU8;
    heap.set(snapshot);
    if (heap.length > snapshot.length) heap.fill(0, snapshot.length);
    const chunks: Int16Array[] = [];
    withPinnedClock(() => {
      if (worker.set_voice(voice) !== 0) throw new Error(`espeak-ng: unknown voice '${voice}'`);
      worker.set_rate(rate);
      worker.set_pitch(pitch);
      worker.synthesize(text, (samples) => {
        chunks.push(samples);
        return false;
      });
    });
    const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    const out = new Int16Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  return { sampleRate, speak };
}
