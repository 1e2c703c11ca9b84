import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_FILE, loadCheckpoint } from '../../../src/lib/train/checkpoint.ts';
import { checkpointWeights, startWorker } from '../../support/folder-lock.ts';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'checkpoint-concurrency-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const savesPerWriter = 200;

/** Loads the checkpoint and checks that its JSON state and its weights tell the same (writer, i). */
async function loadConsistent(dir: string): Promise<{ writer: number; i: number } | null> {
  const loaded = await loadCheckpoint(dir, { lock: { log: (line) => expect.fail(`no lock may be taken over here: ${line}`) } });
  if (loaded === null) return null;
  const state = loaded.state as { writer: number; i: number };
  expect(loaded.weights).toEqual(checkpointWeights(state.writer, state.i));
  return state;
}

describe('checkpoints written by two processes into one folder', () => {
  it(`stay loadable and consistent during and after ${savesPerWriter} saves each`, async () => {
    const dir = join(scratch, 'shared');
    const writers = [startWorker('save', dir, '1', String(savesPerWriter)), startWorker('save', dir, '2', String(savesPerWriter))];
    await Promise.all(writers.map((worker) => worker.line(/^ready$/)));
    for (const worker of writers) worker.child.stdin.write('go\n');
    let running = true;
    const finished = Promise.all(writers.map((worker) => worker.exited)).finally(() => (running = false));
    const states: { writer: number; i: number }[] = [];
    while (running) {
      const state = await loadConsistent(dir);
      if (state) states.push(state);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(await finished, writers.map((worker) => worker.stderr()).join('\n')).toEqual([0, 0]);
    // Loads ran while both wrote, and saw both writers' checkpoints.
    expect(new Set(states.map((state) => state.writer))).toEqual(new Set([1, 2]));

    const last = await loadConsistent(dir);
    expect(last?.i).toBe(savesPerWriter - 1);
    // One JSON, the one weights file it names; no lock, no temp file, no orphan weights.
    const { weights } = JSON.parse(await readFile(join(dir, CHECKPOINT_FILE), 'utf8')) as { weights: string };
    expect((await readdir(dir)).sort()).toEqual([CHECKPOINT_FILE, weights].sort());
  });
});
