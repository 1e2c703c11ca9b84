/**
 * Cross-validation's pre-training can continue from another experiment's published short-clip model (issue 18.4):
 * its weights load into the full-length model, the attention decoder's text positions grown to the longer text.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startWeights } from '../../../experiments/q3/ljspeech-cv.ts';
import type { CvConfig } from '../../../experiments/q3/ljspeech-cv.ts';
import { initBackend } from '../../../src/lib/backend/backend.ts';
import { createAsrModel } from '../../../src/lib/models/asr.ts';
import { loadStateDict, stateDict } from '../../../src/lib/models/layers.ts';
import { readSafetensors } from '../../../src/lib/weights/safetensors.ts';
import { asrTrainingConfig } from '../../../experiments/q3/config.ts';

const config = {
  seed: 1,
  arms: ['synthetic-then-real'],
  corpusSeed: 1,
  decoders: ['recurrent', 'attention'],
  nMels: 80,
  frames: 1400,
  textLength: 170,
  hidden: 64,
  heads: 2,
  mlpHidden: 128,
  encoderBlocks: 2,
  maxTimescale: 3000,
  epochs: 1,
  trainBatch: 16,
  evalBatch: 32,
  learningRate: 2e-3,
  weightDecay: 0.01,
  labelSmoothing: 0.1,
  warmupFraction: 0.15,
  samples: 1,
} satisfies CvConfig;

beforeAll(async () => {
  await initBackend({ log: () => {} });
});

describe('startWeights', () => {
  it.each(['recurrent', 'attention'] as const)('loads q3-asr/listening %s into a model with text length 170', async (decoder) => {
    const published = await readSafetensors(`models/q3-asr/listening/${decoder}.safetensors`);
    const weights = await startWeights(config, 'models/q3-asr/listening', decoder);
    const model = createAsrModel(asrTrainingConfig(config, decoder).model, 1);
    loadStateDict(model, weights, '', 'start weights');
    const loaded = stateDict(model);
    for (const [name, tensor] of published) {
      if (name !== 'decoder.pos_embed') expect(loaded.get(name)!.data, name).toEqual(tensor.data);
    }
    if (decoder === 'attention') {
      const positions = loaded.get('decoder.pos_embed')!;
      const had = published.get('decoder.pos_embed')!;
      expect(positions.shape).toEqual([169, 64]);
      expect(positions.data.subarray(0, had.data.length)).toEqual(had.data);
      // The new rows start as a fresh model's: N(0, 1), not zeros.
      const added = positions.data.subarray(had.data.length);
      const variance = added.reduce((sum, value) => sum + value * value, 0) / added.length;
      expect(variance).toBeGreaterThan(0.8);
      expect(variance).toBeLessThan(1.2);
    }
    model.dispose();
  });

  it('names the file it cannot read', async () => {
    await expect(startWeights(config, 'models/no-such-folder', 'attention')).rejects.toThrow(
      /cannot read the start weights .*models\/no-such-folder\/attention\.safetensors/,
    );
  });
});
