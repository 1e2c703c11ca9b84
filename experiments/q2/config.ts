/**
 * Question 2's config and profiles: the homework's protocol (15 epochs, batch 8, dropout 0.7, both networks at
 * every learning rate) with its data set, and the parts a run is made of: one network at one learning rate.
 */
import { z } from 'zod';
import type { PartResult } from '../../src/lib/harness/experiment.ts';
import type { CnnVariant } from '../../src/lib/models/cnn.ts';
import { cnnModelConfig } from '../../src/lib/models/cnn.ts';
import type { ClassifierResult } from '../../src/lib/train/classifier.ts';

// The model's dropout comes from its config (src/lib/models/cnn.ts), under the same name; the variant and the classes
// are each part's and the data's.
export const cnnConfig = cnnModelConfig
  .pick({ dropout: true })
  .extend({
    seed: z.number().int().default(1), // draws initialisation, shuffling and dropout seeds
    // Data
    dataset: z.enum(['fashion-mnist-fixture', 'fashion-mnist', 'octmnist']).default('fashion-mnist'), // fixture: committed, 3,000/600/600 images
    dataPath: z.string().optional(), // folder (Fashion-MNIST) or .npz file (OCTMNIST); default from FASHION_MNIST_DIR / OCTMNIST_NPZ
    limitTrain: z.number().int().positive().optional(), // keep the first N training images (smoke runs only)
    // Protocol (the homework's)
    epochs: z.number().int().positive().default(15),
    batchSize: z.number().int().positive().default(8),
    learningRates: z.array(z.number().positive()).min(1).default([0.1, 0.01, 0.001]), // both nets at every rate (the homework: stride-2 at the best only)
  })
  .strict();

export type CnnExperimentConfig = z.output<typeof cnnConfig>;

/** q2-cnn's profiles (./cnn.ts). */
export const cnnProfiles = {
  // Real training on the committed fixture, short enough for CI: 3 epochs of 3,000 images per run.
  smoke: { dataset: 'fashion-mnist-fixture', epochs: 3 },
  // The homework's protocol on Fashion-MNIST (Debian's dataset-fashion-mnist or FASHION_MNIST_DIR), three seeds:
  // ~55 minutes of one core per seed (six runs of 15 epochs), parts on every core.
  full: { dataset: 'fashion-mnist', seeds: [1, 2, 3] },
  // The homework's protocol on the homework's data (OCTMNIST_NPZ must point at octmnist.npz).
  octmnist: { dataset: 'octmnist' },
} satisfies Record<string, Partial<z.input<typeof cnnConfig>> & { seeds?: number[] }>;

export const variants = ['pooled', 'strided'] as const;

/** A part's result: the run and, when it finished, its final weights for publishing. */
export interface ClassifierPart extends PartResult {
  result: ClassifierResult;
}

/** A part of a run: one network at one learning rate. */
export interface CnnPart {
  variant: CnnVariant;
  learningRate: number;
}

/** A part's folder name, and the name its published weights take: `pooled-lr0.01`. */
export function partName({ variant, learningRate }: CnnPart): string {
  return `${variant}-lr${learningRate}`;
}
