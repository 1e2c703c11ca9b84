/**
 * Refactor-safe staleness, verified (`npm run experiments:attest`). When an experiment's sources change, its
 * committed snapshots no longer match the code. Rather than rerun hour-long tiers after a refactor, rerun the
 * experiment's cheap profile (smoke) under the new code, with V8 coverage on (probe.ts). A stale snapshot of
 * another profile gets an attestation (old and new input hash, the new sources, the commit, the hash of the
 * vouching run) instead of going stale only when all of these hold:
 *
 * - the fresh smoke snapshot equals the committed one in every metric, curve, table and check (compared as the
 *   files record them, timings aside) and in its data description. Smoke reruns at the config and seeds its
 *   snapshot records, so a change to smoke's own profile (fewer epochs, say) still lets the new code be checked
 *   against the old numbers; smoke itself then stays stale until it is run again;
 * - every line changed since the snapshot's commit was run by that rerun, or is part of a pure rename, move or
 *   format change (changes.ts): the check vouches only for code it exercised, so a constant only `full` reads
 *   is never vouched for by `smoke`;
 * - the profile's config, resolved under the new code, and the data description it records are unchanged.
 *
 * Otherwise the snapshot stays stale and the report says why: what moved, the `file:line` ranges the check never
 * ran, or what else changed.
 */
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Attestation, Snapshot } from '../snapshot-schema.ts';
import { unexercisedChanges } from './changes.ts';
import { readCoverage } from './coverage.ts';
import type { DatasetInfo } from '../data/dataset-info.ts';
import type { ExperimentDefinition } from './experiment.ts';
import type { ParentMessage, ProbeMessage, ProbeRequest } from './probe.ts';
import { gitState } from './provenance.ts';
import { currentInputHash, inputHashes } from './runner.ts';
import { asRecorded, readSnapshot, snapshotPath, writeSnapshot } from './snapshot.ts';
import { sha256, stableStringify } from '../provenance/hash.ts';
import { hashSources } from '../provenance/sources.ts';

export type Freshness = 'fresh' | 'attested' | 'stale';

export interface AttestReport {
  experiment: string;
  /** Per committed profile: its state before and after. */
  profiles: Array<{ profile: string; before: Freshness; after: Freshness; note?: string }>;
  /** The cheap profile's metrics that moved (at the precision the snapshot records), when it did not reproduce. */
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

/** Metrics, curves, tables and checks as the file records them: what must match exactly for a vouching run. */
function resultText(snapshot: Snapshot): string {
  const recorded = asRecorded(snapshot);
  return stableStringify({ metrics: recorded.metrics, curves: recorded.curves, tables: recorded.tables, checks: recorded.checks });
}

/** The metrics that differ between two snapshots as their files record them (rounded alike). */
export function movedMetrics(committed: Snapshot, fresh: Snapshot): AttestReport['moved'] {
  const before = asRecorded(committed).metrics;
  const now = asRecorded(fresh).metrics;
  return [...new Set([...Object.keys(before), ...Object.keys(now)])]
    .sort()
    .map((metric) => ({ metric, committed: before[metric], now: now[metric] }))
    .filter((row) => row.committed !== row.now);
}

export interface AttestOptions {
  root: string;
  snapshotsDir: string;
  cheapProfile: string;
  log: (line: string) => void;
  /** Worker processes for the rerun (default HW2_WORKERS). */
  run?: { workers?: number };
}

/** The experiment is loaded afresh by the probe process (by id from its module), so only these are needed here. */
export async function attestExperiment(definition: Pick<ExperimentDefinition, 'id' | 'module'>, options: AttestOptions): Promise<AttestReport> {
  const started = performance.now();
  const { root, snapshotsDir, cheapProfile, log } = options;
  const name = `${definition.id}/${cheapProfile}`;
  const sources = await hashSources([fileURLToPath(definition.module), fileURLToPath(new URL('../backend/backend.ts', import.meta.url))], root);
  const committed = await committedSnapshots(snapshotsDir, definition.id);
  const report: AttestReport = { experiment: definition.id, profiles: [], moved: [], seconds: 0 };
  const finish = () => ({
    ...report,
    profiles: report.profiles.sort((a, b) => (a.profile < b.profile ? -1 : 1)),
    seconds: (performance.now() - started) / 1000,
  });
  const keep = (profile: string, note: string) => report.profiles.push({ profile, before: 'stale', after: 'stale', note });
  const stale = committed.filter(({ snapshot }) => freshness(snapshot, sources) === 'stale');
  for (const { profile, snapshot } of committed) {
    const state = freshness(snapshot, sources);
    if (state !== 'stale') report.profiles.push({ profile, before: state, after: state });
  }
  if (stale.length === 0) return finish();
  const vouching = committed.find(({ profile }) => profile === cheapProfile);
  if (!vouching) {
    for (const { profile } of stale) keep(profile, `no committed ${cheapProfile} snapshot to vouch`);
    return finish();
  }

  log(`${definition.id}: ${stale.map(({ profile }) => profile).join(', ')} stale; rerunning ${cheapProfile} under the current code, with coverage`);
  const targets = stale.filter(({ profile }) => profile !== cheapProfile);
  const probe = await startProbe(
    {
      module: definition.module,
      experiment: definition.id,
      cheapProfile,
      recorded: { config: vouching.snapshot.provenance.config, seeds: vouching.snapshot.provenance.seeds ?? [vouching.snapshot.provenance.seed] },
      targets: targets.map(({ profile }) => profile),
      root,
      snapshotsDir,
      scratchDir: join(root, '.scratch', 'attest'),
      ...options.run,
    },
    log,
  );
  try {
    const { snapshot: fresh, configs } = await probe.reran;
    const sameData = stableStringify(fresh.provenance.dataset) === stableStringify(vouching.snapshot.provenance.dataset);
    if (resultText(fresh) !== resultText(vouching.snapshot) || !sameData) {
      report.moved = movedMetrics(vouching.snapshot, fresh);
      const why = sameData ? `${cheapProfile} did not reproduce` : `${cheapProfile} did not reproduce: its data description changed`;
      for (const { profile } of stale) keep(profile, why);
      return finish();
    }
    const coverage = await readCoverage(probe.coverageDir, root);

    const vouchedBy = { experiment: definition.id, profile: cheapProfile, snapshotHash: sha256(resultText(fresh)) };
    const { commit } = gitState(root);
    // Code and config first: only the profiles that pass them have their data loaded to check its description.
    const candidates: typeof targets = [];
    for (const target of targets) {
      const { profile, snapshot } = target;
      if (stableStringify(configs[profile]) !== stableStringify(snapshot.provenance.config)) {
        keep(profile, 'its config changed: rerun it');
        continue;
      }
      const { uncheckable, notRun } = await unexercisedChanges({
        root,
        commit: snapshot.provenance.git.commit,
        recorded: snapshot.provenance.sources,
        current: sources,
        coverage,
      });
      if (uncheckable.length) keep(profile, `not vouched for by ${name}: ${uncheckable.join('; ')}`);
      else if (notRun.length) keep(profile, `${listed(notRun)} changed and not run by ${name}`);
      else candidates.push(target);
    }
    const datasets = candidates.length ? await probe.describe(candidates.map(({ profile }) => profile)) : {};

    for (const { profile, snapshot, path } of stale) {
      if (profile === cheapProfile) {
        if (stableStringify(configs[profile]) !== stableStringify(snapshot.provenance.config)) {
          keep(profile, 'its profile changed: the check reran its snapshot as recorded; run it again (experiments:update)');
          continue;
        }
        // The vouching run is itself a fresh snapshot of the cheap profile under the current code.
        await writeSnapshot(path, { ...fresh, attestations: undefined });
        report.profiles.push({ profile, before: 'stale', after: 'fresh', note: 'rerun, reproduced exactly' });
        continue;
      }
      if (!candidates.some((candidate) => candidate.profile === profile)) continue;
      const dataset = datasets[profile];
      if (!dataset || 'error' in dataset) {
        keep(profile, `its data description could not be recomputed (${dataset?.error ?? 'no answer'}): attest where its data is`);
        continue;
      }
      if (stableStringify(dataset) !== stableStringify(snapshot.provenance.dataset)) {
        keep(profile, `its data description changed (${describeDifference(snapshot.provenance.dataset, dataset)}): rerun it`);
        continue;
      }
      const { tfjs } = snapshot.provenance;
      const { inputHash } = inputHashes({
        config: configs[profile],
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
    return finish();
  } finally {
    await probe.close();
  }
}

/** The first dozen items, then how many more: a large refactor's note stays one readable line. */
function listed(items: string[], shown = 12): string {
  return `${items.slice(0, shown).join(', ')}${items.length > shown ? ` and ${items.length - shown} more` : ''}`;
}

function describeDifference(before: DatasetInfo, now: DatasetInfo): string {
  const fields = (['id', 'description', 'hash'] as const).filter((field) => before[field] !== now[field]);
  return fields.map((field) => (field === 'hash' ? 'content hash' : `${field} '${before[field]}' -> '${now[field]}'`)).join(', ');
}

const probeEntry = fileURLToPath(new URL('./probe.ts', import.meta.url));
// By absolute URL: `--import tsx` alone resolves from the child's cwd (the run's root), which need not hold node_modules.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

interface Probe {
  /** Where this process tree's V8 coverage goes. */
  coverageDir: string;
  reran: Promise<Extract<ProbeMessage, { type: 'reran' }>>;
  describe(profiles: string[]): Promise<Record<string, DatasetInfo | { error: string }>>;
  close(): Promise<void>;
}

/** Starts probe.ts with coverage on for it and every process it starts, and asks for the rerun. */
async function startProbe(request: Omit<ProbeRequest, 'checkpointsDir'>, log: (line: string) => void): Promise<Probe> {
  const folder = await mkdtemp(join(tmpdir(), 'hw2-attest-'));
  const coverageDir = join(folder, 'coverage');
  // Empty checkpoints: parts finished earlier with the same inputs would be read back, not run, and so not covered.
  const checkpointsDir = join(folder, 'checkpoints');
  const child: ChildProcess = fork(probeEntry, [], {
    execArgv: ['--import', tsxLoader],
    cwd: request.root,
    env: { ...process.env, NODE_V8_COVERAGE: coverageDir },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // Keeps NaN and Infinity in a diverged curve as they are.
    serialization: 'advanced',
  });
  // The last of its output, for the error when it fails (a stack goes to stderr, the message over IPC).
  let output = '';
  const keepOutput = (chunk: Buffer) => {
    output = `${output}${chunk.toString('utf8')}`.slice(-4000);
  };
  child.stdout?.on('data', keepOutput);
  child.stderr?.on('data', keepOutput);
  let failure: string | undefined;
  const waiting = new Map<string, { resolve: (message: ProbeMessage) => void; reject: (error: Error) => void }>();
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      const error = new Error(
        `${request.experiment}/${request.cheapProfile}: the rerun ${failure ? `failed: ${failure}` : `stopped (${signal ?? `exit code ${code}`})${output ? `; its last output:\n${output.trim()}` : ''}`}`,
      );
      for (const { reject } of waiting.values()) reject(error);
      waiting.clear();
      resolve();
    });
  });
  child.on('message', (message: ProbeMessage) => {
    if (message.type === 'log') log(`${request.experiment}/${request.cheapProfile}: ${message.line}`);
    else if (message.type === 'failed') failure = message.message;
    else {
      waiting.get(message.type)?.resolve(message);
      waiting.delete(message.type);
    }
  });
  const expect = <Type extends ProbeMessage['type']>(type: Type, message: ParentMessage) =>
    new Promise<Extract<ProbeMessage, { type: Type }>>((resolve, reject) => {
      waiting.set(type, { resolve: (answer) => resolve(answer as Extract<ProbeMessage, { type: Type }>), reject });
      child.send(message);
    });
  const reran = expect('reran', { type: 'probe', request: { ...request, checkpointsDir } });
  // Awaited by the caller; a failure before then must not count as unhandled.
  reran.catch(() => {});
  return {
    coverageDir,
    reran,
    describe: async (profiles) => (await expect('described', { type: 'describe', profiles })).datasets,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        if (child.connected) child.send({ type: 'exit' } satisfies ParentMessage);
        else child.kill('SIGTERM');
        await exited;
      }
      await rm(folder, { recursive: true, force: true });
    },
  };
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
