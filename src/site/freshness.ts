/**
 * Is a snapshot still what the code would produce now? Three states, decided here and nowhere else:
 *
 * - `fresh`: every source file the run hashed (`provenance.sources`) hashes the same today;
 * - `attested`: some differ, but an attestation (`snapshot.attestations`, written when a later run showed the
 *   change leaves this snapshot's numbers as they were) vouches for exactly today's inputs: its `toInputHash`
 *   equals the input hash recomputed from today's sources;
 * - `stale`: some differ and nothing vouches for today's inputs.
 *
 * Today's input hash is the harness's formula (src/lib/harness/runner.ts: config, sources, data hash, engine)
 * with the recorded config, data hash and engine and today's source hashes, since only the sources can be
 * checked while the site is built. A file that is gone leaves no current hash, so nothing can vouch for it.
 */
import type { Snapshot } from '../lib/snapshot-schema.ts';
import { hashJson } from '../lib/harness/sources.ts';
import type { Attestation } from '../lib/snapshot-schema.ts';
import type { Staleness } from './staleness.ts';

export type FreshnessState = 'fresh' | 'attested' | 'stale';

export interface Freshness {
  state: FreshnessState;
  /** The input hash the current sources give; null when a source is gone. */
  currentInputHash: string | null;
  /** The attestation that vouches for the current inputs, when the state is `attested`. */
  attestation?: Attestation;
}

export function judgeFreshness(snapshot: Snapshot, staleness: Staleness): Freshness {
  const { provenance } = snapshot;
  if (!staleness.stale) return { state: 'fresh', currentInputHash: provenance.inputHash };
  if (staleness.sources.some((source) => source.current === null)) return { state: 'stale', currentInputHash: null };
  const sources = Object.fromEntries(staleness.sources.map((source) => [source.path, source.current as string]));
  const currentInputHash = inputHashWith(snapshot, sources);
  const attestation = (snapshot.attestations ?? []).find((candidate) => candidate.toInputHash === currentInputHash);
  return attestation ? { state: 'attested', currentInputHash, attestation } : { state: 'stale', currentInputHash };
}

/**
 * The input hash the run would get with `sources` in place of its recorded ones, by the harness's formula
 * (src/lib/harness/runner.ts). Snapshots that record their seed list were hashed with the seeds and the tfjs
 * version in the engine; older ones without.
 */
export function inputHashWith(snapshot: Snapshot, sources: Record<string, string>): string {
  const { provenance } = snapshot;
  const data = provenance.dataset.hash;
  if (provenance.seeds) {
    const engine = { backend: provenance.tfjs.backend, fastKernels: provenance.tfjs.fastKernels, tfjs: provenance.tfjs.version };
    return hashJson({ config: provenance.config, seeds: provenance.seeds, sources, data, engine });
  }
  const engine = { backend: provenance.tfjs.backend, fastKernels: provenance.tfjs.fastKernels };
  return hashJson({ config: provenance.config, sources, data, engine });
}

/** How a state reads beside a result. */
export const freshnessLabels: Readonly<Record<FreshnessState, string>> = {
  fresh: 'fresh',
  attested: 'attested',
  stale: 'stale',
};

/** One sentence for hover text and screen readers. */
export function describeFreshness(freshness: Freshness): string {
  switch (freshness.state) {
    case 'fresh':
      return 'fresh: every source file its run used is unchanged';
    case 'attested': {
      const { vouchedBy, date, commit } = freshness.attestation!;
      return `attested: its sources changed, and a run of ${vouchedBy.experiment}/${vouchedBy.profile} at commit ${commit.slice(0, 7)} on ${date.slice(0, 10)} vouched that the change leaves these numbers as they are`;
    }
    case 'stale':
      return 'stale: source files its run used have changed since, and no later run vouches for them';
  }
}
