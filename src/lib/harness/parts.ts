/**
 * One part of one seed of a run, and its result file. A part whose `result.json` exists for the same inputs
 * (the folder is keyed by the input hash) is never run again: an interrupted sweep picks up where it stopped,
 * parts run elsewhere (another worker, another machine) are merged by copying their folders, and a part that
 * another run is computing now is waited for.
 */
import { hostname } from 'node:os';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic.ts';
import { claimLease, describeLease } from '../fs/lease.ts';
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

/**
 * The parts in waves: every part in a later wave than each part it depends on (`dependsOn`), each wave in
 * declaration order. Why waves and not a lock around a shared cache: a part another part starts from is then a
 * part like any other, with its own result file and checkpoints, resumed across sessions, run on a worker and
 * copied with its seed's folder when shards merge; and the worker pool needs no notion of order, since the runner
 * hands it one wave after another. The price is a worker idling while a wave's last part finishes.
 */
export function partWaves<Schema extends z.ZodTypeAny>(definition: ExperimentDefinition<Schema, unknown>, config: z.output<Schema>): string[][] {
  const parts = partsOf(definition, config);
  if (!isParted(definition) || !definition.dependsOn) return [parts];
  const needs = new Map(parts.map((part) => [part, definition.dependsOn!(config, part)]));
  for (const [part, dependencies] of needs) {
    const unknown = dependencies.find((dependency) => !needs.has(dependency));
    if (unknown !== undefined) throw new Error(`${definition.id}: part '${part}' depends on '${unknown}', which is not one of its parts`);
  }
  const waves: string[][] = [];
  const placed = new Set<string>();
  while (placed.size < parts.length) {
    const wave = parts.filter((part) => !placed.has(part) && needs.get(part)!.every((dependency) => placed.has(dependency)));
    if (wave.length === 0) {
      throw new Error(`${definition.id}: parts depend on each other in a cycle: ${parts.filter((part) => !placed.has(part)).join(', ')}`);
    }
    for (const part of wave) placed.add(part);
    waves.push(wave);
  }
  return waves;
}

/**
 * The result of `part`, a part the running part depends on: it lives in a sibling folder (same seed, same inputs),
 * so it is read from disk whether it ran in this process, in a worker or in an earlier session.
 */
export async function dependencyResult(effects: Pick<RunEffects, 'checkpointDir'>, part: string): Promise<PartResult> {
  const path = resultPath(join(dirname(effects.checkpointDir), part));
  const result = await readPartResult(path);
  if (!result) throw new Error(`part '${basename(effects.checkpointDir)}' starts from part '${part}', which has not finished (no ${path})`);
  return result;
}

export function seedFolder(folder: string, seed: number): string {
  return join(folder, `seed-${seed}`);
}

export function resultPath(partFolder: string): string {
  return join(partFolder, 'result.json');
}

/** How often a run waiting for another run's part looks for its result: soon at first, then every few seconds. */
const firstPollMs = 50;
const maxPollMs = 2_000;

/**
 * Runs the part (in this process) unless its result is already on disk; `effects.checkpointDir` is the part's folder.
 *
 * The process computing a part holds a claim on its folder (an exclusive lease, `../fs/lease.ts`), so two runs of
 * the same inputs started together compute each part once: a run that finds the part claimed by a live process
 * waits for that process's result.json (the log names it), and computes the part itself, resuming from the
 * checkpoints there, if the holder ends without one.
 */
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
  const holder = `${definition.id} seed ${(config as { seed?: unknown }).seed} · ${part}`;
  let waitingFor: string | undefined;
  for (let pollMs = firstPollMs; ; pollMs = Math.min(2 * pollMs, maxPollMs)) {
    const claim = await claimLease(effects.checkpointDir, holder, { log: effects.log });
    if ('lease' in claim) {
      try {
        // The holder we waited for (or one we never saw) may have finished between our look and our claim.
        const finished = await readPartResult(path);
        if (finished) {
          effects.log(`${part}: finished by ${waitingFor ?? 'another run'} (${path})`);
          return finished;
        }
        if (waitingFor) effects.log(`${part}: ${waitingFor} ended without a result; running it here`);
        return await computePart(definition, config, data, part, effects);
      } finally {
        await claim.lease.release();
      }
    }
    const who = describeLease(claim.heldBy.lease);
    if (who !== waitingFor) {
      // Another host's process cannot be checked from here: only a person can tell that it is gone.
      const stuck = claim.heldBy.lease.host === hostname() ? '' : ` (delete ${claim.heldBy.file} if that run is gone)`;
      effects.log(`${part}: claimed by ${who}: ${claim.heldBy.why}; waiting for ${path}${stuck}`);
      waitingFor = who;
    }
    await sleep(pollMs);
  }
}

async function computePart<Schema extends z.ZodTypeAny, Data>(
  definition: ExperimentDefinition<Schema, Data>,
  config: z.output<Schema>,
  data: Data,
  part: string,
  effects: RunEffects,
): Promise<PartResult> {
  const result: PartResult = isParted(definition)
    ? await definition.runPart(config, data, part, effects)
    : { ...(await definition.run(config, data, effects)) };
  await writeFileAtomic(resultPath(effects.checkpointDir), `${JSON.stringify(storedForm(result, effects.checkpointDir))}\n`);
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
