import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_FASHION_MNIST_DIR,
  FASHION_MNIST_FIXTURE_DIR,
  FASHION_MNIST_FIXTURE_SPEC,
  idxFileNames,
  loadFashionMnist,
  loadFashionMnistFixture,
  loadIdxImageFolder,
} from '../../../src/lib/data/fashion-mnist.ts';
import { encodeIdx, parseIdx } from '../../../src/lib/data/idx.ts';
import { classCounts, headOfSplits, sha256Hex, type ImageDataset } from '../../../src/lib/data/images.ts';
import { makeFixtureArrays } from '../../../scripts/make-fixture.ts';
import { expectDataFileErrorAsync } from './expect-data-error.ts';

const unchecked = { ...FASHION_MNIST_FIXTURE_SPEC, md5: null };
const fixtureFile = (name: string) => join(FASHION_MNIST_FIXTURE_DIR, `${name}.gz`);

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'fashion-mnist-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A copy of the fixture in a fresh folder, with `name`'s decompressed content replaced by `edit(content)`. */
async function corruptCopy(label: string, name: string, edit: (content: Uint8Array) => Uint8Array, gzip = true): Promise<string> {
  const dir = join(scratch, label);
  await import('node:fs/promises').then((fs) => fs.mkdir(dir));
  for (const other of idxFileNames) {
    if (other !== name) await copyFile(fixtureFile(other), join(dir, `${other}.gz`));
  }
  const content = new Uint8Array(gunzipSync(await readFile(fixtureFile(name))));
  const edited = edit(content.slice());
  await writeFile(join(dir, gzip ? `${name}.gz` : name), gzip ? gzipSync(edited) : edited);
  return dir;
}

describe('the committed Fashion-MNIST fixture', () => {
  let data: ImageDataset;
  beforeAll(async () => {
    data = await loadFashionMnistFixture();
  });

  it('has 3,000 / 600 / 600 images, class-balanced, as float32 NHWC', () => {
    expect(data.id).toBe('fashion-mnist-fixture');
    expect(data.classNames).toHaveLength(10);
    expect(data.imageShape).toEqual([28, 28, 1]);
    for (const [split, count] of [
      ['train', 3000],
      ['val', 600],
      ['test', 600],
    ] as const) {
      expect(data[split].count).toBe(count);
      expect(data[split].images).toBeInstanceOf(Float32Array);
      expect(data[split].images.length).toBe(count * 28 * 28);
      expect(data[split].labels).toBeInstanceOf(Int32Array);
      expect(classCounts(data[split], 10)).toEqual(new Array(10).fill(count / 10));
    }
  });

  it('scales pixels by /255 only (ToTensor)', async () => {
    const raw = parseIdx(new Uint8Array(gunzipSync(await readFile(fixtureFile('train-images-idx3-ubyte')))));
    let max = 0;
    let mismatches = 0;
    for (let i = 0; i < data.train.images.length; i++) {
      if (data.train.images[i] !== Math.fround(raw.data[i] / 255)) mismatches++;
      max = Math.max(max, data.train.images[i]);
    }
    expect(mismatches).toBe(0);
    expect(max).toBe(1);
    // val = the last 600 images of the train file
    const firstVal = 3000 * 784;
    expect(data.val.images[200]).toBe(Math.fround(raw.data[firstVal + 200] / 255));
  });

  it('hashes the decompressed bytes it read', async () => {
    const contents = await Promise.all(idxFileNames.map(async (name) => new Uint8Array(gunzipSync(await readFile(fixtureFile(name))))));
    expect(data.hash).toBe(sha256Hex(contents));
    expect(data.files).toEqual(idxFileNames.map(fixtureFile));
  });

  it('headOfSplits keeps the first images and re-hashes what it keeps', () => {
    const head = headOfSplits(data, { train: 100, test: 50 });
    expect([head.train.count, head.val.count, head.test.count]).toEqual([100, 600, 50]);
    expect(head.id).toBe('fashion-mnist-fixture-head-100-600-50');
    expect(head.train.images[100 * 784 - 1]).toBe(data.train.images[100 * 784 - 1]);
    expect(head.hash).not.toBe(data.hash);
    expect(headOfSplits(data, { train: 100, test: 50 }).hash).toBe(head.hash);
    expect(headOfSplits(data, { train: 101, test: 50 }).hash).not.toBe(head.hash);
    expect(headOfSplits(data, {})).toBe(data);
    expect(() => headOfSplits(data, { val: 601 })).toThrow(/val count 601/);
  });

  it('also reads uncompressed IDX files', async () => {
    const dir = await corruptCopy('uncompressed', 't10k-labels-idx1-ubyte', (content) => content, false);
    const again = await loadFashionMnistFixture(dir);
    expect(again.hash).toBe(data.hash);
    expect(again.files[3]).toBe(join(dir, 't10k-labels-idx1-ubyte'));
  });
});

describe('corrupt Fashion-MNIST input: a DataFileError naming the file and the problem', () => {
  it('missing file: says where the data comes from', async () => {
    // The four files are read concurrently, so whichever is reported first names the missing folder.
    const anyFile = new RegExp(`^${escapeRegExp(join(scratch, 'nowhere'))}/(train|t10k)-(images-idx3|labels-idx1)-ubyte\\.gz$`);
    const error = await expectDataFileErrorAsync(() => loadFashionMnist({ dir: join(scratch, 'nowhere') }), anyFile, /missing \(fashion-mnist\)/);
    expect(error.problem).toContain('apt-get install dataset-fashion-mnist');
    expect(error.problem).toContain('FASHION_MNIST_DIR');
  });

  it('bad checksum', async () => {
    const dir = await corruptCopy('checksum', 'train-images-idx3-ubyte', (content) => {
      content[5000] ^= 0x40;
      return content;
    });
    await expectDataFileErrorAsync(
      () => loadFashionMnistFixture(dir),
      join(dir, 'train-images-idx3-ubyte.gz'),
      /bad checksum: MD5 of the IDX data is [0-9a-f]{32}, expected 56eae7c3/,
    );
  });

  it('truncated gz', async () => {
    const dir = join(scratch, 'truncated');
    await import('node:fs/promises').then((fs) => fs.mkdir(dir));
    for (const name of idxFileNames) await copyFile(fixtureFile(name), join(dir, `${name}.gz`));
    const whole = await readFile(fixtureFile('t10k-images-idx3-ubyte'));
    await writeFile(join(dir, 't10k-images-idx3-ubyte.gz'), whole.subarray(0, whole.length >> 1));
    await expectDataFileErrorAsync(() => loadFashionMnistFixture(dir), join(dir, 't10k-images-idx3-ubyte.gz'), /gzip data is truncated or corrupt/);
  });

  // The checks below sit behind the checksum, so they run with it switched off (as for a folder of other IDX data).
  it('wrong magic number', async () => {
    const dir = await corruptCopy('magic', 't10k-labels-idx1-ubyte', (content) => {
      content[3] = 3;
      return content;
    });
    await expectDataFileErrorAsync(() => loadIdxImageFolder(dir, FASHION_MNIST_FIXTURE_SPEC), join(dir, 't10k-labels-idx1-ubyte.gz'), /bad checksum/);
    await expectDataFileErrorAsync(
      () => loadIdxImageFolder(dir, unchecked),
      join(dir, 't10k-labels-idx1-ubyte.gz'),
      /IDX data is truncated: shape \[600, \d+, \d+\]/,
    );
    const dir2 = await corruptCopy('magic2', 't10k-labels-idx1-ubyte', (content) => {
      content[0] = 0x08;
      return content;
    });
    await expectDataFileErrorAsync(() => loadIdxImageFolder(dir2, unchecked), join(dir2, 't10k-labels-idx1-ubyte.gz'), /wrong IDX magic number 0x08000801/);
  });

  it('shape mismatch', async () => {
    const dir = await corruptCopy('shape', 't10k-labels-idx1-ubyte', (content) => {
      const labels = parseIdx(content);
      return encodeIdx({ shape: [599], data: labels.data.subarray(0, 599) });
    });
    await expectDataFileErrorAsync(
      () => loadIdxImageFolder(dir, unchecked),
      join(dir, 't10k-labels-idx1-ubyte.gz'),
      /shape mismatch: \[599\], expected \[600\]/,
    );
  });

  it('label out of range', async () => {
    const dir = await corruptCopy('labels', 'train-labels-idx1-ubyte', (content) => {
      content[8 + 17] = 10;
      return content;
    });
    await expectDataFileErrorAsync(
      () => loadIdxImageFolder(dir, unchecked),
      join(dir, 'train-labels-idx1-ubyte.gz'),
      /label 10 at index 17 is outside the class range 0\.\.9/,
    );
  });
});

const debian = existsSync(join(DEFAULT_FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'));

describe.skipIf(!debian)("the full Fashion-MNIST from Debian's dataset-fashion-mnist", () => {
  it('loads 50,000 / 10,000 / 10,000 with val = the last 10,000 training images', async () => {
    const full = await loadFashionMnist({ dir: DEFAULT_FASHION_MNIST_DIR });
    expect([full.train.count, full.val.count, full.test.count]).toEqual([50_000, 10_000, 10_000]);
    expect(classCounts(full.test, 10)).toEqual(new Array(10).fill(1000));
    const raw = parseIdx(new Uint8Array(gunzipSync(await readFile(join(DEFAULT_FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz')))));
    const at = 50_000 * 784 + 400;
    expect(full.val.images[400]).toBe(Math.fround(raw.data[at] / 255));
  });

  it('scripts/make-fixture.ts regenerates exactly the committed fixture', async () => {
    const arrays = await makeFixtureArrays(DEFAULT_FASHION_MNIST_DIR);
    for (const name of idxFileNames) {
      const committed = new Uint8Array(gunzipSync(await readFile(fixtureFile(name))));
      expect(Buffer.compare(encodeIdx(arrays[name]), committed), name).toBe(0);
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
