/**
 * Band-limited resampling by windowed-sinc interpolation, restating torchaudio 0.13's
 * `torchaudio.functional.resample(waveform, orig_freq, new_freq)` with its defaults (lowpass_filter_width 6,
 * rolloff 0.99, Hann-windowed sinc): the resampler a user of the homework's PyTorch stack would reach for, so a
 * clip resampled here gives the features it would give there (test/fixtures/resample/ pins it to torchaudio).
 *
 * Both rates are divided by their gcd (orig, next). Output sample j lies at input time j * orig / next; it is
 *   y[j] = sum_n x[n] * k(t),  t = base * (n / orig - j / next),  base = min(orig, next) * rolloff,
 *   k(t) = sinc(t) * cos^2(pi t / (2 * width)) * base / orig  for |t| < width, else 0,
 * with x zero outside the clip, and ceil(length * next / orig) outputs. torchaudio computes the same sum as a
 * strided conv1d with one kernel per output phase (j mod next); here the kernels are cached per phase when there
 * are few phases (every common rate pair: 44,100 -> 22,050 has 1, 16,000 -> 22,050 has 441) and computed per
 * sample otherwise (co-prime rates such as 22,051 -> 22,050), so memory stays small for any pair of rates.
 *
 * Written here rather than taken from npm: the registry's resamplers are WebAssembly builds (which the site's CSP
 * would have to allow) or unmaintained pure-JS ones that are not band-limited this way. Everything is float64;
 * the result is float32.
 */

export interface ResampleOptions {
  lowpassFilterWidth?: number; // zero crossings of the sinc on each side (torchaudio default 6)
  rolloff?: number; // cutoff as a fraction of the lower Nyquist frequency (torchaudio default 0.99)
}

/** Phases up to this many get a cached kernel each; beyond it kernels are computed per output sample. */
const MAX_CACHED_PHASES = 4096;

interface PhaseKernel {
  /** Offset of the first tap from the block start `block * orig`. */
  first: number;
  weights: Float64Array;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export function resample(samples: Float32Array, fromRate: number, toRate: number, options: ResampleOptions = {}): Float32Array {
  const lowpassFilterWidth = options.lowpassFilterWidth ?? 6;
  const rolloff = options.rolloff ?? 0.99;
  for (const [name, rate] of [
    ['fromRate', fromRate],
    ['toRate', toRate],
  ] as const) {
    if (!Number.isSafeInteger(rate) || rate < 1) throw new Error(`resample: ${name} must be a positive integer number of Hz, got ${rate}`);
  }
  if (!(lowpassFilterWidth > 0)) throw new Error(`resample: lowpassFilterWidth must be positive, got ${lowpassFilterWidth}`);
  if (!(rolloff > 0 && rolloff <= 1)) throw new Error(`resample: rolloff must be in (0, 1], got ${rolloff}`);
  if (fromRate === toRate) return Float32Array.from(samples);

  const divisor = gcd(fromRate, toRate);
  const orig = fromRate / divisor;
  const next = toRate / divisor;
  const base = Math.min(orig, next) * rolloff;
  // torchaudio's kernel spans [-width, width + orig) around each block; taps beyond |t| = lowpassFilterWidth
  // carry cos^2(pi/2) ~ 1e-33 of weight there, so leaving them out changes nothing measurable.
  const width = Math.ceil((lowpassFilterWidth * orig) / base);
  const scale = base / orig;

  function kernel(phase: number): PhaseKernel {
    const centre = (orig * phase) / next; // input offset of output sample (block, phase) from the block start
    const reach = (lowpassFilterWidth * orig) / base;
    const first = Math.max(-width, Math.ceil(centre - reach));
    const last = Math.min(width + orig - 1, Math.floor(centre + reach));
    const weights = new Float64Array(Math.max(0, last - first + 1));
    for (let m = first; m <= last; m++) {
      // The same expression as torchaudio's, in the same order: t = (m / orig - phase / next) * base.
      let t = (-phase / next + m / orig) * base;
      t = Math.max(-lowpassFilterWidth, Math.min(lowpassFilterWidth, t));
      const window = Math.cos((t * Math.PI) / lowpassFilterWidth / 2) ** 2;
      const angle = t * Math.PI;
      weights[m - first] = (angle === 0 ? 1 : Math.sin(angle) / angle) * window * scale;
    }
    return { first, weights };
  }

  const length = samples.length;
  const outLength = Math.ceil((next * length) / orig);
  const out = new Float32Array(outLength);
  const cache: (PhaseKernel | undefined)[] | null = next <= MAX_CACHED_PHASES ? new Array(next) : null;
  for (let j = 0; j < outLength; j++) {
    const block = Math.floor(j / next);
    const phase = j - block * next;
    let phaseKernel: PhaseKernel;
    if (cache) phaseKernel = cache[phase] ??= kernel(phase);
    else phaseKernel = kernel(phase);
    const { first, weights } = phaseKernel;
    const start = block * orig + first;
    const lo = Math.max(0, -start);
    const hi = Math.min(weights.length, length - start);
    let sum = 0;
    for (let i = lo; i < hi; i++) sum += weights[i] * samples[start + i];
    out[j] = sum;
  }
  return out;
}
