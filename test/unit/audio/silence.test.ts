/** The silence rule transcription uses: hop-sample blocks, loud when within SILENCE_DB of the clip's loudest block. */
import { describe, expect, it } from 'vitest';
import { loudBetween, measureLoudness, SILENCE_DB, SOUND_FLOOR, trailingSilenceCut } from '../../../src/lib/audio/silence.ts';

const HOP = 160;

/** A sine of RMS `rms` (amplitude rms * sqrt 2) for `blocks` blocks. */
function tone(blocks: number, rms: number): Float32Array {
  return Float32Array.from({ length: blocks * HOP }, (_, i) => rms * Math.SQRT2 * Math.sin((2 * Math.PI * i) / 32));
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

describe('measureLoudness', () => {
  it(`calls a block silent when it is more than ${SILENCE_DB} dB below the loudest, whatever the gain`, () => {
    for (const gain of [1, 0.01]) {
      // 0 dB, -20 dB, -39 dB, -41 dB, -60 dB relative to the first block.
      const levels = [0, -20, -39, -41, -60].map((db) => 0.3 * gain * 10 ** (db / 20));
      const loudness = measureLoudness(concat(...levels.map((rms) => tone(2, rms))), HOP);
      expect(Array.from(loudness.loud)).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
      expect(loudness.peakRms).toBeCloseTo(0.3 * gain, 4);
    }
  });

  it("counts a last partial block's missing samples as zeros, so appended digital silence changes no level", () => {
    const clip = concat(tone(3, 0.2), tone(1, 0.2).subarray(0, 70));
    const padded = concat(clip, new Float32Array(1000));
    const a = measureLoudness(clip, HOP);
    const b = measureLoudness(padded, HOP);
    expect(Array.from(b.loud.subarray(0, a.loud.length))).toEqual(Array.from(a.loud));
    expect(Array.from(b.loud.subarray(a.loud.length)).every((loud) => loud === 0)).toBe(true);
    expect(b.peakRms).toBe(a.peakRms);
  });

  it('finds no loud block in a clip without sound: all zeros, or quieter than one 16-bit step', () => {
    expect(measureLoudness(new Float32Array(800), HOP)).toEqual({ hop: HOP, loud: new Uint8Array(5), peakRms: 0 });
    const hiss = measureLoudness(tone(5, SOUND_FLOOR / 2), HOP);
    expect(hiss.loud.includes(1)).toBe(false);
    expect(measureLoudness(tone(5, SOUND_FLOOR * 2), HOP).loud.every((loud) => loud === 1)).toBe(true);
  });
});

describe('loudBetween', () => {
  it('says whether any block of a range is loud, clipping the range to the clip', () => {
    const loudness = measureLoudness(concat(new Float32Array(3 * HOP), tone(1, 0.1), new Float32Array(2 * HOP)), HOP);
    expect(loudBetween(loudness, 0, 3)).toBe(false);
    expect(loudBetween(loudness, 2, 4)).toBe(true);
    expect(loudBetween(loudness, 4, 100)).toBe(false);
    expect(loudBetween(loudness, -5, 100)).toBe(true);
  });
});

describe('trailingSilenceCut', () => {
  const keep = 2 * HOP;

  it('keeps `keep` samples after the last loud block, or the whole clip when its silent end is no longer', () => {
    const clip = concat(tone(4, 0.2), new Float32Array(5 * HOP));
    expect(trailingSilenceCut(measureLoudness(clip, HOP), clip.length, keep)).toBe(4 * HOP + keep);
    const short = concat(tone(4, 0.2), new Float32Array(HOP));
    expect(trailingSilenceCut(measureLoudness(short, HOP), short.length, keep)).toBe(short.length);
  });

  it('cuts a clip and the same clip with more silence appended at the same sample', () => {
    const clip = concat(new Float32Array(HOP), tone(6, 0.2), tone(1, 0.0005), new Float32Array(3 * HOP + 17));
    const cut = trailingSilenceCut(measureLoudness(clip, HOP), clip.length, keep);
    expect(cut).toBe(7 * HOP + keep);
    for (const extra of [1, HOP, 10 * HOP + 3]) {
      const padded = concat(clip, new Float32Array(extra));
      expect(trailingSilenceCut(measureLoudness(padded, HOP), padded.length, keep)).toBe(cut);
    }
  });
});
