/**
 * Is a snapshot still what the code would produce now? Three states, decided here and nowhere else:
 *
 * - `fresh`: every source the run hashed (`provenance.sources`) hashes the same today;
 * - `attested`: some differ, but an attestation (`snapshot.attestations`, written by `npm run experiments:attest`
 *   when a rerun of the experiment's CI profile under changed code reproduced its committed snapshot exactly)
 *   recorded today's sources: every source it lists hashes the same today;
 * - `stale`: some differ and no attestation vouches for today's sources.
 *
 * The comparison of hashes is src/site/staleness.ts's, which hashes exactly as the harness does.
 */
import type { Attestation } from '../lib/snapshot-schema.ts';
import type { Staleness } from './staleness.ts';

export type FreshnessState = 'fresh' | 'attested' | 'stale';

export interface Freshness {
  state: FreshnessState;
  /** The attestation that vouches for today's sources, when the state is `attested`. */
  attestation?: Attestation;
}

/** `attestations`: each attestation of the snapshot with the comparison of its recorded sources to today's. */
export function judgeFreshness(staleness: Staleness, attestations: Array<{ attestation: Attestation; staleness: Staleness }>): Freshness {
  if (!staleness.stale) return { state: 'fresh' };
  const vouching = attestations.findLast((candidate) => !candidate.staleness.stale);
  return vouching ? { state: 'attested', attestation: vouching.attestation } : { state: 'stale' };
}

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
