/**
 * A calibration measured from a run of a CI profile over several seeds (`npm run experiments:calibrate`): each
 * gated metric's value per seed, their summary, and the inputs the run was made under. The file itself is read and
 * checked by src/lib/harness/snapshot.ts against the schema in src/lib/snapshot-schema.ts.
 */
import type { Calibration, Snapshot } from '../snapshot-schema.ts';
import { calibrationSchemaVersion, calibrationSdMultiple } from '../snapshot-schema.ts';
import { summarize } from '../stats/summary.ts';
import { inputHashes } from './runner.ts';
import { significantDigits } from './snapshot.ts';

/**
 * The calibration of `gated` metrics from a snapshot of several seeds. Values are rounded as the file keeps them
 * before they are summarized, so the summaries written are exactly those a reader recomputes from the file.
 */
export function measureCalibration(snapshot: Snapshot, gated: string[], { commit, date }: { commit: string; date: string }): Calibration {
  const name = `${snapshot.experiment}/${snapshot.profile}`;
  if (!snapshot.seeds || snapshot.seeds.list.length < 2) throw new Error(`${name}: a calibration needs a run of two or more seeds`);
  const { list, perSeed } = snapshot.seeds;
  const metrics: Calibration['metrics'] = {};
  for (const metric of gated.filter((gate) => perSeed.some((entry) => entry.metrics[gate] !== undefined))) {
    const values = perSeed.map((entry) => {
      const value = entry.metrics[metric];
      if (value === undefined || !Number.isFinite(value)) throw new Error(`${name}: seed ${entry.seed} has no finite ${metric} to calibrate`);
      return Number(value.toPrecision(significantDigits));
    });
    metrics[metric] = { ...summarize(values), values };
  }
  const { tfjs } = snapshot.provenance;
  return {
    schemaVersion: calibrationSchemaVersion,
    experiment: snapshot.experiment,
    profile: snapshot.profile,
    seeds: list,
    date,
    commit,
    backend: `${tfjs.backend}${tfjs.fastKernels ? ' + fast kernels' : ''}`,
    partsHash: partsHashOf(snapshot),
    sdMultiple: calibrationSdMultiple,
    metrics,
  };
}

/**
 * The parts hash (the input hash without the seed list) a snapshot was made under, from its provenance; checked
 * against the snapshot's own input hash, so a provenance that no longer gives it back is an error, not a wrong tie.
 */
export function partsHashOf(snapshot: Snapshot): string {
  const { config, seeds, sources, dataset, tfjs, inputHash } = snapshot.provenance;
  const engine = { backend: tfjs.backend, fastKernels: tfjs.fastKernels, tfjs: tfjs.version };
  const hashes = inputHashes({ config, seeds: seeds ?? [snapshot.provenance.seed], sources, dataHash: dataset.hash, engine });
  if (hashes.inputHash !== inputHash)
    throw new Error(`${snapshot.experiment}/${snapshot.profile}: its provenance does not give back its input hash ${inputHash.slice(0, 16)}`);
  return hashes.partsHash;
}
