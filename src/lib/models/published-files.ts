/**
 * Published models on disk (what ./published.ts describes): `--model` names and paths to files, the snapshot that
 * lists each file, the sha256 check against it, and loading the model.
 *
 *   models/<experiment>/<profile>/<name>.safetensors   the weights (a plain state dict)
 *   snapshots/<experiment>/<profile>.json              lists them in `artifacts`: sha256, seed, model description
 *
 * A file that is absent, not listed, or whose bytes are not the ones listed is an error naming the file and what
 * to do; a model is never loaded from weights its snapshot does not vouch for.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import { snapshotSchema } from '../snapshot-schema.ts';
import type { Artifact, Snapshot } from '../snapshot-schema.ts';
import { parseSafetensors } from '../weights/safetensors.ts';
import type { TensorMap } from '../weights/safetensors.ts';
import type { AsrModel } from './asr.ts';
import { findArtifact, modelFile, modelSnapshotFile, parseModelName, publishCommand, publishedInfo, PublishedModelError } from './published.ts';
import type { PublishedAsrInfo, PublishedCnnInfo, PublishedInfo } from './published.ts';
import { asrModelFromStateDict, cnnFromStateDict } from './published-model.ts';

/**
 * The repository: `models/` and `snapshots/` are found below it unless a path says otherwise. Resolved from this
 * file's folder, not written `new URL('../../../', import.meta.url)`: the source hasher reads that form as a folder
 * the module reads and would hash the whole repository into every experiment that loads published weights.
 */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface ModelLocation {
  /** `<experiment>/<profile>/<name>`. */
  name: string;
  /** The folder holding `models/` and `snapshots/`. */
  root: string;
  /** The weights, absolute. */
  path: string;
  /** The weights relative to `root`, as the snapshot lists them. */
  file: string;
  /** The snapshot, absolute, and relative to `root`. */
  snapshotPath: string;
  snapshotFile: string;
}

/**
 * `--model` argument -> files. A name (`q3-asr/listening/attention`) is looked up under `root` (default: this
 * repository); a path ending in `.safetensors` must lie in some checkout's `models/<experiment>/<profile>/`, whose
 * `snapshots/` then lists it (so another worktree's published models can be run as they are).
 */
export function locateModel(nameOrPath: string, options: { root?: string; cwd?: string } = {}): ModelLocation {
  let root = options.root ?? PROJECT_ROOT;
  let name = nameOrPath;
  if (nameOrPath.endsWith('.safetensors')) {
    const path = resolve(options.cwd ?? process.cwd(), nameOrPath);
    const profileDir = dirname(path);
    const experimentDir = dirname(profileDir);
    const modelsDir = dirname(experimentDir);
    if (basename(modelsDir) !== 'models') {
      throw new PublishedModelError(
        path,
        'is not a published model: published weights live in models/<experiment>/<profile>/<name>.safetensors beside the snapshots/ that list them',
      );
    }
    root = dirname(modelsDir);
    name = `${basename(experimentDir)}/${basename(profileDir)}/${basename(path, '.safetensors')}`;
  }
  parseModelName(name);
  const file = modelFile(name);
  const snapshotFile = modelSnapshotFile(name);
  return { name, root, path: join(root, ...file.split('/')), file, snapshotPath: join(root, ...snapshotFile.split('/')), snapshotFile };
}

function readProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : (code ?? (error as Error).message);
}

/** A snapshot file, validated by the one snapshot schema; errors name the file. */
async function readSnapshotFile(path: string): Promise<Snapshot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new PublishedModelError(path, `cannot read the snapshot (${readProblem(error)})`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PublishedModelError(path, `is not JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    throw new PublishedModelError(path, `does not match the snapshot schema: ${issues.join('; ')}`);
  }
  return parsed.data;
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The bytes of a listed file, checked against the artifact's sha256 and size. */
export async function readArtifactBytes(root: string, artifact: Artifact, snapshotFile: string): Promise<Uint8Array> {
  const path = join(root, ...artifact.file.split('/'));
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new PublishedModelError(
      artifact.file,
      `cannot read the published weights that ${snapshotFile} lists (${readProblem(error)}); they are committed beside the snapshot, or restored by re-running it`,
      { cause: error },
    );
  }
  const sha256 = sha256Hex(bytes);
  if (sha256 !== artifact.sha256 || bytes.byteLength !== artifact.bytes) {
    throw new PublishedModelError(
      artifact.file,
      `sha256 ${sha256} (${bytes.byteLength} bytes) is not the ${artifact.sha256} (${artifact.bytes} bytes) that ${snapshotFile} lists: these are not the weights of that run. ` +
        `Restore the file from the commit of the snapshot, or re-run the experiment in update mode to publish both anew.`,
    );
  }
  return bytes;
}

export interface PublishedFile {
  location: ModelLocation;
  info: PublishedInfo;
  weights: TensorMap;
  sha256: string;
}

/** Finds the file and its snapshot, checks the hash, and returns the weights with the config the snapshot gives. */
export async function readPublishedModel(nameOrPath: string, options: { root?: string; cwd?: string } = {}): Promise<PublishedFile> {
  const location = locateModel(nameOrPath, options);
  const missing = await stat(location.path).then(
    (info) => (info.isFile() ? null : 'a folder, not a file'),
    (error: unknown) => readProblem(error),
  );
  if (missing) {
    throw new PublishedModelError(
      location.path,
      `${missing}. The model ${location.name} is published by its experiment's run in update mode, which writes ${location.file} and lists it in ${location.snapshotFile}: ${publishCommand(location.name)}`,
    );
  }
  const snapshot = await readSnapshotFile(location.snapshotPath);
  const artifact = findArtifact(snapshot, location.file, location.snapshotFile);
  const bytes = await readArtifactBytes(location.root, artifact, location.snapshotFile);
  let weights: TensorMap;
  try {
    weights = parseSafetensors(bytes, location.file);
  } catch (error) {
    throw new PublishedModelError(location.file, `not a readable safetensors file (${(error as Error).message.replace(`${location.file}: `, '')})`, {
      cause: error,
    });
  }
  return { location, info: publishedInfo(snapshot, artifact, location.file), weights, sha256: artifact.sha256 };
}

const kinds = { asr: 'a Question 3 speech recogniser (asr)', cnn: 'a Question 2 image classifier (cnn)' };

function expectKind<K extends PublishedInfo['kind']>(file: PublishedFile, kind: K): Extract<PublishedInfo, { kind: K }> {
  if (file.info.kind !== kind) throw new PublishedModelError(file.location.file, `is ${kinds[file.info.kind]}, not ${kinds[kind]}`);
  return file.info as Extract<PublishedInfo, { kind: K }>;
}

/** A published Question 3 model with its weights loaded (the caller disposes it). */
function instantiateAsr(file: PublishedFile): { info: PublishedAsrInfo; model: AsrModel } {
  const info = expectKind(file, 'asr');
  return { info, model: asrModelFromStateDict(info.config, file.weights, file.location.file) };
}

/** A published Question 2 network with its weights loaded, in eval mode under predict() (the caller disposes it). */
function instantiateCnn(file: PublishedFile): { info: PublishedCnnInfo; model: tf.Sequential } {
  const info = expectKind(file, 'cnn');
  return { info, model: cnnFromStateDict(info.config, file.weights, file.location.file) };
}

export async function loadPublishedAsr(nameOrPath: string, options: { root?: string; cwd?: string } = {}) {
  const file = await readPublishedModel(nameOrPath, options);
  return { ...instantiateAsr(file), sha256: file.sha256, location: file.location };
}

export async function loadPublishedCnn(nameOrPath: string, options: { root?: string; cwd?: string } = {}) {
  const file = await readPublishedModel(nameOrPath, options);
  return { ...instantiateCnn(file), sha256: file.sha256, location: file.location };
}

export interface ListedArtifact {
  /** `<experiment>/<profile>/<name>` when the file lies under models/ (update-mode runs), else null. */
  name: string | null;
  snapshotFile: string;
  snapshot: Snapshot;
  artifact: Artifact;
}

export interface ListingOptions {
  /** Given each snapshot that cannot be read (left out of the list); without it, such a snapshot is an error. */
  unreadable?: (error: Error) => void;
}

/** Every artifact every snapshot under `<root>/snapshots/` lists, by snapshot path then list order. */
export async function listedArtifacts(root = PROJECT_ROOT, options: ListingOptions = {}): Promise<ListedArtifact[]> {
  const snapshotsDir = join(root, 'snapshots');
  const experiments = await readdir(snapshotsDir, { withFileTypes: true }).catch(() => []);
  const listed: ListedArtifact[] = [];
  for (const experiment of experiments
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()) {
    const files = (await readdir(join(snapshotsDir, experiment))).filter((name) => name.endsWith('.json')).sort();
    for (const name of files) {
      const snapshotPath = join(snapshotsDir, experiment, name);
      const snapshotFile = relative(root, snapshotPath).split(sep).join('/');
      let snapshot: Snapshot;
      try {
        snapshot = await readSnapshotFile(snapshotPath);
      } catch (error) {
        if (!options.unreadable) throw error;
        options.unreadable(error as Error);
        continue;
      }
      for (const artifact of snapshot.artifacts ?? []) {
        const match = /^models\/([^/]+)\/([^/]+)\/([^/]+)\.safetensors$/.exec(artifact.file);
        listed.push({ name: match ? `${match[1]}/${match[2]}/${match[3]}` : null, snapshotFile, snapshot, artifact });
      }
    }
  }
  return listed;
}

/** Names of the published models whose files exist, sorted (for messages). */
export async function listPublishedModels(root = PROJECT_ROOT, options: ListingOptions = {}): Promise<string[]> {
  const names: string[] = [];
  for (const { name, artifact } of await listedArtifacts(root, options)) {
    if (
      name &&
      (await stat(join(root, artifact.file)).then(
        (info) => info.isFile(),
        () => false,
      ))
    )
      names.push(name);
  }
  return names.sort();
}

/**
 * For a message about a model that cannot be used: the published models under `root` whose files exist, and each
 * snapshot that could not be read with its problem (so one broken snapshot is named, not taken for "none").
 */
export async function publishedModelsNote(root = PROJECT_ROOT): Promise<string> {
  const unreadable: string[] = [];
  let names: string[];
  try {
    names = await listPublishedModels(root, { unreadable: (error) => unreadable.push(error.message) });
  } catch (error) {
    return `published models here: cannot be listed (${(error as Error).message})`;
  }
  const listed = `published models here: ${names.length ? names.join(', ') : 'none yet'}`;
  return unreadable.length ? `${listed}; left out, cannot be read: ${unreadable.join('; ')}` : listed;
}
