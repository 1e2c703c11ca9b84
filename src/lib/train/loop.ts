/**
 * The epoch loop both trainers run (./classifier.ts for Question 2, ./asr.ts for Question 3): resume from the last
 * checkpoint, train epoch after epoch, checkpoint after each, and end as `finished`, `stopped` or `diverged`. A
 * trainer supplies one epoch and its half of a checkpoint; the loop owns the policy, the same for every trainer:
 *
 * - Resume. A checkpoint in `checkpointDir` is resumed when it is this trainer's `kind`, of the same setup
 *   (everything that shapes the trajectory, and the caller's checkpoint key, e.g. a hash of the code) and no further
 *   than the epochs asked for. One of another setup, or past the epochs asked for, is stale: it is logged, cleared,
 *   and the run starts over (left in place, every later run would find it and set it aside again). One the loop
 *   cannot read as this trainer's (another kind, or a state that does not parse) is an error naming the folder, as a
 *   damaged checkpoint is (./checkpoint.ts): nothing is deleted that was not understood.
 * - Divergence. A non-finite training loss ends the run at that step as `diverged`, with the epoch, step and loss.
 *   It is a result, not an error: a sweep over learning rates goes on, and a trainer whose caller cannot use a
 *   diverged run says so in its result's status. The diverged state is checkpointed, so a resumed run reports the
 *   same divergence without training again.
 * - Stop. `stopAfterEpoch: n` ends the run as `stopped` right after epoch n's checkpoint, as a killed run stops (the
 *   resume tests use it); an n at or past the last epoch changes nothing.
 *
 * Epochs are 1-based. A trainer that is aborted (a signal it checks between steps) throws; the last checkpoint stays.
 */
import { z } from 'zod';
import type { TensorMap } from '../weights/safetensors.ts';
import { clearCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.ts';

/** Where a run's training loss stopped being finite. */
export interface Divergence {
  epoch: number;
  /** 1-based, within the epoch. */
  step: number;
  loss: number;
}

/** What one epoch came to: its row of the curves, or the step whose loss was not finite. */
export type EpochOutcome<Row> = { row: Row } | { diverged: { step: number; loss: number } };

export interface EpochTrainer<Row, State> {
  /**
   * Called once, after any resume and before the first epoch this call trains, with the epochs restored (0 for a
   * fresh start); not called when the resumed run had diverged.
   */
  start?(resumedEpochs: number): Promise<void>;
  /** Trains epoch `epoch` (1-based) and scores it. */
  epoch(epoch: number): Promise<EpochOutcome<Row>>;
  /** The trainer's half of a checkpoint: its JSON state and its tensors (weights, optimizer moments). */
  save(): { state: State; tensors: TensorMap };
  /** Puts a resumed checkpoint's half back. */
  restore(state: State, tensors: TensorMap): void;
}

export interface EpochLoopOptions<Row, State> {
  /** The checkpoint's kind: a checkpoint of another kind is an error. */
  kind: string;
  /** Everything that shapes the trajectory, as JSON-able data; a checkpoint of another setup is stale. */
  setup: unknown;
  /** Any text that must also match for a checkpoint to be resumed (e.g. a hash of the code); default ''. */
  checkpointKey?: string;
  epochs: number;
  /** Starts the loop's log lines, e.g. `[train] pooled lr 0.01`. */
  label: string;
  log: (line: string) => void;
  /** Folder for this run's checkpoints; none are read or written without it. */
  checkpointDir?: string;
  stopAfterEpoch?: number;
  rowSchema: z.ZodType<Row>;
  stateSchema: z.ZodType<State>;
}

export interface EpochLoopResult<Row> {
  status: 'finished' | 'stopped' | 'diverged';
  /** One row per finished epoch, restored ones included. */
  rows: Row[];
  diverged: Divergence | null;
  /** Epochs restored from a checkpoint rather than trained in this call. */
  resumedEpochs: number;
}

// The loop's JSON half of a checkpoint; the trainer's state goes under `trainer`. The loss is text: JSON has no NaN.
const envelopeSchema = z
  .object({
    kind: z.string(),
    setup: z.string(),
    epoch: z.number().int().nonnegative(),
    rows: z.array(z.unknown()),
    diverged: z.object({ epoch: z.number().int(), step: z.number().int(), loss: z.string() }).strict().nullable(),
    trainer: z.unknown(),
  })
  .strict();
type Envelope = z.infer<typeof envelopeSchema>;

const epochTag = (epoch: number) => `epoch-${String(epoch).padStart(4, '0')}`;

export async function runEpochs<Row, State>(trainer: EpochTrainer<Row, State>, options: EpochLoopOptions<Row, State>): Promise<EpochLoopResult<Row>> {
  const { epochs, checkpointDir: dir, label, log } = options;
  if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`${label}: epochs must be a positive integer, got ${epochs}`);
  const setup = JSON.stringify({ setup: options.setup, key: options.checkpointKey ?? '' });
  const rows: Row[] = [];
  let done = 0;
  let diverged: Divergence | null = null;

  const resumed = dir ? await resume(dir, setup, options) : null;
  if (resumed) {
    trainer.restore(resumed.trainer, resumed.tensors);
    rows.push(...resumed.rows);
    done = resumed.epoch;
    diverged = resumed.diverged;
  }
  const resumedEpochs = done;
  const end = (status: EpochLoopResult<Row>['status']): EpochLoopResult<Row> => ({ status, rows, diverged, resumedEpochs });
  if (diverged) {
    log(`${label}: the checkpoint in ${dir} diverged in epoch ${diverged.epoch}, step ${diverged.step} (loss ${diverged.loss}); not training again`);
    return end('diverged');
  }
  const save = async (tag: string) => {
    if (!dir) return;
    const { state, tensors } = trainer.save();
    const envelope: Envelope = {
      kind: options.kind,
      setup,
      epoch: done,
      rows,
      diverged: diverged && { ...diverged, loss: String(diverged.loss) },
      trainer: state,
    };
    await saveCheckpoint(dir, tag, tensors, envelope);
  };

  await trainer.start?.(resumedEpochs);
  for (let epoch = done + 1; epoch <= epochs; epoch++) {
    const outcome = await trainer.epoch(epoch);
    if ('diverged' in outcome) {
      diverged = { epoch, ...outcome.diverged };
      log(`${label}: loss ${diverged.loss} at epoch ${epoch}, step ${diverged.step}: diverged, stopping this run`);
      await save(`${epochTag(epoch)}-diverged`);
      return end('diverged');
    }
    rows.push(outcome.row);
    done = epoch;
    await save(epochTag(epoch));
    if (options.stopAfterEpoch === epoch && epoch < epochs) return end('stopped');
  }
  return end('finished');
}

interface Resumed<Row, State> {
  epoch: number;
  rows: Row[];
  diverged: Divergence | null;
  trainer: State;
  tensors: TensorMap;
}

async function resume<Row, State>(dir: string, setup: string, options: EpochLoopOptions<Row, State>): Promise<Resumed<Row, State> | null> {
  const found = await loadCheckpoint(dir);
  if (!found) return null;
  const unreadable = (problem: string) =>
    new Error(`${dir}: the checkpoint is not one of ${options.label} (${problem}); delete the folder to start the run over`);
  const envelope = envelopeSchema.safeParse(found.state);
  if (!envelope.success) throw unreadable(`its state does not parse: ${envelope.error.issues[0]?.message}`);
  const { kind, epoch } = envelope.data;
  if (kind !== options.kind) throw unreadable(`it is a ${kind} checkpoint, not ${options.kind}`);
  const stale =
    envelope.data.setup !== setup
      ? 'it was made with another setup or checkpoint key'
      : epoch > options.epochs
        ? `it is at epoch ${epoch}, past the ${options.epochs} asked for`
        : null;
  if (stale) {
    options.log(`${options.label}: not resuming the checkpoint in ${dir}: ${stale}; clearing it and starting over`);
    await clearCheckpoint(dir);
    return null;
  }
  const rows = z.array(options.rowSchema).safeParse(envelope.data.rows);
  if (!rows.success) throw unreadable(`its rows do not parse: ${rows.error.issues[0]?.message}`);
  const trainer = options.stateSchema.safeParse(envelope.data.trainer);
  if (!trainer.success) throw unreadable(`its trainer state does not parse: ${trainer.error.issues[0]?.message}`);
  const diverged = envelope.data.diverged && { ...envelope.data.diverged, loss: Number(envelope.data.diverged.loss) };
  options.log(`${options.label}: resuming after epoch ${epoch} of ${options.epochs} from ${dir}`);
  return { epoch, rows: rows.data, diverged, trainer: trainer.data, tensors: found.weights };
}
