/**
 * Where a clip is silent, so transcription (src/lib/inference/transcribe.ts) never asks a model to read text into
 * silence. The rule is librosa.effects.trim's: a frame is silent when its RMS is more than a fixed number of dB below
 * the loudest frame's. Here:
 *
 * - blocks: consecutive runs of `hop` samples from the first (the log-mel frame step: 160 samples, 7.3 ms at
 *   22,050 Hz), so block k starts where frame k is centred. A last partial block counts its missing samples as
 *   zeros: appending digital silence to a clip changes no block's level.
 * - level: a block's RMS in dB relative to the clip's loudest block. Relative, so the rule does not depend on the
 *   recording's gain.
 * - silent: more than SILENCE_DB below the loudest block. 40 dB because in the LJ Speech recordings the models
 *   learnt from (content/audio/ljspeech/), room tone sits 45-50 dB below the loudest frames while the decaying ends
 *   of words stay within 40 dB; librosa's default of 60 dB is meant for music, whose quiet passages are not silence.
 * - a clip with no sound at all (its loudest block under SOUND_FLOOR) has no loud block.
 */

/** A block more than this many dB below the clip's loudest block is silent (see above). */
export const SILENCE_DB = 40;

/** RMS (full scale 1) below which the loudest block means the clip holds no sound: one 16-bit step, -90 dBFS. */
export const SOUND_FLOOR = 1 / 32768;

export interface Loudness {
  /** Samples per block. */
  hop: number;
  /** Per block: 1 when it is not silent. */
  loud: Uint8Array;
  /** RMS of the loudest block, full scale 1. */
  peakRms: number;
}

/** The loud and silent blocks of a clip (see the header). */
export function measureLoudness(samples: Float32Array, hop: number): Loudness {
  const blocks = Math.ceil(samples.length / hop);
  const meanSquares = new Float64Array(blocks);
  for (let block = 0; block < blocks; block++) {
    let sum = 0;
    for (let i = block * hop; i < Math.min(samples.length, (block + 1) * hop); i++) sum += samples[i] * samples[i];
    meanSquares[block] = sum / hop;
  }
  const peak = meanSquares.reduce((max, value) => Math.max(max, value), 0);
  const peakRms = Math.sqrt(peak);
  // In power, SILENCE_DB below the peak is a factor of 10^(-SILENCE_DB / 10).
  const threshold = peak * 10 ** (-SILENCE_DB / 10);
  const loud = new Uint8Array(blocks);
  if (peakRms >= SOUND_FLOOR) for (let block = 0; block < blocks; block++) loud[block] = meanSquares[block] >= threshold ? 1 : 0;
  return { hop, loud, peakRms };
}

/** Whether any of blocks [first, end) is loud. */
export function loudBetween(loudness: Loudness, first: number, end: number): boolean {
  for (let block = Math.max(0, first); block < Math.min(end, loudness.loud.length); block++) if (loudness.loud[block]) return true;
  return false;
}

/**
 * How many of a clip's `length` samples to keep so that at most `keep` samples of trailing silence remain: the end
 * of the last loud block plus `keep`, or the whole clip when its trailing silence is no longer. The cut depends only
 * on the samples up to it, so a clip and the same clip with more silence appended are cut at the same sample.
 */
export function trailingSilenceCut(loudness: Loudness, length: number, keep: number): number {
  let last = loudness.loud.length - 1;
  while (last >= 0 && !loudness.loud[last]) last--;
  return Math.min(length, (last + 1) * loudness.hop + keep);
}
