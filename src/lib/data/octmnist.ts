/**
 * OCTMNIST (MedMNIST v2): retinal OCT images, 28x28 grey, 4 classes, the homework's data set. One file,
 * `octmnist.npz`, a zip of `.npy` arrays `{train,val,test}_images` [N, 28, 28] uint8 and `{..}_labels` [N, 1].
 * The splits are MedMNIST's own (97,477 / 10,832 / 1,000); nothing is re-split.
 *
 * The file is not redistributable here and too big to commit; supply it with OCTMNIST_NPZ or the `path`
 * option (default: MedMNIST's own download folder, ~/.medmnist/octmnist.npz).
 */
import { readFile } from 'node:fs/promises';
import { settings } from '../settings.ts';
import { DataFileError } from './data-file-error.ts';
import { checkedLabels, md5Hex, pixelsToUnit, sha256Hex, splitNames, type ImageDataset, type ImageSplit } from './images.ts';
import type { NpyArray } from './npy.ts';
import { parseNpz } from './npz.ts';

/**
 * MD5 of the 28x28 octmnist.npz as MedMNIST publishes it: INFO['octmnist']['MD5'] in medmnist/info.py of
 * github.com/MedMNIST/MedMNIST (v2.1.0, commit 075a8ad694733171aee4adb9f3bfe136d8facbb7; the v3 info.py keeps the
 * same value for the 28x28 file).
 */
export const OCTMNIST_MD5 = 'c68d92d5b585d8d81f7112f81e2d0842';

/** Label names from the same INFO entry. */
const OCTMNIST_CLASSES = ['choroidal neovascularization', 'diabetic macular edema', 'drusen', 'normal'];

export interface MedmnistSpec {
  id: string;
  description: string;
  classNames: string[];
  counts: Record<'train' | 'val' | 'test', number>;
  height: number;
  width: number;
  /** MD5 of the whole .npz; null skips the check (synthetic files in tests). */
  md5: string | null;
  /** Said when the file is missing or fails its checksum. */
  sourceHint: string;
}

export const OCTMNIST_SPEC: MedmnistSpec = {
  id: 'octmnist',
  description: 'OCTMNIST (MedMNIST v2), 28x28 grey retinal OCT, 4 classes; MedMNIST splits train 97,477 / val 10,832 / test 1,000.',
  classNames: OCTMNIST_CLASSES,
  counts: { train: 97_477, val: 10_832, test: 1_000 },
  height: 28,
  width: 28,
  md5: OCTMNIST_MD5,
  sourceHint:
    'download octmnist.npz (the 28x28 MedMNIST v2 file) from the MedMNIST Zenodo record 6496656 (the v3 record 10519652 ' +
    'carries the same 28x28 file; the medmnist Python package downloads it into ~/.medmnist) and set OCTMNIST_NPZ to its path',
};

export interface OctmnistOptions {
  /** The .npz path; default OCTMNIST_NPZ, else ~/.medmnist/octmnist.npz. */
  path?: string;
}

export function octmnistPath(options: OctmnistOptions = {}): string {
  return options.path ?? settings().octmnistNpz;
}

export function loadOctmnist(options: OctmnistOptions = {}): Promise<ImageDataset> {
  return loadMedmnistNpz(octmnistPath(options), OCTMNIST_SPEC);
}

export async function loadMedmnistNpz(path: string, spec: MedmnistSpec): Promise<ImageDataset> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataFileError(path, `missing (${spec.id}): ${spec.sourceHint}`);
    throw new DataFileError(path, `cannot be read (${(error as Error).message})`);
  }
  return parseMedmnistNpz(bytes, path, spec);
}

/** Checks the digest first: with the published MD5 matching, the shape and label checks below are a second line. */
function parseMedmnistNpz(bytes: Uint8Array, source: string, spec: MedmnistSpec): ImageDataset {
  if (spec.md5) {
    const actual = md5Hex(bytes);
    if (actual !== spec.md5) {
      throw new DataFileError(
        source,
        `bad checksum: MD5 ${actual}, MedMNIST publishes ${spec.md5} for ${spec.id} (truncated, corrupt or a different file; ${spec.sourceHint})`,
      );
    }
  }
  const arrays = parseNpz(bytes, source);
  const get = (name: string): NpyArray => {
    const array = arrays.get(name);
    if (!array) throw new DataFileError(source, `has no array '${name}' (found: ${[...arrays.keys()].join(', ') || 'none'})`);
    return array;
  };
  const expectShape = (name: string, array: NpyArray, shape: number[]) => {
    if (array.shape.length !== shape.length || array.shape.some((size, i) => size !== shape[i])) {
      throw new DataFileError(source, `shape mismatch: '${name}' is [${array.shape.join(', ')}], expected [${shape.join(', ')}] for ${spec.id}`);
    }
  };
  const integerDtypes = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'uint64', 'int64'];
  const split = (name: 'train' | 'val' | 'test'): ImageSplit => {
    const count = spec.counts[name];
    const images = get(`${name}_images`);
    const labels = get(`${name}_labels`);
    if (images.dtype !== 'uint8') throw new DataFileError(source, `'${name}_images' has dtype ${images.dtype}, expected uint8`);
    if (!integerDtypes.includes(labels.dtype)) throw new DataFileError(source, `'${name}_labels' has dtype ${labels.dtype}, expected an integer type`);
    expectShape(`${name}_images`, images, [count, spec.height, spec.width]);
    expectShape(`${name}_labels`, labels, [count, 1]);
    return {
      images: pixelsToUnit(images.data as Uint8Array), // [count, 28, 28, 1]: one channel, so the same bytes
      labels: checkedLabels(labels.data, spec.classNames.length, `${source} ['${name}_labels']`),
      count,
    };
  };
  const [train, val, test] = splitNames.map(split);
  return {
    id: spec.id,
    description: spec.description,
    classNames: [...spec.classNames],
    imageShape: [spec.height, spec.width, 1],
    train,
    val,
    test,
    hash: sha256Hex([bytes]),
    files: [source],
  };
}
