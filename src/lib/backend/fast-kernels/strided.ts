/**
 * Strided walks over dense row-major tensors, shared by the elementwise, reduction and layout kernels:
 * unit dimensions are dropped and neighbours merged wherever every operand allows, so the innermost loop
 * is as long as possible and the outer odometer as short as possible.
 */

/** Shape and per-operand strides with unit dimensions dropped and mergeable neighbours merged. */
export interface Walk {
  shape: number[];
  strides: number[][];
}

export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): Walk {
  const dims: number[] = [];
  const out: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims.length - 1;
    // Dimension d folds into the previous kept one when every operand steps over d exactly as far as one
    // step of the previous dimension.
    if (last >= 0 && strides.every((s, k) => out[k][last] === s[d] * shape[d])) {
      dims[last] *= shape[d];
      strides.forEach((s, k) => (out[k][last] = s[d]));
      continue;
    }
    dims.push(shape[d]);
    strides.forEach((s, k) => out[k].push(s[d]));
  }
  if (dims.length === 0) {
    dims.push(1);
    out.forEach((s) => s.push(0));
  }
  return { shape: dims, strides: out };
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = step;
    step *= shape[d];
  }
  return strides;
}

/** Strides of `shape` read as if broadcast to `outShape` (0 along broadcast dimensions). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = contiguousStrides(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((_, d) => (d < offset || shape[d - offset] === 1 ? 0 : own[d - offset]));
}

export type DenseArray = Float32Array | Int32Array | Uint8Array;

/** out (row-major over `shape`) = src[offset + sum(index[d] * strides[d])]: slices and transposes. */
export function gatherStrided(src: DenseArray, offset: number, strides: readonly number[], shape: readonly number[], out: DenseArray): void {
  if (out.length === 0) return;
  const walk = collapse(shape, [contiguousStrides(shape), strides]);
  const rank = walk.shape.length;
  const inner = walk.shape[rank - 1];
  const [os, ss] = walk.strides;
  const step = ss[rank - 1];
  const index = new Array<number>(rank).fill(0);
  let o = 0;
  let s = offset;
  for (;;) {
    if (step === 1) {
      for (let i = 0; i < inner; i++) out[o + i] = src[s + i];
    } else {
      for (let i = 0; i < inner; i++) out[o + i] = src[s + i * step];
    }
    let d = rank - 2;
    for (; d >= 0; d--) {
      if (++index[d] < walk.shape[d]) {
        o += os[d];
        s += ss[d];
        break;
      }
      index[d] = 0;
      o -= os[d] * (walk.shape[d] - 1);
      s -= ss[d] * (walk.shape[d] - 1);
    }
    if (d < 0) break;
  }
}
