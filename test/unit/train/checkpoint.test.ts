import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, clearCheckpoint, loadCheckpoint, saveCheckpoint } from '../../../src/lib/train/checkpoint.ts';
import { serializeSafetensors, type TensorMap } from '../../../src/lib/weights/safetensors.ts';

let scratch: string;
let counter = 0;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'checkpoint-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});
const freshDir = () => join(scratch, `run-${counter++}`);

const weightsAt = (value: number): TensorMap =>
  new Map([
    ['fc.weight', { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, value]) }],
    ['fc.bias', { shape: [2], data: Float32Array.from([value, -0]) }],
  ]);

describe('checkpoints', () => {
  it('round-trips weights and JSON state exactly, and keeps only the newest weights file', async () => {
    const dir = freshDir();
    expect(await loadCheckpoint(dir)).toBeNull();
    await saveCheckpoint(dir, 'epoch-0001', weightsAt(0.1), { epoch: 1, curve: [0.5] });
    await saveCheckpoint(dir, 'epoch-0002', weightsAt(Math.PI), { epoch: 2, curve: [0.5, 0.25] });
    const loaded = await loadCheckpoint(dir);
    expect(loaded?.state).toEqual({ epoch: 2, curve: [0.5, 0.25] });
    expect(loaded?.weights).toEqual(weightsAt(Math.PI));
    expect((await readdir(dir)).sort()).toEqual(['checkpoint.json', 'weights-epoch-0002.safetensors']);
  });

  it('a run killed after writing new weights but before the JSON resumes from the previous checkpoint', async () => {
    const dir = freshDir();
    await saveCheckpoint(dir, 'epoch-0001', weightsAt(1), { epoch: 1 });
    // What a kill between the two writes leaves behind: the next weights, complete, and an orphan temp file.
    await writeFile(join(dir, 'weights-epoch-0002.safetensors'), serializeSafetensors(weightsAt(0)));
    const orphan = '.checkpoint.json.123.0123456789abcdef.tmp';
    await writeFile(join(dir, orphan), '{"half": ');
    const loaded = await loadCheckpoint(dir);
    expect(loaded?.state).toEqual({ epoch: 1 });
    expect(loaded?.weights).toEqual(weightsAt(1));
    await saveCheckpoint(dir, 'epoch-0002', weightsAt(2), { epoch: 2 });
    expect((await loadCheckpoint(dir))?.weights).toEqual(weightsAt(2));
    // The orphan weights are replaced; the temp file may be another writer's, mid-write, so it is left alone.
    expect((await readdir(dir)).sort()).toEqual([orphan, 'checkpoint.json', 'weights-epoch-0002.safetensors']);
  });

  it('saving a tag again never overwrites the weights file the current JSON names', async () => {
    const dir = freshDir();
    await saveCheckpoint(dir, 'epoch-0001', weightsAt(1), { epoch: 1 });
    await saveCheckpoint(dir, 'epoch-0001', weightsAt(2), { epoch: 1, again: true });
    const names = (await readdir(dir)).sort();
    expect(names).toEqual(['checkpoint.json', expect.stringMatching(/^weights-epoch-0001-[0-9a-f]{8}\.safetensors$/)]);
    expect(JSON.parse(await readFile(join(dir, 'checkpoint.json'), 'utf8')).weights).toBe(names[1]);
    expect((await loadCheckpoint(dir))?.weights).toEqual(weightsAt(2));
    await saveCheckpoint(dir, 'epoch-0001', weightsAt(3), { epoch: 1 });
    expect((await readdir(dir)).sort()).toEqual(['checkpoint.json', 'weights-epoch-0001.safetensors']);
  });

  it('a damaged checkpoint is an error naming the file, never silently skipped', async () => {
    const dir = freshDir();
    await saveCheckpoint(dir, 'epoch-0001', weightsAt(1), { epoch: 1 });
    const weightsFile = join(dir, 'weights-epoch-0001.safetensors');
    const bytes = await readFile(weightsFile);
    bytes[bytes.length - 1] ^= 1;
    await writeFile(weightsFile, bytes);
    await expect(loadCheckpoint(dir)).rejects.toThrow(CheckpointError);
    await expect(loadCheckpoint(dir)).rejects.toThrow(`${weightsFile}: does not match the sha256`);
    await writeFile(join(dir, 'checkpoint.json'), '{"format": ');
    await expect(loadCheckpoint(dir)).rejects.toThrow(/checkpoint\.json: is not valid JSON/);
    await writeFile(join(dir, 'checkpoint.json'), '{"format": "other", "weights": "../x"}');
    await expect(loadCheckpoint(dir)).rejects.toThrow(/is not a hw2-report checkpoint v1 file/);
  });

  it('clearCheckpoint empties the folder of checkpoint files', async () => {
    const dir = freshDir();
    await saveCheckpoint(dir, 'epoch-0003', weightsAt(1), { epoch: 3 });
    await clearCheckpoint(dir);
    expect(await readdir(dir)).toEqual([]);
    expect(await loadCheckpoint(dir)).toBeNull();
    await clearCheckpoint(join(scratch, 'never-made'));
  });

  it('leaves no temp or lock file behind, and rejects a tag that is not a plain file-name part', async () => {
    const dir = freshDir();
    await saveCheckpoint(dir, 'a', weightsAt(1), {});
    await loadCheckpoint(dir);
    expect((await readdir(dir)).sort()).toEqual(['checkpoint.json', 'weights-a.safetensors']);
    await expect(saveCheckpoint(dir, '../escape', weightsAt(1), {})).rejects.toThrow(/plain file-name part/);
  });
});
