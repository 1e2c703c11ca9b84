import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeIdxFile, encodeIdx, gzipIdx, parseIdx } from '../../../src/lib/data/idx.ts';
import { expectDataFileError } from './expect-data-error.ts';

const images = { shape: [2, 3, 2], data: Uint8Array.from({ length: 12 }, (_, i) => i * 20) };

describe('IDX', () => {
  it('writes the MNIST header: 0x00000803 then big-endian sizes', () => {
    const bytes = encodeIdx(images);
    expect(Array.from(bytes.subarray(0, 16))).toEqual([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 2]);
    expect(bytes.length).toBe(16 + 12);
  });

  it('round-trips, gzipped or not', () => {
    expect(parseIdx(encodeIdx(images))).toEqual(images);
    expect(decodeIdxFile(gzipIdx(images), 'a.gz')).toEqual(images);
    expect(decodeIdxFile(encodeIdx(images), 'a')).toEqual(images);
  });

  it('gzipIdx is reproducible (no timestamp in the header)', () => {
    expect(gzipIdx(images)).toEqual(gzipIdx(images));
  });

  it('rejects a wrong magic number, naming it', () => {
    const bytes = encodeIdx(images);
    bytes[0] = 0x1a;
    expectDataFileError(() => parseIdx(bytes, 'x-idx3-ubyte'), 'x-idx3-ubyte', /wrong IDX magic number 0x1a000803/);
    const floats = encodeIdx(images);
    floats[2] = 0x0d;
    expectDataFileError(() => parseIdx(floats, 'x-idx3-ubyte'), 'x-idx3-ubyte', /0x00000d03 declares float data; only unsigned bytes/);
  });

  it('rejects truncated and overlong data with the sizes', () => {
    const bytes = encodeIdx(images);
    expectDataFileError(() => parseIdx(bytes.subarray(0, bytes.length - 1), 'x'), 'x', /truncated: shape \[2, 3, 2\] needs 12 bytes, found 11/);
    expectDataFileError(() => parseIdx(bytes.subarray(0, 10), 'x'), 'x', /header of rank 3 is truncated/);
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expectDataFileError(() => parseIdx(longer, 'x'), 'x', /too long/);
  });

  it('rejects a truncated or corrupted gzip (CRC checked)', () => {
    const gz = new Uint8Array(gzipSync(encodeIdx({ shape: [400], data: Uint8Array.from({ length: 400 }, (_, i) => (i * 7) % 251) })));
    expectDataFileError(() => decodeIdxFile(gz.subarray(0, gz.length - 12), 'x.gz'), 'x.gz', /gzip data is truncated or corrupt/);
    const flipped = gz.slice();
    flipped[gz.length - 6] ^= 1; // inside the CRC32 trailer
    expectDataFileError(() => decodeIdxFile(flipped, 'x.gz'), 'x.gz', /gzip data is truncated or corrupt/);
  });
});
