/**
 * decodeWav, the permissive reader behind `npm run transcribe`: every supported encoding and channel count round
 * trips through encodeWav, 24-bit values are sign-extended, channels mix down to their mean, and every other
 * layout is refused with the file's name.
 */
import { describe, expect, it } from 'vitest';
import { decodeWav, encodeWav, mixToMono, parseWav, readAnyWav } from '../../../src/lib/audio/wav.ts';
import type { WavEncoding } from '../../../src/lib/audio/wav.ts';

describe('decodeWav', () => {
  const left = Float32Array.from([0, 0.5, -0.5, 0.25, -1, 0.999]);
  const right = Float32Array.from([0.125, -0.125, 0, 0.75, 0.5, -0.25]);

  for (const [encoding, bits] of [
    ['pcm16', 16],
    ['pcm24', 24],
    ['pcm32', 32],
    ['float32', 32],
  ] as [WavEncoding, number][]) {
    it(`round-trips stereo ${encoding} (integers / 2^${bits - 1})`, () => {
      const wav = decodeWav(encodeWav([left, right], 16000, encoding), { source: 'x.wav' });
      expect(wav.encoding).toBe(encoding);
      expect(wav.sampleRate).toBe(16000);
      expect(wav.channels).toHaveLength(2);
      const step = encoding === 'float32' ? 0 : 2 ** -(bits - 1);
      for (const [index, channel] of [left, right].entries()) {
        expect(wav.channels[index]).toBeInstanceOf(Float32Array);
        channel.forEach((value, i) => expect(Math.abs(wav.channels[index][i] - value)).toBeLessThanOrEqual(step));
      }
    });
  }

  it('sign-extends 24-bit samples', () => {
    const bytes = encodeWav([new Float32Array(2)], 48000, 'pcm24');
    bytes.set([0xff, 0xff, 0xff, 0x00, 0x00, 0x80], 44); // -1 and -2^23
    expect(Array.from(decodeWav(bytes).channels[0])).toEqual([-1 / 2 ** 23, -1]);
  });

  it('reads what parseWav reads, identically, for the project’s own 16-bit files', () => {
    const bytes = encodeWav([left], 22050, 'pcm16');
    expect(decodeWav(bytes).channels[0]).toEqual(parseWav(bytes, { expectedSampleRate: 22050 }).samples);
  });

  it('refuses other depths, inconsistent layouts and empty files, naming the file', () => {
    const withFields = (bits: number, blockAlign: number, tag = 1) => {
      const bytes = encodeWav([new Float32Array(4)], 22050, 'pcm16');
      const view = new DataView(bytes.buffer);
      view.setUint16(20, tag, true);
      view.setUint16(32, blockAlign, true);
      view.setUint16(34, bits, true);
      return bytes;
    };
    expect(() => decodeWav(withFields(8, 1), { source: 'u8.wav' })).toThrow(
      /^u8\.wav: 8-bit PCM is not supported; 16-, 24- or 32-bit PCM and 32-bit float are$/,
    );
    expect(() => decodeWav(withFields(64, 8, 3), { source: 'f64.wav' })).toThrow(/^f64\.wav: 64-bit float is not supported/);
    expect(() => decodeWav(withFields(16, 2, 6), { source: 'alaw.wav' })).toThrow(/^alaw\.wav: format tag 6 \(16 bits\) is not supported/);
    expect(() => decodeWav(withFields(16, 4), { source: 'align.wav' })).toThrow(/^align\.wav: block align 4 does not match 1 channels of 16 bits/);
    const odd = encodeWav([new Float32Array(3), new Float32Array(3)], 22050, 'pcm16').subarray(0, 44 + 10);
    new DataView(odd.buffer, odd.byteOffset).setUint32(40, 10, true);
    expect(() => decodeWav(odd, { source: 'odd.wav' })).toThrow(/^odd\.wav: data chunk of 10 bytes is not a whole number of 2-channel 16-bit frames/);
    expect(() => decodeWav(new Uint8Array(0), { source: 'empty.wav' })).toThrow(/^empty\.wav: the file is empty$/);
  });

  it('names a file it cannot read', async () => {
    await expect(readAnyWav('/nonexistent/clip.wav')).rejects.toThrow(/^\/nonexistent\/clip\.wav: cannot read \(no such file\)$/);
  });
});

describe('mixToMono', () => {
  it('averages the channels sample by sample and passes mono through', () => {
    const mono = mixToMono([Float32Array.from([1, 0.5, -1]), Float32Array.from([0, 0.5, 0]), Float32Array.from([0.5, -1, 1])]);
    expect(Array.from(mono)).toEqual([0.5, 0, 0]);
    const one = Float32Array.from([0.1]);
    expect(mixToMono([one])).toBe(one);
    expect(() => mixToMono([new Float32Array(2), new Float32Array(3)])).toThrow(/differ in length/);
  });
});
