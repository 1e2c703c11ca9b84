/** Every experiment of the project, for the command-line runners (scripts/experiment.ts, attest, calibrate). */
import type { ExperimentDefinition } from '../src/lib/harness/experiment.ts';
import { benchCpuKernels } from './bench/cpu-kernels.ts';
import { q1LinearAttention } from './q1/linear-attention.ts';
import { q2Cnn } from './q2/cnn.ts';
import { q3Asr } from './q3/asr.ts';
import { q3Generalisation } from './q3/generalisation.ts';
import { q3LjSpeech, q3LjSpeechTransfer } from './q3/ljspeech.ts';

export const experiments: ExperimentDefinition[] = [q1LinearAttention, q2Cnn, q3Asr, q3LjSpeech, q3LjSpeechTransfer, q3Generalisation, benchCpuKernels];
