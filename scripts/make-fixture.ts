/**
 * Makes the committed Fashion-MNIST fixture (test/fixtures/fashion-mnist) from the full data set, in the same
 * IDX .gz format so the same loader reads both.
 *
 * Selection (deterministic, no randomness): for each class, the first 300 images in file order of the full
 * train split (training images 0..49,999), the first 60 of the full val split (training images
 * 50,000..59,999) and the first 60 of the test split, each kept in file order. The fixture's train file holds
 * its 3,000 train images followed by its 600 val images, so the loader's rule "val = the last N training
 * images" gives the same split as on the full set.
 *
 *   npx tsx scripts/make-fixture.ts [--source DIR] [--out DIR]
 *
 * It prints the MD5s that FASHION_MNIST_FIXTURE_SPEC must hold.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { encodeIdx, gzipIdx, parseIdx, type IdxArray } from '../src/lib/data/idx.ts';
import { md5Hex } from '../src/lib/data/images.ts';
import {
  FASHION_MNIST_FIXTURE_DIR,
  FASHION_MNIST_SPEC,
  fashionMnistDir,
  idxFileNames,
  readIdxFileFromFolder,
  type IdxFileName,
} from '../src/lib/data/fashion-mnist.ts';

export const FIXTURE_PER_CLASS = { train: 300, val: 60, test: 60 } as const;

/** Indices (ascending) of the first `perClass` images of every class among labels[from..to). */
export function firstPerClass(labels: Uint8Array, from: number, to: number, perClass: number, classes: number): number[] {
  const taken = new Array<number>(classes).fill(0);
  const picked: number[] = [];
  for (let i = from; i < to; i++) {
    if (taken[labels[i]] < perClass) {
      taken[labels[i]]++;
      picked.push(i);
    }
  }
  const short = taken.findIndex((n) => n < perClass);
  if (short >= 0) throw new Error(`class ${short} has only ${taken[short]} images in [${from}, ${to}), need ${perClass}`);
  return picked;
}

function gather(images: IdxArray, labels: IdxArray, indices: number[]): { images: IdxArray; labels: IdxArray } {
  const pixels = images.shape[1] * images.shape[2];
  const imageData = new Uint8Array(indices.length * pixels);
  const labelData = new Uint8Array(indices.length);
  indices.forEach((source, i) => {
    imageData.set(images.data.subarray(source * pixels, (source + 1) * pixels), i * pixels);
    labelData[i] = labels.data[source];
  });
  return {
    images: { shape: [indices.length, images.shape[1], images.shape[2]], data: imageData },
    labels: { shape: [indices.length], data: labelData },
  };
}

/** The fixture's four IDX arrays, by file name. */
export async function makeFixtureArrays(sourceDir: string): Promise<Record<IdxFileName, IdxArray>> {
  const spec = FASHION_MNIST_SPEC;
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    idxFileNames.map(async (name) => {
      const file = await readIdxFileFromFolder(sourceDir, name, spec);
      return parseIdx(file.content, file.path);
    }),
  );
  const classes = spec.classNames.length;
  const trainEnd = spec.trainFileCount - spec.valCount;
  const trainPicks = [
    ...firstPerClass(trainLabels.data, 0, trainEnd, FIXTURE_PER_CLASS.train, classes),
    ...firstPerClass(trainLabels.data, trainEnd, spec.trainFileCount, FIXTURE_PER_CLASS.val, classes),
  ];
  const testPicks = firstPerClass(testLabels.data, 0, spec.testCount, FIXTURE_PER_CLASS.test, classes);
  const train = gather(trainImages, trainLabels, trainPicks);
  const test = gather(testImages, testLabels, testPicks);
  return {
    'train-images-idx3-ubyte': train.images,
    'train-labels-idx1-ubyte': train.labels,
    't10k-images-idx3-ubyte': test.images,
    't10k-labels-idx1-ubyte': test.labels,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { source: { type: 'string' }, out: { type: 'string' } } });
  const sourceDir = fashionMnistDir({ dir: values.source });
  const outDir = values.out ?? FASHION_MNIST_FIXTURE_DIR;
  const arrays = await makeFixtureArrays(sourceDir);
  await mkdir(outDir, { recursive: true });
  for (const name of idxFileNames) {
    const gz = gzipIdx(arrays[name]);
    await writeFile(join(outDir, `${name}.gz`), gz);
    console.log(`${name}.gz  ${gz.byteLength} bytes  content MD5 ${md5Hex(encodeIdx(arrays[name]))}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
