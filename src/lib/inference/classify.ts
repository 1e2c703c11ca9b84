/**
 * Classifying an image file with a published Question 2 network, the steps `npm run classify` takes:
 *
 *   PNG (pngjs; any bit depth, palette, grey or colour, with or without alpha) or .npy (one image)
 *   -> grey: Pillow's convert('L') weights (R 299, G 587, B 114 per 1000, integer-rounded for 8-bit input);
 *      alpha below opaque is composited over black, the background of the homework's images
 *   -> 28x28: other sizes resized with Pillow's BILINEAR filter (a triangle, widened when shrinking so every source
 *      pixel counts), reported as a warning
 *   -> [0, 1]: 8-bit values / 255, exactly as the data sets (ToTensor); float .npy values are taken as they are
 *   -> the network in eval mode (no dropout) -> log-probabilities per class.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { DataFileError } from '../data/data-file-error.ts';
import { pixelsToUnit } from '../data/images.ts';
import { parseNpy } from '../data/npy.ts';

const IMAGE_SIZE = 28;

export interface GreyImage {
  /** [28, 28] row-major, values in [0, 1]. */
  pixels: Float32Array;
  /** The file's own size. */
  width: number;
  height: number;
  /** Conversions made on the way (colour to grey, alpha, resizing), one sentence each. */
  warnings: string[];
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/** An fs error in a few words: 'no such file' for ENOENT, else its code or message. */
function readProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : (code ?? (error as Error).message);
}

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);
}

/** Pillow's L = R * 299/1000 + G * 587/1000 + B * 114/1000, in its fixed-point form for 8-bit values. */
function lumaUint8(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
}

/**
 * Pillow's BILINEAR weights (ImagingResample with the triangle filter) for one axis: output pixel i is centred at
 * (i + 0.5) * scale in source pixels, and the triangle widens by scale when shrinking so every source pixel counts.
 */
function axisWeights(inSize: number, outSize: number): { first: number; weights: Float64Array }[] {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // the triangle's support is 1
  return Array.from({ length: outSize }, (_, i) => {
    const centre = (i + 0.5) * scale;
    const first = Math.max(Math.trunc(centre - support + 0.5), 0);
    const last = Math.min(Math.trunc(centre + support + 0.5), inSize);
    const weights = Float64Array.from({ length: last - first }, (_, k) => Math.max(0, 1 - Math.abs((first + k - centre + 0.5) / filterScale)));
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    return { first, weights: weights.map((weight) => weight / total) };
  });
}

/** A [height, width] grey image resized to [toHeight, toWidth], rows first as Pillow does, in float. */
export function resizeGrey(pixels: ArrayLike<number>, width: number, height: number, toWidth: number, toHeight: number): Float64Array {
  const across = axisWeights(width, toWidth);
  const rows = new Float64Array(height * toWidth); // [height, toWidth]
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < toWidth; x++) {
      const { first, weights } = across[x];
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * pixels[y * width + first + k];
      rows[y * toWidth + x] = sum;
    }
  }
  const down = axisWeights(height, toHeight);
  const out = new Float64Array(toHeight * toWidth); // [toHeight, toWidth]
  for (let y = 0; y < toHeight; y++) {
    const { first, weights } = down[y];
    for (let x = 0; x < toWidth; x++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * rows[(first + k) * toWidth + x];
      out[y * toWidth + x] = sum;
    }
  }
  return out;
}

/** Grey values (0..255 as 8-bit, or floats in [0, 1]) at any size -> the network's [28, 28] input in [0, 1]. */
function toModelInput(grey: Float64Array, width: number, height: number, eightBit: boolean, warnings: string[]): Float32Array {
  let values = grey;
  if (width !== IMAGE_SIZE || height !== IMAGE_SIZE) {
    warnings.push(
      `resized from ${width}x${height} to ${IMAGE_SIZE}x${IMAGE_SIZE} (bilinear, antialiased); the networks were trained on ${IMAGE_SIZE}x${IMAGE_SIZE} images`,
    );
    values = resizeGrey(grey, width, height, IMAGE_SIZE, IMAGE_SIZE);
  }
  if (eightBit) return pixelsToUnit(Uint8Array.from(values, (value) => Math.min(255, Math.max(0, Math.round(value)))));
  return Float32Array.from(values);
}

export function decodePng(bytes: Uint8Array, source: string): GreyImage {
  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    throw new DataFileError(source, `cannot decode the PNG (${(error as Error).message})`, { cause: error });
  }
  const { width, height, data } = png;
  if (width < 1 || height < 1) throw new DataFileError(source, `the PNG is ${width}x${height}: no pixels`);
  const warnings: string[] = [];
  const grey = new Float64Array(width * height);
  let colour = false;
  let translucent = false;
  for (let i = 0; i < width * height; i++) {
    const [r, g, b, a] = [data[4 * i], data[4 * i + 1], data[4 * i + 2], data[4 * i + 3]];
    if (r !== g || g !== b) colour = true;
    let value = r === g && g === b ? r : lumaUint8(r, g, b);
    if (a < 255) {
      translucent = true;
      value = Math.round((value * a) / 255);
    }
    grey[i] = value;
  }
  if (colour) warnings.push('colour converted to grey (L = 0.299 R + 0.587 G + 0.114 B, as Pillow)');
  if (translucent) warnings.push('transparent pixels composited over black (the background of the training images)');
  return { pixels: toModelInput(grey, width, height, true, warnings), width, height, warnings };
}

/** One image in a .npy: [H, W], [H, W, 1|3|4] or the same with a leading 1; 8-bit-range integers or floats in [0, 1]. */
export function decodeNpyImage(bytes: Uint8Array, source: string): GreyImage {
  const array = parseNpy(bytes, source);
  let shape = array.shape;
  if (shape.length >= 3 && shape[0] === 1) shape = shape.slice(1);
  const described = `(${array.shape.join(', ')})`;
  let channels = 1;
  if (shape.length === 3 && [1, 3, 4].includes(shape[2])) channels = shape[2];
  else if (shape.length !== 2) {
    throw new DataFileError(source, `array of shape ${described} is not one image; expected (height, width), (height, width, 1|3|4) or a leading 1`);
  }
  const [height, width] = shape;
  if (height < 1 || width < 1) throw new DataFileError(source, `array of shape ${described} has no pixels`);
  const floating = array.dtype === 'float32' || array.dtype === 'float64';
  const values = Float64Array.from(array.data as ArrayLike<number | bigint>, (value) => Number(value));
  const warnings: string[] = [];
  let low = Infinity;
  let high = -Infinity;
  for (const value of values) {
    if (Number.isNaN(value)) throw new DataFileError(source, 'the array holds NaN');
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  if (floating && (low < 0 || high > 1)) {
    throw new DataFileError(source, `${array.dtype} values range over [${low}, ${high}]; float images must be in [0, 1] (divide 8-bit values by 255)`);
  }
  if (!floating && (low < 0 || high > 255))
    throw new DataFileError(source, `${array.dtype} values range over [${low}, ${high}]; integer images must be in 0..255`);
  const grey = new Float64Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const at = i * channels;
    if (channels < 3) grey[i] = values[at];
    else {
      const [r, g, b] = [values[at], values[at + 1], values[at + 2]];
      grey[i] = floating ? 0.299 * r + 0.587 * g + 0.114 * b : lumaUint8(r, g, b);
      if (channels === 4) grey[i] = floating ? grey[i] * values[at + 3] : Math.round((grey[i] * values[at + 3]) / 255);
    }
  }
  if (channels >= 3)
    warnings.push(`colour converted to grey (L = 0.299 R + 0.587 G + 0.114 B, as Pillow)${channels === 4 ? ', alpha composited over black' : ''}`);
  return { pixels: toModelInput(grey, width, height, !floating, warnings), width, height, warnings };
}

/** Reads a .png or .npy (by its first bytes, so a misnamed file is still read or refused by what it is). */
export async function readImageFile(path: string): Promise<GreyImage> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new DataFileError(path, `cannot read (${readProblem(error)})`, { cause: error });
  }
  if (bytes.length === 0) throw new DataFileError(path, 'the file is empty');
  if (startsWith(bytes, PNG_MAGIC)) return decodePng(bytes, path);
  if (startsWith(bytes, NPY_MAGIC)) return decodeNpyImage(bytes, path);
  const extension = extname(path).toLowerCase();
  const expected =
    extension === '.png' ? 'named .png but not a PNG' : extension === '.npy' ? 'named .npy but not a NumPy array' : 'neither a PNG nor a .npy array';
  throw new DataFileError(path, `${expected} (it does not start with the format's signature)`);
}

/** Log-probabilities [images][classes] from the network in eval mode; the input images are [28, 28] in [0, 1]. */
export function classifyImages(model: tf.LayersModel, images: readonly Float32Array[]): Float32Array[] {
  if (images.length === 0) return [];
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  const batch = new Float32Array(images.length * pixels); // [n, 28, 28, 1]
  images.forEach((image, index) => {
    if (image.length !== pixels) throw new Error(`classifyImages: image ${index} has ${image.length} values, expected ${pixels}`);
    batch.set(image, index * pixels);
  });
  const output = tf.tidy(() => model.predict(tf.tensor4d(batch, [images.length, IMAGE_SIZE, IMAGE_SIZE, 1])) as tf.Tensor2D); // [n, classes]
  const classes = output.shape[1];
  const values = output.dataSync() as Float32Array;
  output.dispose();
  return images.map((_, index) => values.slice(index * classes, (index + 1) * classes));
}
