/** Narrows trainAsr's result to a finished run, failing the test with the run's status otherwise. */
import type { AsrTrainingResult, AsrTrainingUnfinished } from '../../src/lib/train/asr.ts';

export function finished(result: AsrTrainingResult | AsrTrainingUnfinished): AsrTrainingResult {
  if (result.status !== 'finished') throw new Error(`expected a finished run, got one that ${result.status} after ${result.epochs.length} epochs`);
  return result;
}
