/**
 * The epoch loop's one policy, on a counting trainer with no model: resume, stale and foreign checkpoints,
 * divergence as a checkpointed result, and stopping after an epoch.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CHECKPOINT_FILE, loadCheckpoint, saveCheckpoint } from '../../../src/lib/train/checkpoint.ts';
import type { EpochLoopOptions, EpochTrainer } from '../../../src/lib/train/loop.ts';
import { runEpochs } from '../../../src/lib/train/loop.ts';

const rowSchema = z.object({ epoch: z.number().int(), loss: z.number() }).strict();
const stateSchema = z.object({ total: z.number() }).strict();
type Row = z.infer<typeof rowSchema>;
type State = z.infer<typeof stateSchema>;

/** Each epoch adds its number to a running total; the loss of epoch `nanAt` (if any) is NaN at step 2. */
function counter(nanAt?: number) {
  const trained: number[] = [];
  const started: number[] = [];
  let total = 0;
  const trainer: EpochTrainer<Row, State> = {
    async start(resumed) {
      started.push(resumed);
    },
    async epoch(epoch) {
      trained.push(epoch);
      if (epoch === nanAt) return { diverged: { step: 2, loss: Number.NaN } };
      total += epoch;
      return { row: { epoch, loss: 1 / epoch } };
    },
    save: () => ({ state: { total }, tensors: new Map([['total', { shape: [1], data: Float32Array.of(total) }]]) }),
    restore(state, tensors) {
      total = state.total;
      expect(tensors.get('total')?.data[0]).toBe(total);
    },
  };
  return { trainer, trained, started, total: () => total };
}

let scratch: string;
let runs = 0;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'loop-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function options(overrides: Partial<EpochLoopOptions<Row, State>> = {}, lines: string[] = []): EpochLoopOptions<Row, State> {
  return { kind: 'counter', setup: { rate: 1 }, epochs: 3, label: '[test] counter', log: (line) => lines.push(line), rowSchema, stateSchema, ...overrides };
}

describe('runEpochs', () => {
  it('runs every epoch in order and finishes, checkpointing nothing without a folder', async () => {
    const run = counter();
    const result = await runEpochs(run.trainer, options());
    expect(result).toEqual({ status: 'finished', rows: [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch })), diverged: null, resumedEpochs: 0 });
    expect(run.trained).toEqual([1, 2, 3]);
    expect(run.started).toEqual([0]);
    await expect(runEpochs(run.trainer, options({ epochs: 0 }))).rejects.toThrow(/\[test\] counter: epochs must be a positive integer, got 0/);
  });

  it('stops after the asked epoch as a killed run would, and resumes from its checkpoint to the same end', async () => {
    const dir = join(scratch, `run-${runs++}`);
    const first = counter();
    const stopped = await runEpochs(first.trainer, options({ checkpointDir: dir, stopAfterEpoch: 1 }));
    expect(stopped.status).toBe('stopped');
    expect(first.trained).toEqual([1]);
    const lines: string[] = [];
    const second = counter();
    const resumed = await runEpochs(second.trainer, options({ checkpointDir: dir, stopAfterEpoch: 3 }, lines));
    expect(resumed).toMatchObject({ status: 'finished', resumedEpochs: 1 });
    expect(second.trained).toEqual([2, 3]);
    expect(second.started).toEqual([1]);
    expect(second.total()).toBe(6);
    expect(resumed.rows.map((row) => row.epoch)).toEqual([1, 2, 3]);
    expect(lines).toContain(`[test] counter: resuming after epoch 1 of 3 from ${dir}`);
  });

  it('a non-finite loss ends the run as diverged, checkpointed, and a resumed run reports it without training', async () => {
    const dir = join(scratch, `run-${runs++}`);
    const lines: string[] = [];
    const run = counter(2);
    const result = await runEpochs(run.trainer, options({ checkpointDir: dir }, lines));
    expect(result).toEqual({ status: 'diverged', rows: [{ epoch: 1, loss: 1 }], diverged: { epoch: 2, step: 2, loss: Number.NaN }, resumedEpochs: 0 });
    expect(run.trained).toEqual([1, 2]);
    expect(lines).toContain('[test] counter: loss NaN at epoch 2, step 2: diverged, stopping this run');
    const checkpoint = JSON.parse(await readFile(join(dir, CHECKPOINT_FILE), 'utf8'));
    expect(checkpoint.weights).toMatch(/^weights-epoch-0002-diverged/);
    expect(checkpoint.state).toMatchObject({ epoch: 1, diverged: { epoch: 2, step: 2, loss: 'NaN' } });

    const again = counter(2);
    const resumed = await runEpochs(again.trainer, options({ checkpointDir: dir }));
    expect(resumed).toEqual({ ...result, resumedEpochs: 1 });
    expect(again.trained).toEqual([]);
    expect(again.started).toEqual([]);
  });

  it('a checkpoint of another setup, another key or past the epochs asked for is cleared, and the run starts over', async () => {
    for (const [changed, problem] of [
      [{ setup: { rate: 2 } }, 'it was made with another setup or checkpoint key'],
      [{ checkpointKey: 'code-v2' }, 'it was made with another setup or checkpoint key'],
      [{ epochs: 1 }, 'it is at epoch 2, past the 1 asked for'],
    ] as const) {
      const dir = join(scratch, `run-${runs++}`);
      await runEpochs(counter().trainer, options({ checkpointDir: dir, stopAfterEpoch: 2 }));
      const lines: string[] = [];
      const run = counter();
      const result = await runEpochs(run.trainer, options({ checkpointDir: dir, ...changed, stopAfterEpoch: 1 }, lines));
      expect(result.resumedEpochs).toBe(0);
      expect(run.trained).toEqual([1]);
      expect(lines).toContain(`[test] counter: not resuming the checkpoint in ${dir}: ${problem}; clearing it and starting over`);
      // Cleared, then written again by this run's first epoch.
      expect((await loadCheckpoint(dir))?.state).toMatchObject({ epoch: 1 });
    }
  });

  it("a checkpoint it cannot read as this trainer's is an error naming the folder, and is left in place", async () => {
    const dir = join(scratch, `run-${runs++}`);
    await runEpochs(counter().trainer, options({ checkpointDir: dir, stopAfterEpoch: 1 }));
    await expect(runEpochs(counter().trainer, options({ checkpointDir: dir, kind: 'other' }))).rejects.toThrow(
      `${dir}: the checkpoint is not one of [test] counter (it is a counter checkpoint, not other); delete the folder to start the run over`,
    );
    await expect(runEpochs(counter().trainer, options({ checkpointDir: dir, stateSchema: z.object({ total: z.string() }).strict() as never }))).rejects.toThrow(
      /its trainer state does not parse/,
    );
    const foreign = join(scratch, `run-${runs++}`);
    await saveCheckpoint(foreign, 'epoch-0001', new Map(), { kind: 'classifier', epoch: 1, shuffleState: 3 });
    await expect(runEpochs(counter().trainer, options({ checkpointDir: foreign }))).rejects.toThrow(/its state does not parse/);
    expect(await loadCheckpoint(foreign)).not.toBeNull();
  });
});
