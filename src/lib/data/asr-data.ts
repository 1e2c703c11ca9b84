/**
 * Question 3's data as the training loop and the evaluation read it: a split loads examples by index, in the order
 * asked, as row-major typed arrays. The data sets (./asr-split.ts) and the tests' in-memory splits make them; the
 * loop in ../train/asr.ts consumes them, so the types live here, below both.
 */

/** Examples in row-major typed arrays. */
export interface AsrBatch {
  audio: Float32Array; // [batch, freq, frames] log-mel features
  text: Int32Array; // [batch, textLength] token ids, start ... stop, pad
  frames?: number; // this batch's frames when padded to its own longest clip (length bucketing); default config.frames
  textLength?: number; // this batch's token columns when cut to its longest transcript; default the model's textLength
}

/** A split that loads examples by index (in the order given). */
export interface AsrSplit {
  readonly size: number;
  /** The training loop passes the epoch (0-based), from which an augmented split draws each clip's augmentation. */
  load(indices: readonly number[], context?: { epoch: number }): Promise<AsrBatch> | AsrBatch;
}

/** A split held in memory: `examples` row-major, `count` examples of [freq, frames] audio and [textLength] text. */
export function inMemorySplit(examples: AsrBatch, shape: { count: number; freq: number; frames: number; textLength: number }): AsrSplit {
  const { count, freq, frames, textLength } = shape;
  const audioSize = freq * frames;
  if (examples.audio.length !== count * audioSize)
    throw new Error(`inMemorySplit: audio has ${examples.audio.length} values, expected ${count} x ${freq} x ${frames}`);
  if (examples.text.length !== count * textLength) throw new Error(`inMemorySplit: text has ${examples.text.length} ids, expected ${count} x ${textLength}`);
  return {
    size: count,
    load(indices) {
      const audio = new Float32Array(indices.length * audioSize);
      const text = new Int32Array(indices.length * textLength);
      indices.forEach((index, row) => {
        if (!Number.isInteger(index) || index < 0 || index >= count) throw new Error(`inMemorySplit: index ${index} is outside 0..${count - 1}`);
        audio.set(examples.audio.subarray(index * audioSize, (index + 1) * audioSize), row * audioSize);
        text.set(examples.text.subarray(index * textLength, (index + 1) * textLength), row * textLength);
      });
      return { audio, text };
    },
  };
}

export interface AsrData {
  train: AsrSplit;
  validation: AsrSplit;
  test: AsrSplit;
}
