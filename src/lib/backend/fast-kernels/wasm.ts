/**
 * Loads wasm/kernels.wasm (built from wasm/kernels.c by wasm/build.sh) and hands out its linear memory.
 *
 * Kernels are synchronous and never nest, so each call starts a fresh arena: it resets a bump pointer,
 * copies its inputs in, runs, and copies its output out. tfjs keeps tensor values in its own typed arrays,
 * which cannot live in wasm memory (growing the memory detaches every view), hence the copies; they cost
 * far less than the arithmetic they feed. The memory only grows, to the largest call seen.
 */
import { readFileSync } from 'node:fs';

/** Signatures of the functions exported by kernels.c; pointers are byte offsets into `memory`. */
interface KernelExports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  gemm_scratch_bytes(): number;
  gemm(
    m: number,
    n: number,
    k: number,
    a: number,
    lda: number,
    transA: number,
    b: number,
    ldb: number,
    transB: number,
    c: number,
    ldc: number,
    accumulate: number,
    scratch: number,
  ): void;
  conv_scratch_bytes(geometry: number): number;
  conv2d(geometry: number, x: number, w: number, y: number, scratch: number): void;
  conv2d_backprop_filter(geometry: number, x: number, dy: number, dw: number, scratch: number): void;
  conv2d_backprop_input(geometry: number, dy: number, w: number, dx: number, scratch: number): void;
  bias_activation(y: number, m: number, n: number, bias: number, activation: number): void;
  binary_block(
    op: number,
    rows: number,
    n: number,
    out: number,
    outRow: number,
    a: number,
    aRow: number,
    aStep: number,
    b: number,
    bRow: number,
    bStep: number,
  ): void;
  relu(x: number, y: number, n: number): void;
  step(x: number, y: number, n: number, alpha: number): void;
  max_pool(geometry: number, x: number, y: number): void;
  max_pool_grad(geometry: number, x: number, dy: number, dx: number): void;
}

const wasmPath = new URL('./wasm/kernels.wasm', import.meta.url);
const pageBytes = 65536;

export class WasmArena {
  readonly kernels: KernelExports;
  readonly #base: number;
  #top: number;
  #f32: Float32Array;
  #i32: Int32Array;

  constructor(kernels: KernelExports) {
    this.kernels = kernels;
    this.#base = align(kernels.__heap_base.value as number);
    this.#top = this.#base;
    this.#f32 = new Float32Array(kernels.memory.buffer);
    this.#i32 = new Int32Array(kernels.memory.buffer);
  }

  /** Forgets every allocation; call at the start of each kernel. */
  reset(): this {
    this.#top = this.#base;
    return this;
  }

  /** Reserves `bytes` (16-byte aligned) and returns the byte offset; the contents are unspecified. */
  alloc(bytes: number): number {
    const ptr = this.#top;
    const end = align(ptr + bytes);
    const have = this.kernels.memory.buffer.byteLength;
    if (end > have) this.kernels.memory.grow(Math.ceil((end - have) / pageBytes));
    this.#top = end;
    return ptr;
  }

  /** Copies float32 values in and returns their byte offset. */
  put(values: Float32Array): number {
    const ptr = this.alloc(values.length * 4);
    this.f32.set(values, ptr >> 2);
    return ptr;
  }

  /** Copies int32 fields (a geometry struct) in and returns their byte offset. */
  putInts(values: readonly number[]): number {
    const ptr = this.alloc(values.length * 4);
    this.i32.set(values, ptr >> 2);
    return ptr;
  }

  /** Reserves `count` floats set to zero. */
  zeros(count: number): number {
    const ptr = this.alloc(count * 4);
    this.f32.fill(0, ptr >> 2, (ptr >> 2) + count);
    return ptr;
  }

  /** Copies `out.length` floats at `ptr` into `out` (which tfjs then keeps as tensor storage). */
  read(ptr: number, out: Float32Array): Float32Array {
    out.set(this.f32.subarray(ptr >> 2, (ptr >> 2) + out.length));
    return out;
  }

  get f32(): Float32Array {
    if (this.#f32.buffer !== this.kernels.memory.buffer) this.#f32 = new Float32Array(this.kernels.memory.buffer);
    return this.#f32;
  }

  get i32(): Int32Array {
    if (this.#i32.buffer !== this.kernels.memory.buffer) this.#i32 = new Int32Array(this.kernels.memory.buffer);
    return this.#i32;
  }
}

let arena: WasmArena | undefined;

/** The process-wide arena, compiling the module on first use (synchronously: it is ~15 kB). */
export function wasmArena(): WasmArena {
  if (arena) return arena.reset();
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(readFileSync(wasmPath));
  } catch (error) {
    throw new Error(`fast kernels: cannot read ${wasmPath.pathname} (run wasm/build.sh): ${String(error)}`);
  }
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  arena = new WasmArena(instance.exports as unknown as KernelExports);
  return arena;
}

function align(bytes: number): number {
  // Arithmetic, not bit masks: offsets may pass 2 GiB, beyond int32.
  return Math.ceil(bytes / 16) * 16;
}
