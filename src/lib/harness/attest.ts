/**
 * Refactor-safe staleness, verified (`npm run experiments:attest`). When an experiment's sources change, its
 * committed snapshots no longer match the code. Rather than rerun hour-long tiers after a refactor, rerun the
 * experiment's cheap profile (smoke) under the new code: if the fresh snapshot equals the committed one in
 * every metric, curve, table and check (timings aside), the change did not move any number that profile computes,
 * and the other snapshots get an attestation (old and new input hash, the new sources, the commit, the hash of
 * the vouching run) instead of going stale. If smoke moved, nothing is attested and the moved metrics are listed.
 *
 * An attestation vouches for code changes only: a snapshot whose resolved config changed is not attested.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Attestation, Snapshot } from '../snapshot-schema.ts';
import type { ExperimentDefinition } from './experiment.ts';
import { resolveProfile } from './experiment.ts';
import { gitState } from './provenance.ts';
import { currentInputHash, inputHashes, runExperiment } from './runner.ts';
import type { RunOptions } from './runner.ts';
import { formatSnapshot, readSnapshot, snapshotPath, writeSnapshot } from './snapshot.ts';
import { hashSources, sha256, stableStringify } from './sources.ts';

export type Freshness = 'fresh' | 'attested' | 'stale';

export interface AttestReport {
  experiment: string;
  /** Per committed profile: its state before and after. */
  profiles: Array<{ profile: string; before: Freshness; after: Freshness; note?: string }>;
  /** The cheap profile's metrics that moved, when it did not reproduce. */
  moved: Array<{ metric: string; committed: number | undefined; now: number | undefined }>;
  seconds: number;
}

/** The snapshot's freshness against the given current sources. */
export function freshness(snapshot: Snapshot, sources: Record<string, string>): Freshness {
  const same = (recorded: Record<string, string>) => stableStringify(recorded) === stableStringify(sources);
  if (same(snapshot.provenance.sources)) return 'fresh';
  if (snapshot.attestations?.some((attestation) => same(attestation.sources))) return 'attested';
  return 'stale';
}

/** Metrics, curves, tables and checks as canonical text: what must match exactly for a vouching run. */
function resultText(snapshot: Snapshot): string {
  const formatted = JSON.parse(formatSnapshot(snapshot)) as Snapshot;
  return stableStringify({ metrics: formatted.metrics, curves: formatted.curves, tables: formatted.tables, checks: formatted.checks });
}

export async function attestExperiment(
  definition: ExperimentDefinition,
  options: { root: string; snapshotsDir: string; cheapProfile: string; log: (line: string) => void; run?: Partial<RunOptions> },
): Promise<AttestReport> {
  const started = performance.now();
  const { root, snapshotsDir, cheapProfile, log } = options;
  const sources = await hashSources([fileURLToPath(definition.module), fileURLToPath(new URL('../backend/backend.ts', import.meta.url))], root);
  const committed = await committedSnapshots(snapshotsDir, definition.id);
  const report: AttestReport = { experiment: definition.id, profiles: [], moved: [], seconds: 0 };
  const stale = committed.filter(({ snapshot }) => freshness(snapshot, sources) === 'stale');
  for (const { profile, snapshot } of committed) {
    const state = freshness(snapshot, sources);
    if (state !== 'stale') report.profiles.push({ profile, before: state, after: state });
  }
  if (stale.length === 0) return { ...report, seconds: (performance.now() - started) / 1000 };
  const vouching = committed.find(({ profile }) => profile === cheapProfile);
  if (!vouching) {
    for (const { profile } of stale) report.profiles.push({ profile, before: 'stale', after: 'stale', note: `no committed ${cheapProfile} snapshot to vouch` });
    return { ...report, seconds: (performance.now() - started) / 1000 };
  }

  log(`${definition.id}: ${stale.map(({ profile }) => profile).join(', ')} stale; rerunning ${cheapProfile} under the current code`);
  const outcome = await runExperiment(definition, {
    ...options.run,
    profile: cheapProfile,
    mode: 'check',
    root,
    snapshotsDir,
    scratchDir: join(root, '.scratch', 'attest'),
  });
  const fresh = outcome.snapshot;
  if (resultText(fresh) !== resultText(vouching.snapshot)) {
    const names = [...new Set([...Object.keys(vouching.snapshot.metrics), ...Object.keys(fresh.metrics)])].sort();
    report.moved = names
      .map((metric) => ({ metric, committed: vouching.snapshot.metrics[metric], now: fresh.metrics[metric] }))
      .filter(({ committed: before, now }) => before !== now);
    for (const { profile } of stale) report.profiles.push({ profile, before: 'stale', after: 'stale', note: `${cheapProfile} did not reproduce` });
    return { ...report, seconds: (performance.now() - started) / 1000 };
  }

  const vouchedBy = { experiment: definition.id, profile: cheapProfile, snapshotHash: sha256(resultText(fresh)) };
  const { commit } = gitState(root);
  for (const { profile, snapshot, path } of stale) {
    if (profile === cheapProfile) {
      // The vouching run is itself a fresh snapshot of the cheap profile under the current code.
      await writeSnapshot(path, { ...fresh, attestations: undefined });
      report.profiles.push({ profile, before: 'stale', after: 'fresh', note: 'rerun, reproduced exactly' });
      continue;
    }
    const { config } = resolveProfile(definition, profile);
    if (stableStringify(config) !== stableStringify(snapshot.provenance.config)) {
      report.profiles.push({ profile, before: 'stale', after: 'stale', note: 'its config changed: rerun it' });
      continue;
    }
    const { tfjs } = snapshot.provenance;
    const { inputHash } = inputHashes({
      config,
      seeds: snapshot.provenance.seeds ?? [snapshot.provenance.seed],
      sources,
      dataHash: snapshot.provenance.dataset.hash,
      engine: { backend: tfjs.backend, fastKernels: tfjs.fastKernels, tfjs: tfjs.version },
    });
    const attestation: Attestation = {
      fromInputHash: currentInputHash(snapshot),
      toInputHash: inputHash,
      sources,
      commit,
      date: new Date().toISOString(),
      vouchedBy,
    };
    await writeSnapshot(path, { ...snapshot, attestations: [...(snapshot.attestations ?? []), attestation] });
    report.profiles.push({ profile, before: 'stale', after: 'attested', note: `vouched for by ${cheapProfile}` });
  }
  return { ...report, seconds: (performance.now() - started) / 1000 };
}

async function committedSnapshots(snapshotsDir: string, experiment: string): Promise<Array<{ profile: string; path: string; snapshot: Snapshot }>> {
  const folder = join(snapshotsDir, experiment);
  const names = await readdir(folder).catch(() => [] as string[]);
  const found = [];
  for (const name of names.filter((entry) => entry.endsWith('.json')).sort()) {
    const profile = name.replace(/\.json$/, '');
    const path = snapshotPath(snapshotsDir, experiment, profile);
    const snapshot = await readSnapshot(path);
    if (snapshot) found.push({ profile, path, snapshot });
  }
  return found;
}
