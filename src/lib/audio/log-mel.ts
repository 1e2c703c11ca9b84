/**
 * The homework's log-mel features, equal to torchaudio 0.13's
 *   Spectrogram(n_fft=400, hop_length=160, power=2, center=True, pad_mode='reflect', periodic Hann window)
 *   -> MelScale(n_mels=80, n_stft=201, norm='slaney', mel_scale='slaney')  (sample_rate left at its 16 kHz default)
 *   -> log10(clamp(x, 1e-10)) -> max(x, max(x) - 8) -> (x + 4) / 4
 * then right-padded with zeros or cropped to a fixed frame count.
 *
 * The mel filters keep torchaudio's default 16 kHz although the audio is 22,050 Hz: the homework built
 * MelScale without a sample rate, so its filters span 0-8 kHz of "frequency" over bins that really reach
 * 11,025 Hz. Reproducing the homework means reproducing that.
 *
 * n_fft = 400 is not a power of two, and fft.js only does powers of two, so the 400-point DFT is computed with
 * Bluestein's chirp-z algorithm on 1024-point fft.js transforms; two real frames share one complex transform.
 * Everything runs in float64; the result is float32.
 */
import FFT from 'fft.js';

export interface LogMelConfig {
  nFft: number; // samples per STFT frame
  hopLength: number; // samples between frame starts
  nMels: number; // mel filters
  melSampleRate: number; // Hz the mel filters are laid out for (torchaudio's default 16000, as in the homework)
  fMin: number; // Hz, lowest filter edge
  fMax: number | null; // Hz, highest filter edge; null = melSampleRate / 2
  frames: number | null; // output frames: pad with zeros / crop to this; null = the clip's own length
}

export const defaultLogMelConfig: LogMelConfig = {
  nFft: 400,
  hopLength: 160,
  nMels: 80,
  melSampleRate: 16000,
  fMin: 0,
  fMax: null,
  frames: null,
};

export interface LogMelExtractor {
  readonly config: LogMelConfig;
  /** Frames of a clip before padding/cropping: floor(samples / hop) + 1 (centred frames). */
  naturalFrames(sampleCount: number): number;
  /** [nMels, frames] row-major; frames = config.frames, or the natural count when that is null. */
  compute(samples: ArrayLike<number>): Float32Array;
}

/** Sparse mel filter: weights for the consecutive frequency bins start..start+weights.length-1. */
interface MelRow {
  start: number;
  weights: Float64Array;
}

const SLANEY_F_SP = 200 / 3;
const SLANEY_MIN_LOG_HZ = 1000;
const SLANEY_MIN_LOG_MEL = SLANEY_MIN_LOG_HZ / SLANEY_F_SP;
const SLANEY_LOG_STEP = Math.log(6.4) / 27;

function hzToMelSlaney(hz: number): number {
  return hz >= SLANEY_MIN_LOG_HZ ? SLANEY_MIN_LOG_MEL + Math.log(hz / SLANEY_MIN_LOG_HZ) / SLANEY_LOG_STEP : hz / SLANEY_F_SP;
}

function melToHzSlaney(mel: number): number {
  return mel >= SLANEY_MIN_LOG_MEL ? SLANEY_MIN_LOG_HZ * Math.exp(SLANEY_LOG_STEP * (mel - SLANEY_MIN_LOG_MEL)) : SLANEY_F_SP * mel;
}

/**
 * torchaudio.functional.melscale_fbanks(n_freqs, f_min, f_max, n_mels, sample_rate, norm='slaney',
 * mel_scale='slaney') as a dense [nFreqs, nMels] matrix.
 */
export function melFilterbank(config: Pick<LogMelConfig, 'nFft' | 'nMels' | 'melSampleRate' | 'fMin' | 'fMax'>): Float64Array {
  const nFreqs = Math.floor(config.nFft / 2) + 1;
  const { nMels, fMin } = config;
  const fMax = config.fMax ?? config.melSampleRate / 2;
  const nyquist = Math.floor(config.melSampleRate / 2);
  const allFreqs = linspace(0, nyquist, nFreqs);
  const melPoints = linspace(hzToMelSlaney(fMin), hzToMelSlaney(fMax), nMels + 2);
  const fPoints = melPoints.map(melToHzSlaney);
  const bank = new Float64Array(nFreqs * nMels);
  for (let m = 0; m < nMels; m++) {
    const lower = fPoints[m];
    const centre = fPoints[m + 1];
    const upper = fPoints[m + 2];
    const norm = 2 / (upper - lower); // slaney: equal area per filter
    for (let f = 0; f < nFreqs; f++) {
      const down = (allFreqs[f] - lower) / (centre - lower);
      const up = (upper - allFreqs[f]) / (upper - centre);
      bank[f * nMels + m] = Math.max(0, Math.min(down, up)) * norm;
    }
  }
  return bank;
}

function linspace(start: number, end: number, count: number): Float64Array {
  const out = new Float64Array(count);
  const step = count > 1 ? (end - start) / (count - 1) : 0;
  for (let i = 0; i < count; i++) out[i] = start + step * i;
  if (count > 1) out[count - 1] = end;
  return out;
}

function sparseRows(bank: Float64Array, nFreqs: number, nMels: number): MelRow[] {
  const rows: MelRow[] = [];
  for (let m = 0; m < nMels; m++) {
    let first = -1;
    let last = -1;
    for (let f = 0; f < nFreqs; f++) {
      if (bank[f * nMels + m] !== 0) {
        if (first < 0) first = f;
        last = f;
      }
    }
    const weights = first < 0 ? new Float64Array(0) : new Float64Array(last - first + 1);
    for (let i = 0; i < weights.length; i++) weights[i] = bank[(first + i) * nMels + m];
    rows.push({ start: Math.max(first, 0), weights });
  }
  return rows;
}

/**
 * Power spectra of windowed real frames of length n via Bluestein: X[k] = w[k] * sum_j (x[j] w[j]) conj(w[k-j])
 * with w[j] = exp(-i pi j^2 / n), the sum being a circular convolution done with power-of-two FFTs.
 */
class PairedPowerSpectrum {
  readonly #n: number;
  readonly #fft: FFT;
  readonly #chirpRe: Float64Array;
  readonly #chirpIm: Float64Array;
  /** The analysis window times the chirp, applied to the input in one pass. */
  readonly #windowedChirpRe: Float64Array;
  readonly #windowedChirpIm: Float64Array;
  /** FFT of the conjugate chirp, already divided by the transform size (the inverse FFT's scale). */
  readonly #kernel: Float64Array;
  /** Only its first 2n entries are ever written, so the zero padding stays zero. */
  readonly #input: Float64Array;
  readonly #product: Float64Array;
  readonly #spectrum: Float64Array;
  readonly #conv: Float64Array;

  constructor(window: Float64Array) {
    const n = window.length;
    this.#n = n;
    let size = 1;
    while (size < 2 * n - 1) size <<= 1;
    this.#fft = new FFT(size);
    this.#chirpRe = new Float64Array(n);
    this.#chirpIm = new Float64Array(n);
    this.#windowedChirpRe = new Float64Array(n);
    this.#windowedChirpIm = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      // j^2 mod 2n keeps the angle small, so cos/sin stay accurate for large j.
      const angle = (Math.PI * ((j * j) % (2 * n))) / n;
      this.#chirpRe[j] = Math.cos(angle);
      this.#chirpIm[j] = -Math.sin(angle);
      this.#windowedChirpRe[j] = window[j] * this.#chirpRe[j];
      this.#windowedChirpIm[j] = window[j] * this.#chirpIm[j];
    }
    const filter = new Float64Array(2 * size);
    for (let j = 0; j < n; j++) {
      filter[2 * j] = this.#chirpRe[j];
      filter[2 * j + 1] = -this.#chirpIm[j];
      if (j > 0) {
        filter[2 * (size - j)] = this.#chirpRe[j];
        filter[2 * (size - j) + 1] = -this.#chirpIm[j];
      }
    }
    this.#kernel = new Float64Array(2 * size);
    this.#fft.transform(this.#kernel, filter);
    for (let i = 0; i < 2 * size; i++) this.#kernel[i] /= size;
    this.#input = new Float64Array(2 * size);
    this.#product = new Float64Array(2 * size);
    this.#spectrum = new Float64Array(2 * size);
    this.#conv = new Float64Array(2 * size);
  }

  /**
   * Writes |X1[k]|^2 and |X2[k]|^2 for k = 0..n/2, where x1 and x2 are the windowed frames of `signal` starting
   * at startA and startB (startB < 0: a frame of zeros).
   */
  compute(signal: Float64Array, startA: number, startB: number, power1: Float64Array, power2: Float64Array): void {
    const n = this.#n;
    const wcRe = this.#windowedChirpRe;
    const wcIm = this.#windowedChirpIm;
    const input = this.#input;
    // Two real frames packed as one complex signal x1 + i x2.
    if (startB >= 0) {
      for (let j = 0; j < n; j++) {
        const re = signal[startA + j];
        const im = signal[startB + j];
        input[2 * j] = re * wcRe[j] - im * wcIm[j];
        input[2 * j + 1] = re * wcIm[j] + im * wcRe[j];
      }
    } else {
      for (let j = 0; j < n; j++) {
        const re = signal[startA + j];
        input[2 * j] = re * wcRe[j];
        input[2 * j + 1] = re * wcIm[j];
      }
    }
    const spectrum = this.#spectrum;
    this.#fft.transform(spectrum, input);
    // Multiply by the kernel and conjugate, so that a forward FFT performs the inverse transform.
    const kernel = this.#kernel;
    const product = this.#product;
    for (let i = 0; i < spectrum.length; i += 2) {
      const re = spectrum[i] * kernel[i] - spectrum[i + 1] * kernel[i + 1];
      const im = spectrum[i] * kernel[i + 1] + spectrum[i + 1] * kernel[i];
      product[i] = re;
      product[i + 1] = -im;
    }
    const conv = this.#conv;
    this.#fft.transform(conv, product);
    const chirpRe = this.#chirpRe;
    const chirpIm = this.#chirpIm;
    const half = Math.floor(n / 2);
    for (let k = 0; k <= half; k++) {
      const mirror = k === 0 ? 0 : n - k;
      // Z[k] = w[k] * conj(conv[k]) (conjugating undoes the trick above).
      const zr = chirpRe[k] * conv[2 * k] + chirpIm[k] * conv[2 * k + 1];
      const zi = chirpIm[k] * conv[2 * k] - chirpRe[k] * conv[2 * k + 1];
      const wr = chirpRe[mirror] * conv[2 * mirror] + chirpIm[mirror] * conv[2 * mirror + 1];
      const wi = chirpIm[mirror] * conv[2 * mirror] - chirpRe[mirror] * conv[2 * mirror + 1];
      // X1 = (Z[k] + conj Z[n-k]) / 2, X2 = (Z[k] - conj Z[n-k]) / 2i.
      power1[k] = ((zr + wr) * (zr + wr) + (zi - wi) * (zi - wi)) / 4;
      power2[k] = ((zi + wi) * (zi + wi) + (zr - wr) * (zr - wr)) / 4;
    }
  }
}

export function createLogMel(overrides: Partial<LogMelConfig> = {}): LogMelExtractor {
  const config: LogMelConfig = { ...defaultLogMelConfig, ...overrides };
  const { nFft, hopLength, nMels, frames } = config;
  for (const [key, value] of Object.entries({ nFft, hopLength, nMels })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`log-mel config: ${key} must be a positive integer, got ${value}`);
  }
  if (frames !== null && (!Number.isInteger(frames) || frames < 1)) throw new Error(`log-mel config: frames must be a positive integer or null, got ${frames}`);
  const nFreqs = Math.floor(nFft / 2) + 1;
  const rows = sparseRows(melFilterbank(config), nFreqs, nMels);
  const window = new Float64Array(nFft);
  // Periodic Hann (torch.hann_window default): the period is nFft, not nFft - 1.
  for (let i = 0; i < nFft; i++) window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nFft);
  const dft = new PairedPowerSpectrum(window);
  const pad = Math.floor(nFft / 2);

  const naturalFrames = (sampleCount: number) => Math.floor(sampleCount / hopLength) + 1;

  function compute(samples: ArrayLike<number>): Float32Array {
    const count = samples.length;
    if (count <= pad) throw new Error(`log-mel: ${count} samples is too short for reflect padding of ${pad} (need more than ${pad})`);
    // Reflect padding (the edge sample is not repeated), as torch.nn.functional.pad(mode='reflect').
    const signal = new Float64Array(count + 2 * pad);
    for (let i = 0; i < signal.length; i++) {
      let j = i - pad;
      if (j < 0) j = -j;
      else if (j >= count) j = 2 * (count - 1) - j;
      signal[i] = samples[j];
    }
    const total = naturalFrames(count);
    const mel = new Float64Array(nMels * total); // [nMels, total]
    const powerA = new Float64Array(nFreqs);
    const powerB = new Float64Array(nFreqs);
    const accumulate = (power: Float64Array, t: number) => {
      for (let m = 0; m < nMels; m++) {
        const row = rows[m];
        const weights = row.weights;
        const start = row.start;
        let sum = 0;
        for (let i = 0; i < weights.length; i++) sum += weights[i] * power[start + i];
        mel[m * total + t] = sum;
      }
    };
    for (let t = 0; t < total; t += 2) {
      const hasB = t + 1 < total;
      dft.compute(signal, t * hopLength, hasB ? (t + 1) * hopLength : -1, powerA, powerB);
      accumulate(powerA, t);
      if (hasB) accumulate(powerB, t + 1);
    }

    let max = -Infinity;
    for (let i = 0; i < mel.length; i++) {
      const value = Math.log10(Math.max(mel[i], 1e-10));
      mel[i] = value;
      if (value > max) max = value;
    }
    const floor = max - 8;
    const outFrames = frames ?? total;
    const out = new Float32Array(nMels * outFrames); // [nMels, outFrames], zero beyond the clip
    const kept = Math.min(total, outFrames);
    for (let m = 0; m < nMels; m++) {
      for (let t = 0; t < kept; t++) out[m * outFrames + t] = (Math.max(mel[m * total + t], floor) + 4) / 4;
    }
    return out;
  }

  return { config, naturalFrames, compute };
}

/** Right-pads with zeros or crops [nMels, frames] features to `targetFrames`. */
export function fitFrames(features: Float32Array, nMels: number, targetFrames: number): Float32Array {
  const frames = features.length / nMels;
  if (!Number.isInteger(frames)) throw new Error(`fitFrames: ${features.length} values is not a multiple of ${nMels} mels`);
  if (frames === targetFrames) return features;
  const out = new Float32Array(nMels * targetFrames); // [nMels, targetFrames]
  const kept = Math.min(frames, targetFrames);
  for (let m = 0; m < nMels; m++) out.set(features.subarray(m * frames, m * frames + kept), m * targetFrames);
  return out;
}
