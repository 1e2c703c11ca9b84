/**
 * One part of one seed of a run, and its result file. A part whose `result.json` exists for the same inputs
 * (the folder is keyed by the input hash) is never run again: an interrupted sweep picks up where it stopped,
 * and parts run elsewhere (another worker, another machine) are merged by copying their folders.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import type { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic.ts';
import { readTextIfExists } from '../fs/read.ts';
import type { ExperimentDefinition, PartResult, RunEffects } from './experiment.ts';
import { isParted } from './experiment.ts';

/** The single part of an experiment that is not split into parts. */
export const wholeRun = 'run';

export function partsOf<Schema extends z.ZodTypeAny>(definition: ExperimentDefinition<Schema, unknown>, config: z.output<Schema>): string[] {
  if (!isParted(definition)) return [wholeRun];
  const parts = definition.parts(config);
  const bad = parts.find((part) => !/^[a-z0-9][a-z0-9.-]*$/.test(part));
  if (bad !== undefined) throw new Error(`${definition.id}: part name '${bad}' must be lower-case letters, digits, '.' and '-'`);
  if (new Set(parts).size !== parts.length) throw new Error(`${definition.id}: part names repeat: ${parts.join(', ')}`);
  return parts;
}

export function seedFolder(folder: string, seed: number): string {
  return join(folder, `seed-${seed}`);
}

export function resultPath(partFolder: string): string {
  return join(partFolder, 'result.json');
}

/** Runs the part (in this process) unless its result is already on disk; `effects.checkpointDir` is the part's folder. */
export async function runPart<Schema extends z.ZodTypeAny, Data>(
  definition: ExperimentDefinition<Schema, Data>,
  config: z.output<Schema>,
  data: Data,
  part: string,
  effects: RunEffects,
): Promise<PartResult> {
  const path = resultPath(effects.checkpointDir);
  const existing = await readPartResult(path);
  if (existing) {
    effects.log(`${part}: finished earlier with the same inputs (${path})`);
    return existing;
  }
  await mkdir(effects.checkpointDir, { recursive: true });
  const result: PartResult = isParted(definition)
    ? await definition.runPart(config, data, part, effects)
    : { ...(await definition.run(config, data, effects)) };
  await writeFileAtomic(path, `${JSON.stringify(storedForm(result, effects.checkpointDir))}\n`);
  return result;
}

/**
 * Artifacts inside the part's folder are stored by paths relative to it, so a part folder copied to another root
 * (a merge of shards run on other machines) still finds its files; `readPartResult` makes them absolute again.
 */
function storedForm(result: PartResult, folder: string): PartResult {
  if (!result.artifacts) return result;
  const inside = (path: string) => {
    const local = relative(folder, path);
    return local && !local.startsWith('..') && !isAbsolute(local) ? local.split('\\').join('/') : path;
  };
  return { ...result, artifacts: result.artifacts.map((artifact) => ({ ...artifact, path: inside(artifact.path) })) };
}

/** A part's stored result, or undefined when the part has not finished. */
export async function readPartResult(path: string): Promise<PartResult | undefined> {
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  let result: PartResult;
  try {
    result = JSON.parse(text) as PartResult;
  } catch (error) {
    throw new Error(`${path}: a part result that is not valid JSON (${(error as Error).message}); delete it to run the part again`);
  }
  if (!result.artifacts) return result;
  return {
    ...result,
    artifacts: result.artifacts.map((artifact) => ({ ...artifact, path: isAbsolute(artifact.path) ? artifact.path : join(dirname(path), artifact.path) })),
  };
}
