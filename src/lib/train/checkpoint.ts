/**
 * Checkpoints: a weights file (safetensors, PyTorch names and layout) and `checkpoint.json` with the caller's
 * JSON state (epoch, curves so far, RNG states, optimizer state). Every file is written atomically, the weights
 * first under a name no checkpoint.json names, then the JSON that names them, and only then are the weights files
 * no JSON names removed: whatever moment a run is killed, the JSON names a complete weights file, the previous
 * checkpoint's or the new one's.
 *
 * Save, load and clear hold the folder's lock (`<dir>/.lock`), so two processes given one folder take turns and a
 * load never reads a JSON whose weights a concurrent save is removing.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../data/images.ts';
import { writeFileAtomic } from '../fs/atomic.ts';
import { withFolderLock, type FolderLockOptions } from '../fs/lock.ts';
import { parseSafetensors, serializeSafetensors, type TensorMap } from '../weights/safetensors.ts';

export const CHECKPOINT_FILE = 'checkpoint.json';
const FORMAT = 'hw2-report checkpoint v1';

export class CheckpointError extends Error {
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem} (delete the checkpoint folder to start the run over)`, options);
    this.name = 'CheckpointError';
  }
}

interface CheckpointFile {
  format: typeof FORMAT;
  /** Names the weights file beside this one. */
  weights: string;
  weightsSha256: string;
  state: unknown;
}

export interface CheckpointOptions {
  /** How to wait for the folder's lock, and where a stale lock's takeover is logged. */
  lock?: FolderLockOptions;
}

const isWeightsFile = (name: string) => name.startsWith('weights-') && name.endsWith('.safetensors');

/**
 * Saves weights and state. `tag` names the weights file (e.g. `epoch-0003` -> `weights-epoch-0003.safetensors`,
 * with a random suffix when the current checkpoint.json names that file already); the other weights files are
 * removed once the JSON names the new one.
 */
export async function saveCheckpoint(dir: string, tag: string, weights: TensorMap, state: unknown, options: CheckpointOptions = {}): Promise<void> {
  if (!/^[A-Za-z0-9_-]+$/.test(tag)) throw new Error(`saveCheckpoint: tag '${tag}' must be a plain file-name part`);
  const bytes = serializeSafetensors(weights);
  const weightsSha256 = sha256Hex([bytes]);
  await mkdir(dir, { recursive: true });
  await withFolderLock(
    dir,
    async () => {
      // Overwriting the file the JSON names would leave, until the JSON is replaced, a checkpoint whose weights
      // do not match their sha256; any other file of that name is an orphan of a killed save.
      let weightsName = `weights-${tag}.safetensors`;
      if ((await namedWeights(dir)) === weightsName) weightsName = `weights-${tag}-${randomBytes(4).toString('hex')}.safetensors`;
      await writeFileAtomic(join(dir, weightsName), bytes);
      const file: CheckpointFile = { format: FORMAT, weights: weightsName, weightsSha256, state };
      await writeFileAtomic(join(dir, CHECKPOINT_FILE), `${JSON.stringify(file, null, 1)}\n`);
      for (const name of await readdir(dir)) {
        if (isWeightsFile(name) && name !== weightsName) await rm(join(dir, name), { force: true });
      }
    },
    options.lock,
  );
}

/** The weights file the current checkpoint.json names, or null when there is no readable one. */
async function namedWeights(dir: string): Promise<string | null> {
  try {
    const file = JSON.parse(await readFile(join(dir, CHECKPOINT_FILE), 'utf8')) as Partial<CheckpointFile>;
    return typeof file?.weights === 'string' ? file.weights : null;
  } catch {
    return null;
  }
}

/** Whether `dir` exists; a missing folder holds no checkpoint, and is not made just to be locked. */
async function exists(dir: string): Promise<boolean> {
  try {
    await stat(dir);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** The last checkpoint in `dir`, or null when there is none. A damaged one is an error, never silently skipped. */
export async function loadCheckpoint(dir: string, options: CheckpointOptions = {}): Promise<{ weights: TensorMap; state: unknown } | null> {
  if (!(await exists(dir))) return null;
  return withFolderLock(dir, () => readCheckpoint(dir), options.lock);
}

async function readCheckpoint(dir: string): Promise<{ weights: TensorMap; state: unknown } | null> {
  const jsonPath = join(dir, CHECKPOINT_FILE);
  let text: string;
  try {
    text = await readFile(jsonPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CheckpointError(jsonPath, `cannot be read (${(error as Error).message})`, { cause: error });
  }
  let file: CheckpointFile;
  try {
    file = JSON.parse(text) as CheckpointFile;
  } catch (error) {
    throw new CheckpointError(jsonPath, `is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (file?.format !== FORMAT || typeof file.weights !== 'string' || !/^weights-[A-Za-z0-9_-]+\.safetensors$/.test(file.weights)) {
    throw new CheckpointError(jsonPath, `is not a ${FORMAT} file`);
  }
  const weightsPath = join(dir, file.weights);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(weightsPath));
  } catch (error) {
    throw new CheckpointError(weightsPath, `named by ${CHECKPOINT_FILE} but cannot be read (${(error as Error).message})`, { cause: error });
  }
  if (sha256Hex([bytes]) !== file.weightsSha256) throw new CheckpointError(weightsPath, `does not match the sha256 recorded in ${CHECKPOINT_FILE}`);
  return { weights: parseSafetensors(bytes, weightsPath), state: file.state };
}

/** Removes a checkpoint (JSON first, so a half-removed folder reads as empty). */
export async function clearCheckpoint(dir: string, options: CheckpointOptions = {}): Promise<void> {
  if (!(await exists(dir))) return;
  await withFolderLock(
    dir,
    async () => {
      await rm(join(dir, CHECKPOINT_FILE), { force: true });
      for (const name of await readdir(dir)) {
        if (isWeightsFile(name)) await rm(join(dir, name), { force: true });
      }
    },
    options.lock,
  );
}
