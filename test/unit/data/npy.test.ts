import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { encodeNpy, parseNpy } from '../../../src/lib/data/npy.ts';
import { encodeNpz, parseNpz } from '../../../src/lib/data/npz.ts';
import { expectDataFileError } from './expect-data-error.ts';

// Written by NumPy 2.4.6 (zip64 local headers, as NumPy always writes them):
// np.savez_compressed('c.npz', train_images=np.arange(18, dtype=np.uint8).reshape(2, 3, 3),
//   train_labels=np.array([[1], [3]], dtype='<i8'), big=np.array([1, -2, 3], dtype='>i4'),
//   halves=np.array([1, 65535], dtype='<u2'), floats=np.array([0.5, -1.25], dtype='<f4'), dbl=np.array([3.5], dtype='>f8'))
const numpyCompressed = Uint8Array.from(
  Buffer.from(
    'UEsDBC0AAAAIAAAAIQDuyWd9//////////8QABQAdHJhaW5faW1hZ2VzLm5weQEAEACSAAAAAAAAAFoAAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgXlNqqK6joJ6WX1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkaRjoKxkCkqaNQq0Ae4GJgZGJmYWVj5+Dk4ubh5eMXEAQAUEsDBC0AAAAIAAAAIQBqaSo0//////////8QABQAdHJhaW5fbGFiZWxzLm5weQEAEACQAAAAAAAAAEwAAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgbpNpoa6joJ6WX1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkaRjoKhpo6CrUKZAMuRgYIYIbSAFBLAwQtAAAACAAAACEAVMTVM///////////BwAUAGJpZy5ucHkBABAAjAAAAAAAAABPAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6XaaKuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GsY6mjoKtQoUAC4GBgbG/////wPSzABQSwMELQAAAAgAAAAhAPP9LRH//////////woAFABoYWx2ZXMubnB5AQAQAIQAAAAAAAAASAAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBuU2qkrqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RpGOpo6CrUKFAAuRob//wFQSwMELQAAAAgAAAAhACaNHnr//////////woAFABmbG9hdHMubnB5AQAQAIgAAAAAAAAATAAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBuk2airqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RpGOpo6CrUKFAAuBgYGewaGBfsBUEsDBC0AAAAIAAAAIQAgbxMd//////////8HABQAZGJsLm5weQEAEACIAAAAAAAAAEkAAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgbpdmoa6joJ6WX1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkahjqaOgq1ChQALgceBjAAAFBLAQItAy0AAAAIAAAAIQDuyWd9WgAAAJIAAAAQAAAAAAAAAAAAAACAAQAAAAB0cmFpbl9pbWFnZXMubnB5UEsBAi0DLQAAAAgAAAAhAGppKjRMAAAAkAAAABAAAAAAAAAAAAAAAIABnAAAAHRyYWluX2xhYmVscy5ucHlQSwECLQMtAAAACAAAACEAVMTVM08AAACMAAAABwAAAAAAAAAAAAAAgAEqAQAAYmlnLm5weVBLAQItAy0AAAAIAAAAIQDz/S0RSAAAAIQAAAAKAAAAAAAAAAAAAACAAbIBAABoYWx2ZXMubnB5UEsBAi0DLQAAAAgAAAAhACaNHnpMAAAAiAAAAAoAAAAAAAAAAAAAAIABNgIAAGZsb2F0cy5ucHlQSwECLQMtAAAACAAAACEAIG8THUkAAACIAAAABwAAAAAAAAAAAAAAgAG+AgAAZGJsLm5weVBLBQYAAAAABgAGAFYBAABAAwAAAAA=',
    'base64',
  ),
);
// np.savez('d.npz', x=np.arange(4, dtype=np.uint8).reshape(2, 2)): stored (uncompressed) members.
const numpyStored = Uint8Array.from(
  Buffer.from(
    'UEsDBC0AAAAAAAAAIQBcIt3W//////////8FABQAeC5ucHkBABAAhAAAAAAAAACEAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJ3x1MScsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgyLCAyKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAAECA1BLAQItAy0AAAAAAAAAIQBcIt3WhAAAAIQAAAAFAAAAAAAAAAAAAACAAQAAAAB4Lm5weVBLBQYAAAAAAQABADMAAAC7AAAAAAA=',
    'base64',
  ),
);
// np.save('f.npy', np.asfortranarray(np.arange(6, dtype=np.uint8).reshape(2, 3)))
const numpyFortran = Uint8Array.from(
  Buffer.from(
    'k05VTVBZAQB2AHsnZGVzY3InOiAnfHUxJywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAwEEAgU=',
    'base64',
  ),
);
// np.save('s.npy', np.zeros(2, dtype=[('a', '<i4'), ('b', '<f4')])): a structured dtype.
const numpyStructured = Uint8Array.from(
  Buffer.from(
    'k05VTVBZAQB2AHsnZGVzY3InOiBbKCdhJywgJzxpNCcpLCAoJ2InLCAnPGY0JyldLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAAAAAAAAAAAA',
    'base64',
  ),
);

describe('parseNpz / parseNpy on files NumPy wrote', () => {
  const arrays = parseNpz(numpyCompressed, 'c.npz');

  it('reads every member with its dtype, shape and values', () => {
    expect([...arrays.keys()].sort()).toEqual(['big', 'dbl', 'floats', 'halves', 'train_images', 'train_labels']);
    const images = arrays.get('train_images')!;
    expect(images.dtype).toBe('uint8');
    expect(images.shape).toEqual([2, 3, 3]);
    expect(Array.from(images.data as Uint8Array)).toEqual(Array.from({ length: 18 }, (_, i) => i));
    const labels = arrays.get('train_labels')!;
    expect(labels.dtype).toBe('int64');
    expect(labels.shape).toEqual([2, 1]);
    expect(Array.from(labels.data as BigInt64Array)).toEqual([1n, 3n]);
    expect(arrays.get('halves')).toMatchObject({ dtype: 'uint16', shape: [2] });
    expect(Array.from(arrays.get('halves')!.data as Uint16Array)).toEqual([1, 65535]);
    expect(arrays.get('floats')).toMatchObject({ dtype: 'float32', shape: [2] });
    expect(Array.from(arrays.get('floats')!.data as Float32Array)).toEqual([0.5, -1.25]);
  });

  it('converts big-endian data', () => {
    expect(arrays.get('big')).toMatchObject({ dtype: 'int32', shape: [3] });
    expect(Array.from(arrays.get('big')!.data as Int32Array)).toEqual([1, -2, 3]);
    expect(arrays.get('dbl')).toMatchObject({ dtype: 'float64', shape: [1] });
    expect(Array.from(arrays.get('dbl')!.data as Float64Array)).toEqual([3.5]);
  });

  it('reads stored (np.savez) members too', () => {
    const stored = parseNpz(numpyStored, 'd.npz').get('x')!;
    expect(stored).toMatchObject({ dtype: 'uint8', shape: [2, 2] });
    expect(Array.from(stored.data as Uint8Array)).toEqual([0, 1, 2, 3]);
  });

  it('encodeNpy writes byte for byte what NumPy writes', () => {
    const members = unzipSync(numpyCompressed);
    for (const name of ['train_images', 'train_labels', 'halves', 'floats']) {
      expect(encodeNpy(arrays.get(name)!), name).toEqual(members[`${name}.npy`]);
    }
  });

  it('round-trips through encodeNpz', () => {
    const again = parseNpz(encodeNpz({ a: arrays.get('train_images')!, b: arrays.get('train_labels')! }), 'again.npz');
    expect(again.get('a')).toEqual(arrays.get('train_images'));
    expect(again.get('b')).toEqual(arrays.get('train_labels'));
  });
});

describe('bad .npy / .npz input', () => {
  const imagesNpy = unzipSync(numpyCompressed)['train_images.npy'];

  it('rejects Fortran order by name rather than transposing silently', () => {
    expectDataFileError(() => parseNpy(numpyFortran, 'f.npy'), 'f.npy', /Fortran order/);
  });

  it('rejects structured dtypes', () => {
    expectDataFileError(() => parseNpy(numpyStructured, 's.npy'), 's.npy', /structured dtypes are not supported/);
  });

  it('rejects a wrong magic string', () => {
    const bad = imagesNpy.slice();
    bad[1] = 0x58;
    expectDataFileError(() => parseNpy(bad, 'x.npy'), 'x.npy', /does not start with \\x93NUMPY/);
  });

  it('rejects truncated data and trailing bytes, with the sizes', () => {
    expectDataFileError(() => parseNpy(imagesNpy.subarray(0, imagesNpy.length - 1), 'x.npy'), 'x.npy', /truncated.*needs 18 bytes, found 17/);
    const longer = new Uint8Array(imagesNpy.length + 2);
    longer.set(imagesNpy);
    expectDataFileError(() => parseNpy(longer, 'x.npy'), 'x.npy', /2 bytes beyond/);
    expectDataFileError(() => parseNpy(imagesNpy.subarray(0, 40), 'x.npy'), 'x.npy', /header .* runs past the end/);
  });

  it('rejects unsupported dtypes by name', () => {
    const text = new TextDecoder('latin1').decode(imagesNpy).replace("'|u1'", "'<c8'");
    const bad = Uint8Array.from(text, (c) => c.charCodeAt(0));
    expectDataFileError(() => parseNpy(bad, 'x.npy'), 'x.npy', /dtype '<c8' is not supported/);
  });

  it('names the member of an .npz whose array is bad', () => {
    const members = unzipSync(numpyCompressed);
    const zipped = encodeNpz({ ok: parseNpy(members['halves.npy']) });
    expect(parseNpz(zipped, 'ok.npz').get('ok')?.shape).toEqual([2]);
    const bad = zipSync({ 'cut.npy': imagesNpy.subarray(0, imagesNpy.length - 3) });
    expectDataFileError(() => parseNpz(bad, 'bad.npz'), 'bad.npz [cut.npy]', /truncated/);
  });

  it('rejects a truncated .npz, naming the file', () => {
    for (const cut of [numpyCompressed.length - 10, 200, 3]) {
      expectDataFileError(() => parseNpz(numpyCompressed.subarray(0, cut), 'c.npz'), 'c.npz', /not a readable \.npz \(zip\) file, truncated or corrupt/);
    }
  });
});
