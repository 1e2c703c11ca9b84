import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { md5Hex } from '../../../src/lib/data/images.ts';
import type { NpyArray } from '../../../src/lib/data/npy.ts';
import { encodeNpz } from '../../../src/lib/data/npz.ts';
import { loadMedmnistNpz, loadOctmnist, OCTMNIST_MD5, OCTMNIST_SPEC, octmnistPath, type MedmnistSpec } from '../../../src/lib/data/octmnist.ts';
import { expectDataFileErrorAsync } from './expect-data-error.ts';

// A MedMNIST-shaped file at a small size: the same layout as octmnist.npz, with 6 / 3 / 2 images.
const small: MedmnistSpec = { ...OCTMNIST_SPEC, id: 'octmnist-small', counts: { train: 6, val: 3, test: 2 }, md5: null };

function medmnistArrays(counts = small.counts): Record<string, NpyArray> {
  const arrays: Record<string, NpyArray> = {};
  for (const [split, count] of Object.entries(counts)) {
    const pixels = Uint8Array.from({ length: count * 784 }, (_, i) => (i * 31 + count) % 256);
    arrays[`${split}_images`] = { dtype: 'uint8', shape: [count, 28, 28], data: pixels };
    arrays[`${split}_labels`] = { dtype: 'uint8', shape: [count, 1], data: Uint8Array.from({ length: count }, (_, i) => i % 4) };
  }
  return arrays;
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'octmnist-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function write(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(scratch, name);
  await writeFile(path, bytes);
  return path;
}

describe('MedMNIST .npz reader', () => {
  it('reads the splits as float32 /255 NHWC with int32 labels and hashes the file', async () => {
    const bytes = encodeNpz(medmnistArrays());
    const path = await write('ok.npz', bytes);
    const data = await loadMedmnistNpz(path, { ...small, md5: md5Hex(bytes) });
    expect(data.id).toBe('octmnist-small');
    expect(data.classNames).toEqual(['choroidal neovascularization', 'diabetic macular edema', 'drusen', 'normal']);
    expect(data.imageShape).toEqual([28, 28, 1]);
    expect([data.train.count, data.val.count, data.test.count]).toEqual([6, 3, 2]);
    expect(data.val.images).toBeInstanceOf(Float32Array);
    expect(data.val.images.length).toBe(3 * 784);
    expect(data.val.images[5]).toBe(Math.fround(((5 * 31 + 3) % 256) / 255));
    expect(Array.from(data.train.labels)).toEqual([0, 1, 2, 3, 0, 1]);
    expect(data.train.labels).toBeInstanceOf(Int32Array);
    expect(data.files).toEqual([path]);
    const { createHash } = await import('node:crypto');
    expect(data.hash).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('accepts wider integer label dtypes (int64)', async () => {
    const arrays = medmnistArrays();
    arrays.test_labels = { dtype: 'int64', shape: [2, 1], data: BigInt64Array.from([3n, 1n]) };
    const data = await loadMedmnistNpz(await write('int64.npz', encodeNpz(arrays)), small);
    expect(Array.from(data.test.labels)).toEqual([3, 1]);
  });
});

describe('corrupt OCTMNIST input: a DataFileError naming the file and the problem', () => {
  it('missing file: says where to put it and where it comes from', async () => {
    const path = join(scratch, 'absent', 'octmnist.npz');
    const error = await expectDataFileErrorAsync(() => loadOctmnist({ path }), path, /missing \(octmnist\)/);
    expect(error.problem).toContain('OCTMNIST_NPZ');
    expect(error.problem).toContain('Zenodo record 6496656');
  });

  it('bad checksum against the MD5 MedMNIST publishes', async () => {
    const path = await write('other.npz', encodeNpz(medmnistArrays()));
    await expectDataFileErrorAsync(() => loadOctmnist({ path }), path, new RegExp(`bad checksum: MD5 [0-9a-f]{32}, MedMNIST publishes ${OCTMNIST_MD5}`));
  });

  it('truncated npz', async () => {
    const bytes = encodeNpz(medmnistArrays());
    const path = await write('truncated.npz', bytes.subarray(0, bytes.length - 100));
    await expectDataFileErrorAsync(() => loadMedmnistNpz(path, small), path, /not a readable \.npz \(zip\) file, truncated or corrupt/);
  });

  it('shape mismatch, including the full OCTMNIST sizes', async () => {
    const path = await write('small.npz', encodeNpz(medmnistArrays()));
    await expectDataFileErrorAsync(
      () => loadMedmnistNpz(path, { ...OCTMNIST_SPEC, md5: null }),
      path,
      /shape mismatch: 'train_images' is \[6, 28, 28\], expected \[97477, 28, 28\]/,
    );
    const arrays = medmnistArrays();
    arrays.val_labels = { dtype: 'uint8', shape: [3], data: Uint8Array.from([0, 1, 2]) };
    const flat = await write('flat-labels.npz', encodeNpz(arrays));
    await expectDataFileErrorAsync(() => loadMedmnistNpz(flat, small), flat, /shape mismatch: 'val_labels' is \[3\], expected \[3, 1\]/);
  });

  it('wrong dtype and missing arrays', async () => {
    const arrays = medmnistArrays();
    arrays.test_images = { dtype: 'float32', shape: [2, 28, 28], data: new Float32Array(2 * 784) };
    const path = await write('float.npz', encodeNpz(arrays));
    await expectDataFileErrorAsync(() => loadMedmnistNpz(path, small), path, /'test_images' has dtype float32, expected uint8/);
    const { val_images: _dropped, ...rest } = medmnistArrays();
    const missing = await write('missing.npz', encodeNpz(rest));
    await expectDataFileErrorAsync(() => loadMedmnistNpz(missing, small), missing, /has no array 'val_images'/);
  });

  it('label out of range', async () => {
    const arrays = medmnistArrays();
    arrays.val_labels = { dtype: 'uint8', shape: [3, 1], data: Uint8Array.from([0, 4, 1]) };
    const path = await write('labels.npz', encodeNpz(arrays));
    await expectDataFileErrorAsync(() => loadMedmnistNpz(path, small), `${path} ['val_labels']`, /label 4 at index 1 is outside the class range 0\.\.3/);
  });
});

describe('where the file is looked for', () => {
  it('option, then OCTMNIST_NPZ, then ~/.medmnist/octmnist.npz', () => {
    const saved = process.env.OCTMNIST_NPZ;
    try {
      process.env.OCTMNIST_NPZ = '/data/o.npz';
      expect(octmnistPath({ path: '/x.npz' })).toBe('/x.npz');
      expect(octmnistPath()).toBe('/data/o.npz');
      delete process.env.OCTMNIST_NPZ;
      expect(octmnistPath()).toMatch(/\.medmnist\/octmnist\.npz$/);
    } finally {
      if (saved === undefined) delete process.env.OCTMNIST_NPZ;
      else process.env.OCTMNIST_NPZ = saved;
    }
  });
});

const real = octmnistPath();
describe.skipIf(!existsSync(real))('the real octmnist.npz (OCTMNIST_NPZ)', () => {
  it('passes the MD5, shape and label checks', async () => {
    const data = await loadOctmnist({ path: real });
    expect([data.train.count, data.val.count, data.test.count]).toEqual([97_477, 10_832, 1_000]);
  });
});
