/**
 * Image input for `npm run classify`: decoding (PNG and .npy) to exactly the data sets' pixel values, Pillow's grey
 * conversion and BILINEAR resize (test/fixtures/pillow/pillow.json, made by make.py beside it), errors naming the
 * file, and the network's eval-mode output.
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { loadFashionMnistFixture } from '../../../src/lib/data/fashion-mnist.ts';
import type { ImageDataset } from '../../../src/lib/data/images.ts';
import { encodeNpy } from '../../../src/lib/data/npy.ts';
import { classifyImages, decodeNpyImage, decodePng, readImageFile, resizeGrey } from '../../../src/lib/inference/classify.ts';
import { createCnn } from '../../../src/lib/models/cnn.ts';

const fixtures = new URL('../../fixtures/cli/', import.meta.url);
const fixture = (name: string) => new URL(name, fixtures).pathname;

interface Pillow {
  resize: { width: number; height: number; output: number[] }[];
  grey: { rgb: [number, number, number][]; l: number[] };
}

/** make.py's `pattern`. */
function pattern(width: number, height: number): Float64Array {
  const out = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      out[y * width + x] = ((x * 3 + y * 5) % 256) * 0.5 + 60 * Math.sin(x * 0.7) * Math.cos(y * 0.3) + ((Math.floor(x / 7) + Math.floor(y / 5)) % 2 ? 100 : 0);
    }
  }
  return out;
}

function rgbPng(pixels: [number, number, number][], alpha = 255): Uint8Array {
  const png = new PNG({ width: pixels.length, height: 1 });
  pixels.forEach(([r, g, b], i) => png.data.set([r, g, b, alpha], 4 * i));
  return PNG.sync.write(png);
}

let fashion: ImageDataset;
const testImage = (index: number) => fashion.test.images.slice(index * 784, (index + 1) * 784);

beforeAll(async () => {
  await initBackend({ requested: 'cpu', log: () => {} });
  fashion = await loadFashionMnistFixture();
});

describe('image input', () => {
  it('reads 28x28 PNG and .npy images to exactly the data set pixels (uint8 / 255), with no warnings', async () => {
    for (const [name, index] of [
      ['fashion-0.png', 0],
      ['fashion-1.npy', 1],
      ['fashion-2-float.npy', 2],
    ] as const) {
      const image = await readImageFile(fixture(name));
      expect(image.pixels.constructor).toBe(Float32Array);
      expect(image.pixels.length).toBe(784);
      expect(image.pixels, name).toEqual(testImage(index));
      expect(image.warnings, name).toEqual([]);
      expect([image.width, image.height]).toEqual([28, 28]);
    }
  });

  it("resizes like Pillow's BILINEAR (to 1e-3 on a 0-255 scale), shrinking and enlarging", async () => {
    const golden = JSON.parse(await readFile(new URL('../../fixtures/pillow/pillow.json', import.meta.url), 'utf8')) as Pillow;
    for (const { width, height, output } of golden.resize) {
      const actual = resizeGrey(pattern(width, height), width, height, 28, 28);
      let worst = 0;
      output.forEach((value, i) => (worst = Math.max(worst, Math.abs(actual[i] - value))));
      expect(worst, `${width}x${height}`).toBeLessThan(1e-3);
    }
  });

  it("converts colour to grey as Pillow's convert('L'), and says so", async () => {
    const golden = JSON.parse(await readFile(new URL('../../fixtures/pillow/pillow.json', import.meta.url), 'utf8')) as Pillow;
    const colours = golden.grey.rgb;
    // Pad the row to 28 pixels wide and 28 high so nothing is resized: only the first row carries the colours.
    const png = new PNG({ width: 28, height: 28 });
    png.data.fill(0);
    for (let i = 0; i < 28 * 28; i++) png.data[4 * i + 3] = 255;
    colours.forEach(([r, g, b], i) => png.data.set([r, g, b, 255], 4 * i));
    const image = decodePng(PNG.sync.write(png), 'colours.png');
    expect(Array.from(image.pixels.subarray(0, colours.length), (value) => Math.round(value * 255))).toEqual(golden.grey.l);
    expect(image.warnings).toEqual([expect.stringMatching(/^colour converted to grey/)]);
  });

  it('warns when it resizes and converts (the 56x56 colour fixture)', async () => {
    const image = await readImageFile(fixture('fashion-0-rgb-56.png'));
    expect([image.width, image.height]).toEqual([56, 56]);
    expect(image.warnings).toHaveLength(2);
    expect(image.warnings[1]).toMatch(/^resized from 56x56 to 28x28/);
    expect(image.pixels.length).toBe(784);
  });

  it('composites transparent pixels over black', () => {
    const image = decodePng(rgbPng([[200, 200, 200]], 128), 'half.png');
    expect(Math.round(image.pixels[0] * 255)).toBe(Math.round((200 * 128) / 255));
    expect(image.warnings.some((warning) => /composited over black/.test(warning))).toBe(true);
  });

  it('accepts channel-last colour .npy arrays and integer dtypes in 0..255', () => {
    const rgb = encodeNpy({ dtype: 'uint8', shape: [28, 28, 3], data: new Uint8Array(28 * 28 * 3).fill(90) });
    expect(decodeNpyImage(rgb, 'rgb.npy').pixels[0]).toBeCloseTo(90 / 255, 6);
    const wide = encodeNpy({ dtype: 'int32', shape: [28, 28], data: new Int32Array(784).fill(255) });
    expect(decodeNpyImage(wide, 'wide.npy').pixels[0]).toBe(1);
  });

  it('refuses bad input with the file name and the problem', async () => {
    const cases: [string, RegExp][] = [
      ['not-an-image.png', /not-an-image\.png: named \.png but not a PNG/],
      ['batch.npy', /batch\.npy: array of shape \(3, 28, 28\) is not one image/],
      ['range.npy', /range\.npy: float32 values range over \[0, 255\]; float images must be in \[0, 1\]/],
      ['missing.png', /missing\.png: cannot read \(no such file\)/],
    ];
    for (const [name, message] of cases) await expect(readImageFile(fixture(name)), name).rejects.toThrow(message);
    expect(() => decodePng(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), 'cut.png')).toThrow(/^cut\.png: cannot decode the PNG/);
    const negative = encodeNpy({ dtype: 'int16', shape: [28, 28], data: new Int16Array(784).fill(-1) });
    expect(() => decodeNpyImage(negative, 'neg.npy')).toThrow(/neg\.npy: int16 values range over \[-1, -1\]; integer images must be in 0\.\.255/);
  });
});

describe('classifyImages', () => {
  it("gives the network's eval-mode log-probabilities [classes] per image, leaking no tensors", () => {
    const model = createCnn({ variant: 'strided', classes: 10, dropout: 0.7, seed: 11 });
    const images = [testImage(0), testImage(1)];
    const before = tf.memory().numTensors;
    const output = classifyImages(model, images);
    expect(tf.memory().numTensors).toBe(before);
    expect(output).toHaveLength(2);
    expect(output[0]).toBeInstanceOf(Float32Array);
    expect(output[0].length).toBe(10);
    const expected = tf.tidy(() =>
      (model.apply(tf.tensor4d(fashion.test.images.slice(0, 2 * 784), [2, 28, 28, 1]), { training: false }) as tf.Tensor).dataSync(),
    );
    expect(Array.from(output[0]).concat(Array.from(output[1]))).toEqual(Array.from(expected));
    const total = Array.from(output[0]).reduce((sum, value) => sum + Math.exp(value), 0);
    expect(total).toBeCloseTo(1, 5);
    model.dispose();
  });
});
