/**
 * Question 1's config and profiles: the seed every random input derives from, the sizes of the derivation checks,
 * and the sweep the cost is measured over.
 */
import { z } from 'zod';

export const linearAttentionConfig = z
  .object({
    seed: z.number().int().default(2023), // every random q, k, Q, K, V below derives from it
    // Feature-map identity
    maxDims: z.number().int().min(1).default(8), // D = 1..maxDims
    maxTerms: z.number().int().min(1).default(5), // K = 1..maxTerms
    samplesPerCase: z.number().int().min(1).default(20), // random (q, k) pairs per (D, K)
    // Attention forms
    length: z.number().int().min(2).default(64), // L for the equality and error checks
    dims: z.number().int().min(1).default(8), // D of Q, K, V
    terms: z.number().int().min(1).default(3), // McLaurin terms of the attention feature map
    scales: z.array(z.number().positive()).default([0.125, 0.25, 0.5, 1, 2, 4]), // std of qᵀk in the error table
    // Measured cost
    costLengths: z.array(z.number().int().min(2)).default([256, 512, 1024, 2048, 4096, 8192]),
    costDims: z.number().int().min(1).default(8), // D for timing; M = 1 + D + D² with 3 terms
    minSecondsPerPoint: z.number().positive().default(0.05), // repeat short runs until this much time has passed
    repeats: z.number().int().min(1).default(3), // best of this many timed batches per point
    sweeps: z.number().int().min(1).default(1), // times the whole cost sweep is repeated: one slope per sweep, for their spread
  })
  .strict();

export type LinearAttentionConfig = z.output<typeof linearAttentionConfig>;

/** q1-linear-attention's profiles (./linear-attention.ts). */
export const linearAttentionProfiles = {
  // CI: the cost sweep timed once per point, not best of 3 (issue 20: 31 s -> 10 s). Five runs here gave slopes
  // 1.91-2.04 (softmax) and 0.96-0.99 (linear); a sweep cut at L = 4,096 instead, best of 3, gave 0.95-1.18 (linear).
  smoke: { repeats: 1 },
  full: { samplesPerCase: 100, length: 128, costLengths: [256, 512, 1024, 2048, 4096, 8192, 16384], repeats: 5, sweeps: 5 },
} satisfies Record<string, Partial<z.input<typeof linearAttentionConfig>>>;
