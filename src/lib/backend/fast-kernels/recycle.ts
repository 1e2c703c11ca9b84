/**
 * Reuse of the fast kernels' output arrays once tfjs has disposed their tensors.
 *
 * A training step makes and drops the same large arrays every step (activations, gradients, weight updates).
 * Fresh typed arrays are expensive in Node: each is a new zeroed backing store, often new pages, and more work
 * for the garbage collector; measured on the Q2 CNN step, allocation was a quarter of the fast step's time.
 *
 * An array is reused only when nothing else can still see it:
 * - it was allocated here, handed to the cpu backend exactly once (our kernel's makeTensorInfo), and
 * - its values were never read out of the backend (readSync/read: dataSync(), data(), arraySync(), print()
 *   and friends return the backend's own array, which the caller may keep after disposing the tensor), and
 * - no other tensor was written with the same memory (a view, as a contiguous slice is), and
 * - the backend deleted its entry (the last reference to the tensor's data was disposed).
 * The backend's write, move, readSync and disposeData are wrapped on the instance to see these events;
 * stopRecycling() restores them and forgets every pooled array.
 */
import type { DataId, MathBackendCPU } from '@tensorflow/tfjs';

/** Arrays shorter than this are cheap to allocate and not worth tracking. */
const minLength = 4096;
/** Pooled arrays per length, and in all: enough for a training step's working set of large arrays. */
const perLength = 6;
const maxPooledBytes = 128 * 1024 * 1024;

interface Owned {
  array: Float32Array;
  registered: boolean;
}

interface Recycler {
  backend: MathBackendCPU;
  owned: WeakMap<ArrayBufferLike, Owned>;
  free: Map<number, Float32Array[]>;
  pooledBytes: number;
  restore: () => void;
}

const recyclers = new Map<MathBackendCPU, Recycler>();
/** Backends whose methods someone else had already wrapped: left alone, nothing reused. */
const foreign = new WeakSet<MathBackendCPU>();

type Values = MathBackendCPU['data'] extends { get(id: DataId): infer T } ? (T extends { values?: infer V } ? V : never) : never;

/** A float32 array of `length` for a kernel's output: reused when one is free, else new. Contents are stale. */
export function outputArray(backend: MathBackendCPU, length: number): Float32Array {
  if (length < minLength || foreign.has(backend)) return new Float32Array(length);
  const recycler = recyclers.get(backend) ?? install(backend);
  if (!recycler) return new Float32Array(length);
  const array = recycler.free.get(length)?.pop();
  if (array) recycler.pooledBytes -= array.byteLength;
  const out = array ?? new Float32Array(length);
  recycler.owned.set(out.buffer, { array: out, registered: false });
  return out;
}

/** Restores the backends' own methods and drops every pooled array. */
export function stopRecycling(): void {
  for (const recycler of recyclers.values()) recycler.restore();
  recyclers.clear();
}

/** Pooled arrays and their bytes, for tests and the benchmark. */
export function recyclingStats(): { arrays: number; bytes: number } {
  let arrays = 0;
  let bytes = 0;
  for (const r of recyclers.values()) {
    for (const list of r.free.values()) arrays += list.length;
    bytes += r.pooledBytes;
  }
  return { arrays, bytes };
}

/** Undefined when someone else already wrapped the backend's methods: then nothing is reused. */
function install(backend: MathBackendCPU): Recycler | undefined {
  const owned = new WeakMap<ArrayBufferLike, Owned>();
  const free = new Map<number, Float32Array[]>();
  // Own properties shadow the prototype's methods; deleting them restores the originals.
  const methods = ['write', 'move', 'readSync', 'disposeData'] as const;
  const hadOwn = methods.filter((m) => Object.hasOwn(backend, m));
  if (hadOwn.length) {
    foreign.add(backend);
    return undefined;
  }
  const write = backend.write;
  const move = backend.move;
  const readSync = backend.readSync;
  const disposeData = backend.disposeData;

  /** Values handed to the backend: the first hand-over of our array is ours, any other sighting disowns it. */
  const seen = (values: unknown) => {
    if (!ArrayBuffer.isView(values)) return;
    const entry = owned.get(values.buffer);
    if (!entry) return;
    if (values === entry.array && !entry.registered) entry.registered = true;
    else owned.delete(values.buffer);
  };

  const recycler: Recycler = {
    backend,
    owned,
    free,
    pooledBytes: 0,
    restore() {
      for (const m of methods) delete (backend as unknown as Record<string, unknown>)[m];
      free.clear();
      recycler.pooledBytes = 0;
    },
  };

  Object.assign(backend, {
    write(this: MathBackendCPU, values: Values, shape: number[], dtype: Parameters<MathBackendCPU['write']>[2]) {
      seen(values);
      return write.call(this, values, shape, dtype);
    },
    move(this: MathBackendCPU, dataId: DataId, values: Values, shape: number[], dtype: Parameters<MathBackendCPU['move']>[3], refCount: number) {
      seen(values);
      return move.call(this, dataId, values, shape, dtype, refCount);
    },
    readSync(this: MathBackendCPU, dataId: DataId) {
      const values = this.data.get(dataId)?.values;
      if (ArrayBuffer.isView(values)) owned.delete(values.buffer);
      return readSync.call(this, dataId);
    },
    disposeData(this: MathBackendCPU, dataId: DataId, force?: boolean) {
      const values = this.data.get(dataId)?.values;
      const result = disposeData.call(this, dataId, force);
      if (values instanceof Float32Array && !this.data.has(dataId)) {
        const entry = owned.get(values.buffer);
        if (entry && entry.array === values && entry.registered) {
          owned.delete(values.buffer);
          const list = free.get(values.length) ?? [];
          if (list.length < perLength && recycler.pooledBytes + values.byteLength <= maxPooledBytes) {
            list.push(values);
            free.set(values.length, list);
            recycler.pooledBytes += values.byteLength;
          }
        }
      }
      return result;
    },
  });
  recyclers.set(backend, recycler);
  return recycler;
}
