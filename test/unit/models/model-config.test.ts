/**
 * One model config per model, passed whole: the experiments' configs are built from the schema beside each model
 * (src/lib/models/asr.ts, src/lib/models/cnn.ts), a profile's model fields reach the model under the same names,
 * and the model hands the same object to its encoder, decoder and attention layers.
 */
import { describe, expect, it } from 'vitest';
import { cnnConfig } from '../../../experiments/q2/config.ts';
import { q3Asr } from '../../../experiments/q3/asr.ts';
import { asrConfig, asrTrainingConfig, ljConfig } from '../../../experiments/q3/config.ts';
import { q3LjSpeech } from '../../../experiments/q3/ljspeech.ts';
import { resolveConfig } from '../../../src/lib/harness/experiment.ts';
import { asrModelConfig, createAsrModel } from '../../../src/lib/models/asr.ts';
import { cnnModelConfig } from '../../../src/lib/models/cnn.ts';

const modelFields = Object.keys(asrModelConfig.shape).filter((field) => field !== 'decoder');

describe('the ASR model config', () => {
  it("is the Q3 experiments' model fields: the same schema under the same names, no decoder (each run trains its decoders)", () => {
    for (const experiment of [asrConfig, ljConfig]) {
      for (const field of modelFields)
        expect(experiment.shape[field as keyof typeof experiment.shape], field).toBe(asrModelConfig.shape[field as keyof typeof asrModelConfig.shape]);
      expect(Object.keys(experiment.shape)).not.toContain('decoder');
    }
  });

  it("walks from a profile to the layers under the profile's names: the listening width reaches every attention layer", () => {
    for (const profile of [resolveConfig(q3Asr, 'listening'), resolveConfig(q3LjSpeech, 'listening')]) {
      const { model } = asrTrainingConfig(profile, 'attention');
      expect(model).toEqual({
        decoder: 'attention',
        ...Object.fromEntries(modelFields.filter((field) => field in profile).map((field) => [field, profile[field as keyof typeof profile]])),
      });
      expect(model.hidden).toBe(64);
      const asr = createAsrModel(model, 1);
      try {
        expect(asr.config).toBe(model);
        expect(asr.encoder.config).toBe(model);
        expect(asr.decoder.config).toBe(model);
        expect(asr.encoder.blocks).toHaveLength(model.encoderBlocks);
        for (const block of asr.encoder.blocks) expect([block.att.hidden, block.att.heads]).toEqual([model.hidden, model.heads]);
      } finally {
        asr.dispose();
      }
    }
  });
});

describe('the CNN model config', () => {
  it("gives Q2's config its dropout, the same schema under the same name", () => {
    expect(cnnConfig.shape.dropout).toBe(cnnModelConfig.shape.dropout);
    expect(cnnModelConfig.parse({ variant: 'pooled', classes: 10 })).toEqual({ variant: 'pooled', classes: 10, dropout: 0.7 });
    expect(() => cnnModelConfig.parse({ variant: 'pooled', classes: 10, dropout: 1 })).toThrow();
  });
});
