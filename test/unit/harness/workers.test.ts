/**
 * Parts of a run on worker processes (issue 12.2) and runs merged from shards (issue 12.7): the snapshot does not
 * depend on how many processes ran the parts, nor on which machine ran which seed.
 */
import { cp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleExperiment, runExperiment, runExperimentParts } from '../../../src/lib/harness/runner.ts';
import { snapshotPath } from '../../../src/lib/harness/snapshot.ts';
import { quietEffects, removeTempRoots, tempRoot, withoutTimings } from '../../support/harness.ts';
import { toyParted, toyPartsLog } from '../../support/toy-parted.ts';

afterAll(removeTempRoots);

const checkpoints = (root: string) => join(root, '.cache', 'checkpoints', toyParted.id, 'smoke');

/**
 * The toy's smoke profile (seeds 1 and 2) in a fresh root, checked against no baseline; the snapshot file's text
 * without timings. The toy stands for a quoted profile here (no CI profile), so its artifact is published too.
 */
async function runToy(workers: number, root?: string, run: typeof runExperiment = runExperiment) {
  const where = root ?? (await tempRoot('workers'));
  const quiet = quietEffects();
  const outcome = await run({ ...toyParted, ciProfile: null }, { root: where, profile: 'smoke', mode: 'check', ci: false, workers, effects: quiet.effects });
  return { root: where, outcome, lines: quiet.lines, text: await withoutTimings(outcome.writtenTo!) };
}

let oneMachine: Awaited<ReturnType<typeof runToy>>;

beforeAll(async () => {
  oneMachine = await runToy(1);
});

describe('parts on worker processes', () => {
  it("records each part's own time, seed by seed, under the snapshot's timings", () => {
    const parts = oneMachine.outcome.snapshot.timings.parts ?? [];
    expect(parts.map(({ seed, part, sessions }) => `${seed} ${part} ${sessions}`)).toEqual(['1 narrow 1', '1 wide 1', '2 narrow 1', '2 wide 1']);
    for (const { seconds } of parts) expect(seconds).toBeGreaterThan(0);
  });

  it('writes the same snapshot, byte for byte (timings aside), on one worker and on two', async () => {
    const two = await runToy(2);
    expect(two.outcome.writtenTo).toBe(snapshotPath(join(two.root, '.scratch', 'snapshots'), 'toy-parted', 'smoke'));
    expect(two.text).toBe(oneMachine.text);
    // The comparison means something: both seeds and both parts made it in, from the tfjs op of each part.
    const snapshot = oneMachine.outcome.snapshot;
    expect(snapshot.seeds!.perSeed.map((entry) => entry.seed)).toEqual([1, 2]);
    expect(snapshot.metrics['wide-meanSquare']).toBeGreaterThan(snapshot.metrics['narrow-meanSquare']);
    expect(snapshot.seeds!.perSeed[1].metrics['wide-meanSquare']).not.toBe(snapshot.metrics['wide-meanSquare']);
    expect(snapshot.artifacts).toMatchObject([
      { name: 'draws', file: '.scratch/snapshots/toy-parted/smoke.models/draws.bin', seed: 1, part: 'wide', bytes: 32 },
    ]);
  });

  it.each([1, 2])('stops at a failing part and names its seed and part (%i worker(s))', async (workers) => {
    const root = await tempRoot('workers-fail');
    const run = runExperiment(toyParted, { root, profile: 'broken', mode: 'check', ci: false, workers, effects: quietEffects().effects });
    await expect(run).rejects.toThrow(/toy-parted\/broken seed 2 · wide failed: toy-parted: part 'wide' fails on purpose/);
    await expect(stat(join(root, '.scratch', 'snapshots', 'toy-parted', 'broken.json'))).rejects.toThrow(/ENOENT/);
  });
});

describe('shards merged by copying their part folders', () => {
  it('assemble the snapshot one machine writes, without running any part again', async () => {
    // Two "machines": one runs seed 1, the other seed 2, each only its parts.
    const shards = await Promise.all([1, 2].map(() => tempRoot('shard')));
    for (const [i, root] of shards.entries()) {
      const shard = await runExperimentParts(toyParted, {
        root,
        profile: 'smoke',
        mode: 'check',
        ci: false,
        workers: 1,
        seeds: [i + 1],
        effects: quietEffects().effects,
      });
      expect(shard).toMatchObject({ skipped: false, seeds: [i + 1], parts: ['narrow', 'wide'].map((part) => `toy-parted/smoke seed ${i + 1} · ${part}`) });
      expect(shard.folder?.startsWith(checkpoints(root))).toBe(true);
      await expect(stat(join(root, '.scratch'))).rejects.toThrow(/ENOENT/);
    }
    const merged = await tempRoot('merge');
    for (const root of shards) await cp(checkpoints(root), checkpoints(merged), { recursive: true });
    // The shards' machines are gone: the merge must need nothing but the copied folders.
    for (const root of shards) await rm(root, { recursive: true });
    const results = await resultFiles(checkpoints(merged));
    expect(results).toHaveLength(4);
    const before = await Promise.all(results.map((path) => readFile(path, 'utf8')));

    const merge = await runToy(1, merged, assembleExperiment);
    expect(merge.text).toBe(oneMachine.text);
    expect(merge.lines.filter((line) => line.includes(toyPartsLog))).toEqual([]);
    expect(merge.lines.filter((line) => /finished earlier with the same inputs/.test(line))).toHaveLength(4);
    expect(await Promise.all(results.map((path) => readFile(path, 'utf8')))).toEqual(before);
  });

  it('refuse to assemble when a shard is missing, naming its parts, and run none of them', async () => {
    const root = await tempRoot('merge-missing');
    await runExperimentParts(toyParted, { root, profile: 'smoke', mode: 'check', ci: false, workers: 1, seeds: [1], effects: quietEffects().effects });
    const merge = runToy(1, root, assembleExperiment);
    await expect(merge).rejects.toThrow(
      /assemble only, but these parts have no result under .*: toy-parted\/smoke seed 2 · narrow, toy-parted\/smoke seed 2 · wide/,
    );
    expect(await resultFiles(checkpoints(root))).toHaveLength(2);
    await expect(stat(join(root, '.scratch', 'snapshots', 'toy-parted', 'smoke.json'))).rejects.toThrow(/ENOENT/);
  });

  it('run a finished part once: a rerun reuses its result.json', async () => {
    const again = await runToy(1, oneMachine.root);
    expect(oneMachine.lines.filter((line) => line.includes(toyPartsLog))).toHaveLength(4);
    expect(again.lines.filter((line) => line.includes(toyPartsLog))).toEqual([]);
    expect(again.text).toBe(oneMachine.text);
  });
});

async function resultFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true });
  return entries
    .filter((entry) => entry.endsWith('result.json'))
    .sort()
    .map((entry) => join(folder, entry));
}
