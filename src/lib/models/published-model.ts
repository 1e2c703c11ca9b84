/**
 * A published model's network from its config and weights (a PyTorch state dict), with nothing else in the
 * file allowed. No file work: `npm run transcribe`/`classify` (through ./published-files.ts) and the report's
 * "try it" page both build their models here.
 */
import type * as tf from '@tensorflow/tfjs';
import type { TensorMap } from '../weights/safetensors.ts';
import { createAsrModel, loadPyTorchAsrWeights } from './asr.ts';
import type { AsrModel, AsrModelConfig } from './asr.ts';
import { cnnParameterShapes, createCnn, loadCnnStateDict } from './cnn.ts';
import type { CnnConfig } from './cnn.ts';

function listed(names: string[]): string {
  return `${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}`;
}

/** An ASR model holding exactly `encoder.*` and `decoder.*` of `tensors`; errors name `source`. The caller disposes it. */
export function asrModelFromStateDict(config: AsrModelConfig, tensors: TensorMap, source = 'state dict'): AsrModel {
  const stray = [...tensors.keys()].filter((name) => !name.startsWith('encoder.') && !name.startsWith('decoder.'));
  if (stray.length) throw new Error(`${source}: tensors outside encoder.* and decoder.*: ${listed(stray)}`);
  // The seed only draws initial weights, which the state dict replaces.
  const model = createAsrModel(config, 1);
  try {
    loadPyTorchAsrWeights(model, tensors, { encoder: 'encoder.', decoder: 'decoder.' }, source);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/**
 * A CNN holding exactly cnnParameterShapes' tensors; anything missing, extra or misshapen is an error naming
 * `source`. Under predict() it runs in eval mode (no dropout). The caller disposes it.
 */
export function cnnFromStateDict(config: Omit<CnnConfig, 'seed'>, tensors: TensorMap, source = 'state dict'): tf.Sequential {
  const names = new Set(cnnParameterShapes(config.classes).map(([name]) => name));
  const stray = [...tensors.keys()].filter((name) => !names.has(name));
  if (stray.length) throw new Error(`${source}: tensors that are not CNN parameters: ${listed(stray)}`);
  const model = createCnn({ ...config, seed: 1 });
  try {
    loadCnnStateDict(model, tensors);
  } catch (error) {
    model.dispose();
    throw new Error(`${source}: ${(error as Error).message}`, { cause: error });
  }
  return model;
}
