import { describe, expect, it } from 'vitest';
import { learningRateFactor, warmupEpochs } from '../../../src/lib/train/schedule.ts';

/*
 * Learning rates per epoch (base 1e-3) from torch 1.13.1:
 *   warm = int(0.15 * epochs)
 *   sched = SequentialLR(opt, [LinearLR(opt, start_factor=0.01, total_iters=warm),
 *                              LinearLR(opt, start_factor=1.0, end_factor=0.01, total_iters=epochs - warm)], milestones=[warm])
 *   for e in range(epochs): lrs.append(opt.param_groups[0]['lr']); opt.step(); sched.step()
 */
const torchLearningRates: Record<number, number[]> = {
  15: [
    1e-5, 0.000505, 0.001, 0.0009238461538461539, 0.0008476923076923078, 0.0007715384615384616, 0.0006953846153846155, 0.0006192307692307693,
    0.0005430769230769231, 0.000466923076923077, 0.00039076923076923083, 0.00031461538461538465, 0.0002384615384615385, 0.00016230769230769234,
    8.615384615384615e-5,
  ],
  7: [1e-5, 0.001, 0.000835, 0.00067, 0.000505, 0.00034, 0.000175],
  20: [
    1e-5, 0.00034, 0.0006700000000000001, 0.001, 0.000941764705882353, 0.000883529411764706, 0.0008252941176470589, 0.0007670588235294118,
    0.0007088235294117647, 0.0006505882352941175, 0.0005923529411764705, 0.0005341176470588235, 0.0004758823529411764, 0.0004176470588235294,
    0.0003594117647058823, 0.0003011764705882352, 0.00024294117647058816, 0.00018470588235294113, 0.0001264705882352941, 6.823529411764707e-5,
  ],
};

describe('warm-up then linear decay schedule', () => {
  for (const [epochs, expected] of Object.entries(torchLearningRates)) {
    it(`matches PyTorch's SequentialLR over ${epochs} epochs`, () => {
      const actual = expected.map((_, epoch) => 1e-3 * learningRateFactor(epoch, { epochs: Number(epochs) }));
      // PyTorch's LinearLR multiplies recursively; the closed form differs by double rounding only.
      actual.forEach((value, epoch) => expect(Math.abs(value - expected[epoch]), `epoch ${epoch}`).toBeLessThan(1e-15));
    });
  }

  it('rounds the warm-up down like int(0.15 * epochs) and skips it below 7 epochs', () => {
    expect([1, 6, 7, 13, 14, 15, 20, 100].map((epochs) => warmupEpochs(epochs))).toEqual([0, 0, 1, 1, 2, 2, 3, 15]);
    expect([0, 1, 2].map((epoch) => learningRateFactor(epoch, { epochs: 3 }))).toEqual([1, 1 - 0.99 / 3, 1 - (2 * 0.99) / 3]);
  });

  it('rejects epochs outside the run', () => {
    expect(() => learningRateFactor(15, { epochs: 15 })).toThrow(/epoch 15 is outside 0\.\.14/);
    expect(() => learningRateFactor(0, { epochs: 0 })).toThrow(/positive integer/);
  });
});
