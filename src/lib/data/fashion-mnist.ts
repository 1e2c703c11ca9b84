/**
 * Fashion-MNIST (Zalando Research): 28x28 grey images of 10 kinds of clothing, the offline stand-in for
 * OCTMNIST with the same image format. Four IDX files, gzipped or not:
 * train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte.
 *
 * Splits (fixed): validation is the LAST 10,000 training images (50,000 train / 10,000 val), test is the
 * official 10,000 t10k images. The committed fixture (test/fixtures/fashion-mnist, made by
 * scripts/make-fixture.ts) uses the same files and the same rule with 3,000 / 600 / 600 images.
 *
 * Integrity: each file's decompressed bytes are checked against an MD5. Upstream publishes MD5s of its .gz
 * archives (README of github.com/zalandoresearch/fashion-mnist: train-images 8d4fb7e6c68d591d4c3dfef9ec88bf0d,
 * ...), but Debian's dataset-fashion-mnist recompressed them (other .gz bytes, same content), so the checks
 * below are of the decompressed IDX data. Those MD5s are the ones public loaders list next to the upstream
 * archive MD5s (e.g. torchvision-style `raw_data` tables), and Debian's 0.0~git20200523.55506a9-1 files match them.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_FASHION_MNIST_DIR, settings } from '../settings.ts';
import { DataFileError } from './data-file-error.ts';
import { gunzip, isGzip, parseIdx } from './idx.ts';
import { checkedLabels, md5Hex, pixelsToUnit, sha256Hex, type ImageDataset, type ImageSplit } from './images.ts';

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** Where Debian's `dataset-fashion-mnist` package installs the files (FASHION_MNIST_DIR's default). */
export { DEFAULT_FASHION_MNIST_DIR };

/** The committed fixture, relative to this source file (the data is data, not an import). */
export const FASHION_MNIST_FIXTURE_DIR = fileURLToPath(new URL('../../../test/fixtures/fashion-mnist/', import.meta.url));

export const idxFileNames = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] as const;
export type IdxFileName = (typeof idxFileNames)[number];

export interface IdxFolderSpec {
  id: string;
  description: string;
  classNames: string[];
  /** Images in the train files, validation included. */
  trainFileCount: number;
  /** The last `valCount` images of the train files form the validation split. */
  valCount: number;
  testCount: number;
  height: number;
  width: number;
  /** MD5 of each file's decompressed IDX bytes; null skips the check. */
  md5: Record<IdxFileName, string> | null;
  /** Said when a file is missing: where the files come from. */
  missingHint: string;
}

export const FASHION_MNIST_SPEC: IdxFolderSpec = {
  id: 'fashion-mnist',
  description:
    'Fashion-MNIST (Zalando Research), 28x28 grey, 10 classes; train = first 50,000 training images, val = last 10,000 training images, test = the official 10,000.',
  classNames: FASHION_MNIST_CLASSES,
  trainFileCount: 60_000,
  valCount: 10_000,
  testCount: 10_000,
  height: 28,
  width: 28,
  md5: {
    'train-images-idx3-ubyte': 'f4a8712d7a061bf5bd6d2ca38dc4d50a',
    'train-labels-idx1-ubyte': '9018921c3c673c538a1fc5bad174d6f9',
    't10k-images-idx3-ubyte': '8181f5470baa50b63fa0f6fddb340f0a',
    't10k-labels-idx1-ubyte': '15d484375f8d13e6eb1aabb0c3f46965',
  },
  missingHint:
    "install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist, files in /usr/share/datasets/fashion-mnist) " +
    'or set FASHION_MNIST_DIR to a folder holding the four IDX files from github.com/zalandoresearch/fashion-mnist',
};

/** Printed by scripts/make-fixture.ts; a changed fixture must change these on purpose. */
export const FASHION_MNIST_FIXTURE_SPEC: IdxFolderSpec = {
  id: 'fashion-mnist-fixture',
  description:
    'Committed Fashion-MNIST fixture: 3,000 train / 600 val / 600 test images, 10% per class, the first of each class in file order from the 50,000 / 10,000 / 10,000 splits.',
  classNames: FASHION_MNIST_CLASSES,
  trainFileCount: 3_600,
  valCount: 600,
  testCount: 600,
  height: 28,
  width: 28,
  md5: {
    'train-images-idx3-ubyte': '56eae7c378c579f8d99dfce6ca460e1a',
    'train-labels-idx1-ubyte': 'a1ed38bad0e4d5e2e37fbd09f3f5fcc2',
    't10k-images-idx3-ubyte': 'a05705cdc3fe476ff28d897ca1f24fac',
    't10k-labels-idx1-ubyte': '7db117e1aafab181827398a7ee60b847',
  },
  missingHint: 'the fixture is committed in test/fixtures/fashion-mnist; regenerate it with `npx tsx scripts/make-fixture.ts`',
};

export interface FashionMnistOptions {
  /** Folder with the four IDX files; default FASHION_MNIST_DIR, else Debian's folder. */
  dir?: string;
}

export function fashionMnistDir(options: FashionMnistOptions = {}): string {
  return options.dir ?? settings().fashionMnistDir;
}

export function loadFashionMnist(options: FashionMnistOptions = {}): Promise<ImageDataset> {
  return loadIdxImageFolder(fashionMnistDir(options), FASHION_MNIST_SPEC);
}

export function loadFashionMnistFixture(dir = FASHION_MNIST_FIXTURE_DIR): Promise<ImageDataset> {
  return loadIdxImageFolder(dir, FASHION_MNIST_FIXTURE_SPEC);
}

export interface RawIdxFile {
  /** The path read (`.gz` or not). */
  path: string;
  /** Decompressed IDX bytes. */
  content: Uint8Array;
}

/** Reads one IDX file, preferring `<name>.gz` over `<name>`; checks the decompressed MD5. */
export async function readIdxFileFromFolder(dir: string, name: IdxFileName, spec: IdxFolderSpec): Promise<RawIdxFile> {
  const candidates = [join(dir, `${name}.gz`), join(dir, name)];
  let path: string | undefined;
  let bytes: Uint8Array | undefined;
  for (const candidate of candidates) {
    try {
      bytes = new Uint8Array(await readFile(candidate));
      path = candidate;
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new DataFileError(candidate, `cannot be read (${(error as Error).message})`);
    }
  }
  if (!path || !bytes) throw new DataFileError(candidates[0], `missing (${spec.id}): ${spec.missingHint}`);
  const content = isGzip(bytes) ? gunzip(bytes, path) : bytes;
  const expected = spec.md5?.[name];
  if (expected) {
    const actual = md5Hex(content);
    if (actual !== expected) {
      throw new DataFileError(path, `bad checksum: MD5 of the IDX data is ${actual}, expected ${expected} for ${spec.id} (${name})`);
    }
  }
  return { path, content };
}

export async function loadIdxImageFolder(dir: string, spec: IdxFolderSpec): Promise<ImageDataset> {
  // Read together, reported in file order: with several files missing, the error names the first of them, not
  // whichever read happened to fail first.
  const reads = await Promise.allSettled(idxFileNames.map((name) => readIdxFileFromFolder(dir, name, spec)));
  const files = reads.map((read) => {
    if (read.status === 'rejected') throw read.reason;
    return read.value;
  });
  const [trainImages, trainLabels, testImages, testLabels] = files.map((file) => ({ file, idx: parseIdx(file.content, file.path) }));
  const classes = spec.classNames.length;
  const pixels = spec.height * spec.width;

  const expectShape = (entry: typeof trainImages, shape: number[]) => {
    if (entry.idx.shape.length !== shape.length || entry.idx.shape.some((size, i) => size !== shape[i])) {
      throw new DataFileError(entry.file.path, `shape mismatch: [${entry.idx.shape.join(', ')}], expected [${shape.join(', ')}] for ${spec.id}`);
    }
  };
  expectShape(trainImages, [spec.trainFileCount, spec.height, spec.width]);
  expectShape(trainLabels, [spec.trainFileCount]);
  expectShape(testImages, [spec.testCount, spec.height, spec.width]);
  expectShape(testLabels, [spec.testCount]);

  const allTrainLabels = checkedLabels(trainLabels.idx.data, classes, trainLabels.file.path);
  const allTestLabels = checkedLabels(testLabels.idx.data, classes, testLabels.file.path);
  const trainCount = spec.trainFileCount - spec.valCount;
  const split = (images: Uint8Array, labels: Int32Array, from: number, to: number): ImageSplit => ({
    images: pixelsToUnit(images.subarray(from * pixels, to * pixels)), // [count, 28, 28, 1]
    labels: labels.slice(from, to),
    count: to - from,
  });
  return {
    id: spec.id,
    description: spec.description,
    classNames: [...spec.classNames],
    imageShape: [spec.height, spec.width, 1],
    train: split(trainImages.idx.data, allTrainLabels, 0, trainCount),
    val: split(trainImages.idx.data, allTrainLabels, trainCount, spec.trainFileCount),
    test: split(testImages.idx.data, allTestLabels, 0, spec.testCount),
    // Of the decompressed data, so the same images hash the same whichever gzip produced the archive.
    hash: sha256Hex(files.map((file) => file.content)),
    files: files.map((file) => file.path),
  };
}
