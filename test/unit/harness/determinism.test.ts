/**
 * The harness's two promises about a run, kept on real experiments at their CI profiles: the same seed on the same
 * backend gives the same snapshot (timings aside), and a run interrupted and resumed from its checkpoint ends where an
 * uninterrupted one does. Each trains again what the experiment suites already trained once, so they run with the
 * integration tests (vitest.config.ts), not in `npm test`.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { q1LinearAttention } from '../../../experiments/q1/linear-attention.ts';
import { q2Cnn } from '../../../experiments/q2/cnn.ts';
import { datasetInfo } from '../../../src/lib/data/images.ts';
import { ciProfileOf, resolveConfig } from '../../../src/lib/harness/experiment.ts';
import { currentInputHash, projectRoot, runExperiment } from '../../../src/lib/harness/runner.ts';
import { asRecorded, readSnapshot, significantDigits, snapshotPath } from '../../../src/lib/harness/snapshot.ts';
import type { Snapshot } from '../../../src/lib/snapshot-schema.ts';
import { trainClassifier } from '../../../src/lib/train/classifier.ts';

const quiet = { log: () => {}, progress: () => ({ tick: () => {}, done: () => {} }), now: () => performance.now() };

/** A run in check mode with a parts folder of its own, so it computes everything instead of reusing another's parts. */
async function freshRun(definition: typeof q1LinearAttention, profile: string) {
  const checkpointsDir = await mkdtemp(join(tmpdir(), 'hw2-determinism-'));
  return runExperiment(definition, { profile, mode: 'check', checkpointsDir, scratchDir: join(checkpointsDir, 'scratch') });
}

/** What two runs of one seed on one backend must share: everything the file records but timings and the commit. */
function recorded(snapshot: Snapshot) {
  const { metrics, curves, tables, checks, seeds, provenance } = asRecorded(snapshot);
  return { metrics, curves, tables, checks, seeds, config: provenance.config, dataset: provenance.dataset, inputHash: currentInputHash(snapshot) };
}

describe('the same seed on the same backend', () => {
  it('gives the same snapshot: Question 1 at its CI profile, run twice', async () => {
    const profile = ciProfileOf(q1LinearAttention) ?? 'smoke';
    const first = await freshRun(q1LinearAttention, profile);
    const second = await freshRun(q1LinearAttention, profile);
    expect(recorded(second.snapshot)).toEqual(recorded(first.snapshot));
  });
});

describe('a run interrupted and resumed', () => {
  it('ends where the uninterrupted run did: Question 2 at its CI profile, the committed snapshot being the uninterrupted run', async () => {
    const committed = await readSnapshot(snapshotPath(join(projectRoot, 'snapshots'), q2Cnn.id, 'smoke'));
    if (!committed) throw new Error(`no committed ${q2Cnn.id}/smoke snapshot to compare with`);
    const config = resolveConfig(q2Cnn, 'smoke');
    const { data } = await q2Cnn.data(config, undefined as never);
    const rate = committed.metrics.bestLearningRate;
    const checkpointDir = await mkdtemp(join(tmpdir(), 'hw2-resume-'));
    const options = { data, variant: 'pooled' as const, learningRate: rate, epochs: config.epochs, seed: config.seed, checkpointDir };
    const stopped = await trainClassifier({ ...options, stopAfterEpoch: 1 }, quiet);
    expect(stopped.status).toBe('stopped');
    const resumed = await trainClassifier(options, quiet);
    expect(resumed.resumedFromEpoch).toBe(1);
    // The committed file keeps `significantDigits`: compare through the same rounding.
    const row = committed.tables.runs.find((run) => run.variant === 'pooled' && run.learningRate === rate)!;
    const rounded = (value: unknown) => Number((value as number).toPrecision(significantDigits));
    expect(rounded(resumed.test!.accuracy)).toBe(rounded(row.testAccuracy));
    expect(rounded(resumed.test!.loss)).toBe(rounded(row.testLoss));
    expect(datasetInfo(data).hash).toBe(committed.provenance.dataset.hash);
  });
});
