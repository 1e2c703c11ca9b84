/**
 * The homework's per-epoch learning-rate schedule, read as PyTorch's
 *   SequentialLR(opt, [LinearLR(opt, start_factor=0.01, total_iters=w),
 *                      LinearLR(opt, start_factor=1.0, end_factor=0.01, total_iters=epochs - w)], milestones=[w])
 * with w = int(0.15 * epochs) and scheduler.step() once per epoch. In closed form, the factor used during
 * epoch e (0-based) is
 *   e < w:  0.01 + (1 - 0.01) * e / w                    (warm-up; reaches 1 at epoch w)
 *   e >= w: 1 + (0.01 - 1) * (e - w) / (epochs - w)      (decay; 0.01 would be reached only after the last epoch)
 * e.g. 15 epochs: w = 2, factors 0.01, 0.505, 1, 0.9238..., 0.0862 at the last epoch (checked against
 * torch 1.13). When w = 0 (fewer than 7 epochs) there is no warm-up: PyTorch would divide by zero there, so
 * the decay starts at once.
 */

export interface WarmupDecayOptions {
  epochs: number; // epochs in the run
  warmupFraction: number; // of the epochs, rounded down
  startFactor: number; // warm-up starts at this multiple of the base rate
  endFactor: number; // decay heads to this multiple
}

const homeworkSchedule: Omit<WarmupDecayOptions, 'epochs'> = { warmupFraction: 0.15, startFactor: 0.01, endFactor: 0.01 };

export function warmupEpochs(epochs: number, warmupFraction = homeworkSchedule.warmupFraction): number {
  // Python's int() of the same double product, so the rounding agrees with the homework's code everywhere.
  return Math.floor(warmupFraction * epochs);
}

/** The learning-rate multiplier for `epoch` (0-based). */
export function learningRateFactor(epoch: number, options: Partial<WarmupDecayOptions> & { epochs: number }): number {
  const { epochs, warmupFraction, startFactor, endFactor } = { ...homeworkSchedule, ...options };
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`learningRateFactor: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(epoch) || epoch < 0 || epoch >= epochs) throw new Error(`learningRateFactor: epoch ${epoch} is outside 0..${epochs - 1}`);
  const warm = warmupEpochs(epochs, warmupFraction);
  if (epoch < warm) return startFactor + ((1 - startFactor) * epoch) / warm;
  return 1 + ((endFactor - 1) * (epoch - warm)) / (epochs - warm);
}
