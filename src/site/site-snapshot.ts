/**
 * The parts of a snapshot that only some snapshots have: results over several seeds (`seeds`) and attestations
 * (`attestations`). Older snapshots lack them and still build; these helpers read them when they are there.
 */
import type { Snapshot, Summary } from '../lib/snapshot-schema.ts';

/** The seeds a snapshot's numbers come from: its list when it ran several, else its one seed. */
export function seedList(snapshot: Snapshot): number[] {
  const list = snapshot.seeds?.list ?? snapshot.provenance.seeds;
  return list && list.length > 0 ? list : [snapshot.provenance.seed];
}

/** The summary over seeds of `metrics.<name>`, when the snapshot ran more than one seed. */
export function metricAggregate(snapshot: Snapshot, keyPath: string): Summary | undefined {
  const match = /^metrics\.(.+)$/.exec(keyPath);
  if (!match) return undefined;
  const aggregate = snapshot.seeds?.aggregates[match[1]];
  return aggregate && aggregate.n > 1 ? aggregate : undefined;
}
