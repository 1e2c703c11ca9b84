/**
 * An image-classification data set as the training code sees it: three fixed splits of 28x28 grey images as
 * float32 in [0, 1], NHWC, with int32 labels, class names, a stable id and a digest of the bytes read.
 *
 * Normalisation: pixel / 255 and nothing else, as the homework's reference did (torchvision's ToTensor only,
 * no mean/std). The lookup table holds the float32 nearest to v / 255, which is what PyTorch's float32
 * division gives (a double quotient rounded once to float32 is the correctly rounded float32 quotient).
 */
import { createHash } from 'node:crypto';
import type { DatasetInfo } from './dataset-info.ts';
import { DataFileError } from './data-file-error.ts';

export interface ImageSplit {
  /** [count, height, width, channels], values in [0, 1]. */
  images: Float32Array;
  /** [count], each in 0..classes-1. */
  labels: Int32Array;
  count: number;
}

export type SplitName = 'train' | 'val' | 'test';
export const splitNames: readonly SplitName[] = ['train', 'val', 'test'];

export interface ImageDataset {
  /** Short stable id, e.g. `fashion-mnist`, `fashion-mnist-fixture`, `octmnist`. */
  id: string;
  /** One sentence: source and how the splits were formed. */
  description: string;
  classNames: string[];
  /** [height, width, channels] of one image. */
  imageShape: [number, number, number];
  train: ImageSplit;
  val: ImageSplit;
  test: ImageSplit;
  /** sha256 hex of the bytes read (files in a fixed order), or of the pixels and labels of a subset. */
  hash: string;
  /** The files read, in the order hashed. */
  files: string[];
}

const unitScale = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** uint8 pixels -> float32 in [0, 1] by /255 (ToTensor). */
export function pixelsToUnit(pixels: Uint8Array): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = unitScale[pixels[i]];
  return out;
}

/** Integer labels -> Int32Array, each checked to lie in 0..classes-1. */
export function checkedLabels(values: ArrayLike<number | bigint>, classes: number, source: string): Int32Array {
  const labels = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = Number(values[i]);
    if (!Number.isInteger(value) || value < 0 || value >= classes) {
      throw new DataFileError(source, `label ${String(values[i])} at index ${i} is outside the class range 0..${classes - 1}`);
    }
    labels[i] = value;
  }
  return labels;
}

export function sha256Hex(parts: Iterable<Uint8Array>): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}

export function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

export function datasetInfo(dataset: ImageDataset): DatasetInfo {
  return { id: dataset.id, description: dataset.description, hash: dataset.hash };
}

/** Images per class in a split: a quick balance check and a table for the site. */
export function classCounts(split: ImageSplit, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of split.labels) counts[label]++;
  return counts;
}

/**
 * The first `counts[split]` images of each split (all when absent), for short schedules. The id gains a
 * suffix and the hash covers exactly the pixels and labels kept, so a snapshot never passes a subset off as
 * the whole set.
 */
export function headOfSplits(dataset: ImageDataset, counts: Partial<Record<SplitName, number>>): ImageDataset {
  const pixelsPerImage = dataset.imageShape[0] * dataset.imageShape[1] * dataset.imageShape[2];
  const cut = (name: SplitName): ImageSplit => {
    const split = dataset[name];
    const count = counts[name] ?? split.count;
    if (!Number.isInteger(count) || count < 1 || count > split.count) {
      throw new Error(`headOfSplits: ${name} count ${count} must be an integer in 1..${split.count} for ${dataset.id}`);
    }
    return { images: split.images.subarray(0, count * pixelsPerImage), labels: split.labels.subarray(0, count), count };
  };
  const [train, val, test] = splitNames.map(cut);
  if (train.count === dataset.train.count && val.count === dataset.val.count && test.count === dataset.test.count) return dataset;
  const bytes = (array: Float32Array | Int32Array) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  return {
    ...dataset,
    id: `${dataset.id}-head-${train.count}-${val.count}-${test.count}`,
    description: `${dataset.description} First ${train.count} / ${val.count} / ${test.count} images of train / val / test only.`,
    train,
    val,
    test,
    hash: sha256Hex([train, val, test].flatMap((split) => [bytes(split.images), bytes(split.labels)])),
  };
}
