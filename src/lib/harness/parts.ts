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
import type { ExperimentDefinition, PartedExperiment, PartResult, PartResults, RunEffects } from './experiment.ts';
import { isParted } from './experiment.ts';
import { timedSession } from './part-time.ts';

/** The single part of an experiment that is not split into parts. */
export const wholeRun = 'run';

/** The names of the run's parts, in declaration order: each part's folder and job name. */
export function partsOf<Schema extends z.ZodTypeAny>(definition: ExperimentDefinition<Schema, unknown>, config: z.output<Schema>): string[] {
  if (!isParted(definition)) return [wholeRun];
  return namedParts(definition, config).map(({ name }) => name);
}

/** The part named `name` (as `partsOf` names it), as the definition declared it. */
export function partNamed<Schema extends z.ZodTypeAny, Data>(definition: PartedExperiment<Schema, Data>, config: z.output<Schema>, name: string): unknown {
  const found = namedParts(definition, config).find((named) => named.name === name);
  if (!found) throw new Error(`${definition.id}: no part named '${name}' (parts: ${partsOf(definition, config).join(', ')})`);
  return found.part;
}

/** One seed's part results, by name as stored, for `assemble` to read by part. */
export function partResults(definition: PartedExperiment, byName: ReadonlyMap<string, PartResult>): PartResults<unknown, PartResult> {
  return {
    of(part) {
      const name = nameOf(definition, part);
      const result = byName.get(name);
      if (!result) throw new Error(`${definition.id}: part '${name}' has no result in this run (parts: ${[...byName.keys()].join(', ')})`);
      return result;
    },
  };
}

/**
 * `result` as the kind of result `is` tells, for an experiment whose parts return results of several kinds (a
 * pre-training and the folds that start from it): a result file holds what its part returned, so a field only
 * that kind has tells it. `kind` names it in the error, e.g. 'a fold'.
 */
export function resultOfKind<Kind extends PartResult>(result: PartResult, is: (result: PartResult) => result is Kind, kind: string): Kind {
  if (!is(result)) throw new Error(`expected ${kind} part's result, found one holding ${Object.keys(result).join(', ')}`);
  return result;
}

function namedParts<Schema extends z.ZodTypeAny, Data>(
  definition: PartedExperiment<Schema, Data>,
  config: z.output<Schema>,
): Array<{ part: unknown; name: string }> {
  const named = definition.parts(config).map((part) => ({ part, name: nameOf(definition, part) }));
  const bad = named.find(({ name }) => !/^[a-z0-9][a-z0-9.-]*$/.test(name));
  if (bad) throw new Error(`${definition.id}: part name '${bad.name}' must be lower-case letters, digits, '.' and '-'`);
  const names = named.map(({ name }) => name);
  if (new Set(names).size !== names.length) throw new Error(`${definition.id}: part names repeat: ${names.join(', ')}`);
  return named;
}

function nameOf(definition: PartedExperiment, part: unknown): string {
  if (definition.partName) return definition.partName(part);
  if (typeof part === 'string') return part;
  throw new Error(`${definition.id}: its parts are not strings, so it must name them (partName)`);
}

/**
 * The parts in waves: every part in a later wave than each part it depends on (`dependsOn`), each wave in
 * declaration order. Why waves and not a lock around a shared cache: a part another part starts from is then a
 * part like any other, with its own result file and checkpoints, resumed across sessions, run on a worker and
 * copied with its seed's folder when shards merge; and the worker pool needs no notion of order, since the runner
 * hands it one wave after another. The price is a worker idling while a wave's last part finishes.
 */
export function partWaves<Schema extends z.ZodTypeAny>(definition: ExperimentDefinition<Schema, unknown>, config: z.output<Schema>): string[][] {
  if (!isParted(definition) || !definition.dependsOn) return [partsOf(definition, config)];
  const { dependsOn } = definition;
  const named = namedParts(definition, config);
  const parts = named.map(({ name }) => name);
  const needs = new Map(named.map(({ part, name }) => [name, dependsOn(config, part).map((dependency) => nameOf(definition, dependency))]));
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
  const result: PartResult = await timedSession(effects.checkpointDir, effects.now, async () =>
    isParted(definition)
      ? definition.runPart(config, data, partNamed(definition, config, part), effects)
      : { ...(await definition.run(config, data, effects)) },
  );
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
