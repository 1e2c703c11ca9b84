/**
 * Checkpoints: a weights file (safetensors, PyTorch names and layout) and `checkpoint.json` with the caller's
 * JSON state (epoch, curves so far, RNG states, optimizer state). Every file is written atomically (temp file in
 * the same folder, then rename), the weights first under a per-epoch name and the JSON last, so whatever moment
 * a run is killed the JSON names a complete weights file: the previous checkpoint or the new one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../data/images.ts';
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

/** Writes `bytes` to `path` via a temp file in the same folder, flushed, then renamed over the target. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const temp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, path);
}

/**
 * Saves weights and state. `tag` names the weights file (e.g. `epoch-0003`); files of older tags are removed
 * once the JSON points at the new one.
 */
export async function saveCheckpoint(dir: string, tag: string, weights: TensorMap, state: unknown): Promise<void> {
  if (!/^[A-Za-z0-9_-]+$/.test(tag)) throw new Error(`saveCheckpoint: tag '${tag}' must be a plain file-name part`);
  await mkdir(dir, { recursive: true });
  const weightsName = `weights-${tag}.safetensors`;
  const bytes = serializeSafetensors(weights);
  await writeFileAtomic(join(dir, weightsName), bytes);
  const file: CheckpointFile = { format: FORMAT, weights: weightsName, weightsSha256: sha256Hex([bytes]), state };
  await writeFileAtomic(join(dir, CHECKPOINT_FILE), `${JSON.stringify(file, null, 1)}\n`);
  for (const name of await readdir(dir)) {
    const stale = (name.startsWith('weights-') && name.endsWith('.safetensors') && name !== weightsName) || name.endsWith('.tmp');
    if (stale) await rm(join(dir, name), { force: true });
  }
}

/** The last checkpoint in `dir`, or null when there is none. A damaged one is an error, never silently skipped. */
export async function loadCheckpoint(dir: string): Promise<{ weights: TensorMap; state: unknown } | null> {
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
export async function clearCheckpoint(dir: string): Promise<void> {
  await rm(join(dir, CHECKPOINT_FILE), { force: true });
  let names: string[] = [];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith('weights-') && name.endsWith('.safetensors')) await rm(join(dir, name), { force: true });
  }
}
