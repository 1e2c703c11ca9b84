import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWavFloat32, encodeWavPcm16, parseWav, readWav } from '../../../src/lib/audio/wav.ts';

/** A hand-built WAV with arbitrary fmt fields, to produce the malformed files the reader must refuse. */
function customWav(fields: {
  tag?: number;
  channels?: number;
  rate?: number;
  bits?: number;
  dataBytes?: number;
  actualBytes?: number;
  extraChunk?: Uint8Array;
}): Uint8Array {
  const { tag = 1, channels = 1, rate = 22050, bits = 16, dataBytes = 8, actualBytes = dataBytes, extraChunk } = fields;
  const extra = extraChunk ?? new Uint8Array(0);
  const bytes = new Uint8Array(44 + extra.length + actualBytes);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string) => [...text].forEach((c, i) => (bytes[offset + i] = c.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, bytes.length - 8, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, tag, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, (rate * channels * bits) / 8, true);
  view.setUint16(32, (channels * bits) / 8, true);
  view.setUint16(34, bits, true);
  bytes.set(extra, 36);
  ascii(36 + extra.length, 'data');
  view.setUint32(40 + extra.length, dataBytes, true);
  return bytes;
}

describe('WAV reader', () => {
  it('round-trips 16-bit PCM as value / 32768', () => {
    const pcm = Int16Array.from([0, 1, -1, 32767, -32768, 12345]);
    const audio = parseWav(encodeWavPcm16(pcm, 22050), { expectedSampleRate: 22050 });
    expect(audio.encoding).toBe('pcm16');
    expect(audio.sampleRate).toBe(22050);
    expect(Array.from(audio.samples)).toEqual(Array.from(pcm, (v) => v / 32768));
  });

  it('round-trips 32-bit float exactly', () => {
    const samples = Float32Array.from([0, 0.5, -0.25, 0.999, -1, 1e-7]);
    const audio = parseWav(encodeWavFloat32(samples, 16000), { expectedSampleRate: 16000 });
    expect(audio.encoding).toBe('float32');
    expect(audio.samples).toEqual(samples);
  });

  it('skips unknown chunks, including an odd-sized one with its pad byte', () => {
    // A 3-byte LIST chunk plus its pad byte, between fmt and data.
    const list = Uint8Array.from([0x4c, 0x49, 0x53, 0x54, 3, 0, 0, 0, 7, 8, 9, 0]);
    const bytes = customWav({ dataBytes: 4, extraChunk: list });
    new DataView(bytes.buffer).setInt16(44 + list.length, -16384, true);
    expect(Array.from(parseWav(bytes).samples)).toEqual([-0.5, 0]);
  });

  it('rejects a bad RIFF header, naming the source', () => {
    const bytes = encodeWavPcm16(new Int16Array(4), 22050);
    bytes[0] = 'X'.charCodeAt(0);
    expect(() => parseWav(bytes, { source: 'clip.wav' })).toThrow(/^clip\.wav: not a RIFF\/WAVE file/);
    expect(() => parseWav(new Uint8Array(5), { source: 'tiny.wav' })).toThrow(/tiny\.wav: 5 bytes is too short/);
  });

  it('rejects stereo, other encodings and an unexpected sample rate', () => {
    expect(() => parseWav(customWav({ channels: 2 }), { source: 'stereo.wav' })).toThrow(/stereo\.wav: 2 channels; only mono/);
    expect(() => parseWav(customWav({ bits: 8 }), { source: 'u8.wav' })).toThrow(/u8\.wav: format tag 1 with 8 bits/);
    expect(() => parseWav(customWav({ tag: 3, bits: 64 }), { source: 'f64.wav' })).toThrow(/format tag 3 with 64 bits/);
    expect(() => parseWav(customWav({ rate: 44100 }), { source: 'cd.wav', expectedSampleRate: 22050 })).toThrow(
      /cd\.wav: sample rate 44100 Hz, expected 22050 Hz/,
    );
  });

  it('rejects truncated data and missing chunks', () => {
    expect(() => parseWav(customWav({ dataBytes: 100, actualBytes: 10 }), { source: 'cut.wav' })).toThrow(
      /cut\.wav: data chunk declares 100 bytes but only 10 remain/,
    );
    expect(() => parseWav(customWav({ dataBytes: 3 }), { source: 'odd.wav' })).toThrow(/not a whole number of 16-bit samples/);
    const noData = encodeWavPcm16(new Int16Array(2), 22050).subarray(0, 36);
    expect(() => parseWav(noData, { source: 'nodata.wav' })).toThrow(/nodata\.wav: no data chunk/);
  });

  describe('from disk', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'wav-test-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('names the file when it is missing or malformed', async () => {
      await expect(readWav(join(dir, 'absent.wav'))).rejects.toThrow(/absent\.wav: cannot read \(ENOENT\)/);
      const path = join(dir, 'rate.wav');
      await writeFile(path, encodeWavPcm16(new Int16Array(10), 16000));
      await expect(readWav(path, { expectedSampleRate: 22050 })).rejects.toThrow(`${path}: sample rate 16000 Hz, expected 22050 Hz`);
      expect((await readWav(path)).samples.length).toBe(10);
    });
  });
});
