/**
 * The peak memory of a synchronous computation: the most bytes tfjs's tensors held at any moment, and the
 * process's resident set sampled as that peak grew.
 *
 * Two tensor measures, because tfjs's own overstates what is held: `tf.memory().numBytes` adds a tensor's size
 * for every tensor, also when tensors share one buffer (a reshape, a clone, and every tensor the gradient tape
 * saves, which is a clone of one the forward pass holds anyway). The distinct buffers are what occupies memory.
 * tf.profile reads numBytes only after each kernel and times every kernel. Here the engine's tensor tracking is
 * wrapped for the duration of `f` instead (trackTensor: a tensor is made, over a new buffer or a shared one;
 * removeDataId: a buffer's last tensor is gone), so every allocation is seen; the wrappers are removed after.
 */
import * as tf from '@tensorflow/tfjs';

export interface MemoryPeak<T> {
  result: T;
  /** tf.memory().numBytes when `f` started, and the most it reached while `f` ran (>= start). */
  startBytes: number;
  peakBytes: number;
  /** The most bytes of distinct tensor buffers held while `f` ran, beyond those held when it started (>= 0). */
  peakBufferBytes: number;
  /** Resident set (bytes) when `f` started, and the most sampled while it ran (at least at start and end). */
  startRss: number;
  peakRss: number;
}

/** The engine's tracking methods (tfjs-core engine.js), called on the engine for every tensor and buffer. */
interface Tracking {
  trackTensor(tensor: tf.Tensor, backend: unknown): void;
  removeDataId(dataId: object, backend: unknown): void;
}

/** Resident set sampled again whenever the buffer peak has grown by this much since the last sample. */
const rssSampleStep = 1024 ** 2;

export function measurePeak<T>(f: () => T): MemoryPeak<T> {
  const engine = tf.engine();
  const { state } = engine;
  const tracking = engine as unknown as Tracking;
  if (Object.hasOwn(tracking, 'trackTensor') || Object.hasOwn(tracking, 'removeDataId'))
    throw new Error("measurePeak: the tfjs engine's tracking is already wrapped (a nested measurePeak?)");
  const { trackTensor, removeDataId } = tracking;
  const startBytes = state.numBytes;
  const startRss = process.memoryUsage.rss();
  let peakBytes = startBytes;
  let buffers = 0;
  let peakBufferBytes = 0;
  let sampledAt = 0;
  let peakRss = startRss;
  tracking.trackTensor = function (tensor, backend) {
    const fresh = !state.tensorInfo.has(tensor.dataId);
    trackTensor.call(this, tensor, backend);
    peakBytes = Math.max(peakBytes, state.numBytes);
    if (!fresh) return;
    buffers += state.tensorInfo.get(tensor.dataId)?.bytes ?? 0;
    if (buffers <= peakBufferBytes) return;
    peakBufferBytes = buffers;
    if (buffers - sampledAt >= rssSampleStep) {
      sampledAt = buffers;
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }
  };
  tracking.removeDataId = function (dataId, backend) {
    const info = state.tensorInfo.get(dataId);
    removeDataId.call(this, dataId, backend);
    if (info && !state.tensorInfo.has(dataId)) buffers -= info.bytes;
  };
  try {
    const result = f();
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    return { result, startBytes, peakBytes, peakBufferBytes, startRss, peakRss };
  } finally {
    delete (tracking as Partial<Tracking>).trackTensor;
    delete (tracking as Partial<Tracking>).removeDataId;
  }
}
