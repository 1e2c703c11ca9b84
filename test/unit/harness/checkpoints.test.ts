/**
 * Checkpoint folders under overlap (issue 19.1): no run deletes another run's work, runs of the same inputs compute
 * each part once, and clean-up (after a successful run, or `npm run experiments:gc`) keeps what a live run holds and
 * says what it removed and why; a run of attested inputs takes the attested seeds' parts instead of training them again.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { takeLease } from '../../../src/lib/fs/lease.ts';
import { adoptAttestedSeeds, collectGarbage, inputHashOf, openRunFolder } from '../../../src/lib/harness/checkpoints.ts';
import { runExperiment } from '../../../src/lib/harness/runner.ts';
import { hashJson } from '../../../src/lib/provenance/hash.ts';
import { quietEffects, removeTempRoots, tempRoot } from '../../support/harness.ts';
import { toySnapshot } from '../../support/snapshots.ts';
import { gatePath, toyOverlap, toyParted, toyPartsLog } from '../../support/toy-parted.ts';
import { runCli } from '../cli/run-cli.ts';

afterAll(removeTempRoots);

const profileFolder = (root: string, profile: string, id = toyOverlap.id) => join(root, '.cache', 'checkpoints', id, profile);

/** The toy at `slow` (seeds 1 and 2, two parts of 400 ms each) in check mode, its snapshot in a scratch folder of its own. */
function runSlow(root: string, scratch: string, definition: typeof toyOverlap = toyOverlap) {
  const quiet = quietEffects();
  const outcome = runExperiment(definition, {
    root,
    profile: 'slow',
    mode: 'check',
    ci: false,
    workers: 1,
    scratchDir: join(root, scratch),
    effects: quiet.effects,
  });
  return { outcome, lines: quiet.lines };
}

/** The same experiment with other inputs at `slow`: more draws per part, and quicker parts. */
const otherInputs = { ...toyOverlap, profiles: { ...toyOverlap.profiles, slow: { seeds: [1, 2], partMs: 50, draws: 9 } } };

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (const started = Date.now(); !(await condition()); await sleep(10)) if (Date.now() - started > 45_000) throw new Error(`gave up waiting until ${what}`);
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
const computed = (lines: string[]) => lines.filter((line) => line.includes(toyPartsLog));

describe('two overlapping runs with different inputs', () => {
  it("both complete with their own snapshots: the second neither removes the first one's folder at its start nor after", async () => {
    const root = await tempRoot('overlap');
    const first = runSlow(root, 'first');
    await until(() => computed(first.lines).length > 0, 'the first run computes its first part');
    const [firstFolder] = await readdir(profileFolder(root, 'slow'));
    const held = join(profileFolder(root, 'slow'), firstFolder);

    const second = runSlow(root, 'second', otherInputs);
    const secondOutcome = await second.outcome;
    expect(await exists(held)).toBe(true);
    expect(second.lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^checkpoints: kept ${held}: held by toy-overlap/slow check run \\(pid ${process.pid} on ${hostname()}, since .*\\): held by this process$`),
      ),
    );

    const firstOutcome = await first.outcome;
    expect(firstOutcome.writtenTo).toBe(join(root, 'first', 'toy-overlap', 'slow.json'));
    expect(secondOutcome.writtenTo).toBe(join(root, 'second', 'toy-overlap', 'slow.json'));
    expect(firstOutcome.snapshot.provenance.inputHash).not.toBe(secondOutcome.snapshot.provenance.inputHash);
    expect(firstOutcome.snapshot.provenance.config).toMatchObject({ draws: 8 });
    expect(secondOutcome.snapshot.provenance.config).toMatchObject({ draws: 9 });
    expect(computed(first.lines)).toHaveLength(4);
    expect(computed(second.lines)).toHaveLength(4);

    // The first run succeeded last: the second's folder is no run's now and stands for no committed snapshot.
    expect(first.lines).toContainEqual(expect.stringMatching(/^checkpoints: removed .*: superseded: no live run holds it and no snapshot is committed at /));
    expect(await readdir(profileFolder(root, 'slow'))).toEqual([firstFolder]);
    // Nothing of either run's leases or claims is left behind.
    expect((await readdir(held, { recursive: true })).filter((name) => /lease-/.test(name))).toEqual([]);
  });
});

describe('two identical runs started together', () => {
  it('compute each part once in one process, the second waiting for the first', async () => {
    const root = await tempRoot('identical');
    const runs = [runSlow(root, 'a'), runSlow(root, 'b')];
    const outcomes = await Promise.all(runs.map((run) => run.outcome));
    const all = runs.flatMap((run) => run.lines);
    expect(computed(all)).toHaveLength(4); // 2 seeds x 2 parts, once each
    expect(all).toContainEqual(
      expect.stringMatching(
        /^(narrow|wide): claimed by toy-overlap seed \d · \1 \(pid \d+ on .*, since .*\): held by this process; waiting for .*\/\1\/result\.json$/,
      ),
    );
    expect(all).toContainEqual(expect.stringMatching(/^(narrow|wide): finished by toy-overlap seed \d · \1 \(pid \d+/));
    const [a, b] = outcomes.map(({ snapshot: { timings: _timings, artifacts: _artifacts, ...rest } }) => rest);
    expect(a).toEqual(b);
  });

  it('compute each part once on worker processes: a worker that finds a part claimed names the holder and waits', async () => {
    const root = await tempRoot('identical-workers');
    // The `gated` profile holds every part until the gate opens, so both runs' workers are under way together
    // however long each takes to start.
    const runs = ['a', 'b'].map((scratch) => {
      const quiet = quietEffects();
      const options = { root, profile: 'gated', mode: 'check' as const, ci: false, workers: 2, scratchDir: join(root, scratch), effects: quiet.effects };
      return { outcome: runExperiment(toyOverlap, options), lines: quiet.lines };
    });
    const started = () => runs.flatMap((run) => run.lines).filter((line) => line.includes(toyPartsLog) || line.includes(': claimed by '));
    await until(() => started().length === 4, 'all four workers are in their part');
    await writeFile(gatePath(join(profileFolder(root, 'gated'), 'any', 'seed-1', 'part')), '');
    const outcomes = await Promise.all(runs.map((run) => run.outcome));
    const all = runs.flatMap((run) => run.lines);
    expect(computed(all)).toHaveLength(2);
    expect(all.filter((line) => line.includes(': claimed by '))).toEqual([
      expect.stringMatching(/ (narrow|wide): claimed by toy-overlap seed 1 · \1 \(pid \d+ on .*\): pid \d+ is running; waiting for /),
      expect.stringMatching(/ (narrow|wide): claimed by toy-overlap seed 1 · \1 \(pid \d+ on .*\): pid \d+ is running; waiting for /),
    ]);
    const [a, b] = outcomes.map(({ snapshot: { timings: _timings, artifacts: _artifacts, ...rest } }) => rest);
    expect(a).toEqual(b);
  }, 120_000); // four worker processes, each loading tfjs: slow on a busy machine
});

describe('a part claimed by a run that died', () => {
  it('is taken over and computed, with a log line naming the dead holder', async () => {
    const root = await tempRoot('dead-claim');
    const run = () => {
      const quiet = quietEffects();
      const outcome = runExperiment(toyParted, { root, profile: 'smoke', mode: 'check', ci: false, workers: 1, seeds: [1], effects: quiet.effects });
      return { outcome, lines: quiet.lines };
    };
    await run().outcome;
    // A run killed while computing seed 1 · wide: its claim is there, its result is not.
    const [folder] = await readdir(profileFolder(root, 'smoke', toyParted.id));
    const part = join(profileFolder(root, 'smoke', toyParted.id), folder, 'seed-1', 'wide');
    await rm(join(part, 'result.json'));
    const pid = spawnSync(process.execPath, ['-e', '']).pid;
    const claim = join(part, `lease-${pid}-0123abcd.json`);
    await writeFile(claim, JSON.stringify({ pid, host: hostname(), startedAt: new Date().toISOString(), holder: 'toy-parted seed 1 · wide' }));
    const again = run();
    await again.outcome;
    expect(computed(again.lines)).toEqual([`${toyPartsLog} wide`]);
    expect(again.lines).toContainEqual(
      expect.stringMatching(new RegExp(`^removed the lease ${claim} of toy-parted seed 1 · wide \\(pid ${pid} .*\\): pid ${pid} is gone$`)),
    );
    expect(await exists(claim)).toBe(false);
  });
});

describe('npm run experiments:gc', () => {
  /**
   * A project with a committed snapshot of the toy's smoke profile (its own folder) and beside it: a folder a live
   * run holds, a superseded one, one whose lease's process is gone, one from before runs recorded their inputs,
   * something that is not a run's folder, and the remains of an interrupted removal.
   */
  async function project() {
    const root = await tempRoot('gc');
    const committed = await runExperiment(toyParted, { root, profile: 'smoke', mode: 'update', ci: false, workers: 1, effects: quietEffects().effects });
    expect(committed.writtenTo).toBe(join(root, 'snapshots', 'toy-parted', 'smoke.json'));
    const profile = profileFolder(root, 'smoke', toyParted.id);
    const [committedFolder] = await readdir(profile);
    const partsHash = (text: string) => hashJson(text);
    const leased = await openRunFolder(profile, partsHash('leased'), 'toy-parted/smoke check run', () => {});
    const superseded = await openRunFolder(profile, partsHash('superseded'), 'a run that ended', () => {});
    await superseded.lease.release();
    const deadHolder = join(profile, partsHash('dead holder').slice(0, 16));
    await mkdir(deadHolder);
    const pid = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(
      join(deadHolder, `lease-${pid}-0123abcd.json`),
      JSON.stringify({ pid, host: hostname(), startedAt: new Date().toISOString(), holder: 'a killed run' }),
    );
    const legacy = join(profile, partsHash('legacy').slice(0, 16));
    await mkdir(join(legacy, 'seed-1', 'wide'), { recursive: true });
    // A part claimed by a live run keeps its whole folder, even without a lease on the folder itself.
    const claimed = join(profile, partsHash('claimed').slice(0, 16));
    const claim = await takeLease(join(claimed, 'seed-2', 'narrow'), 'toy-parted seed 2 · narrow', { log: () => {} });
    await mkdir(join(profile, 'notes'));
    await mkdir(join(profile, `.removing-${partsHash('old').slice(0, 16)}-${pid}-89abcdef`));
    const folders = {
      committed: join(profile, committedFolder),
      leased: leased.folder,
      claimed,
      superseded: superseded.folder,
      deadHolder,
      legacy,
      notes: join(profile, 'notes'),
      interrupted: join(profile, `.removing-${partsHash('old').slice(0, 16)}-${pid}-89abcdef`),
    };
    return { root, pid, folders, release: () => Promise.all([leased.lease.release(), claim.release()]) };
  }

  it("keeps leased folders and the committed snapshot's, removes the superseded ones, and says what and why", async () => {
    const { root, pid, folders, release } = await project();
    try {
      const options = { checkpointsDir: join(root, '.cache', 'checkpoints'), snapshotsDir: join(root, 'snapshots'), log: () => {} };
      const dry = await collectGarbage({ ...options, dryRun: true });
      for (const folder of Object.values(folders)) expect(await exists(folder)).toBe(true);
      const verdicts = await collectGarbage({ ...options, dryRun: false });
      expect(dry.map((verdict) => verdict.action)).toEqual(verdicts.map((verdict) => (verdict.action === 'removed' ? 'would remove' : verdict.action)));
      const about = (folder: string) => verdicts.find((verdict) => verdict.folder === folder);
      const snapshot = join(root, 'snapshots', 'toy-parted', 'smoke.json');
      expect(about(folders.committed)).toEqual({ folder: folders.committed, action: 'kept', why: `the inputs of the committed snapshot ${snapshot}` });
      expect(about(folders.leased)).toMatchObject({
        action: 'kept',
        why: expect.stringMatching(/^held by toy-parted\/smoke check run \(pid \d+ on .*\): held by this process$/),
      });
      expect(about(folders.claimed)).toMatchObject({ action: 'kept', why: expect.stringMatching(/^held by toy-parted seed 2 · narrow \(pid \d+/) });
      expect(about(folders.superseded)).toMatchObject({
        action: 'removed',
        why: `superseded: no live run holds it and the committed snapshot ${snapshot} stands for other inputs`,
      });
      expect(about(folders.deadHolder)).toMatchObject({
        action: 'removed',
        why: expect.stringMatching(/^superseded: no live run holds it and it records no inputs/),
      });
      expect(about(folders.legacy)).toMatchObject({
        action: 'removed',
        why: expect.stringMatching(/^superseded: .*it records no inputs \(inputs\.json: made before runs recorded them\)$/),
      });
      expect(about(folders.notes)).toMatchObject({ action: 'kept', why: "not a run's checkpoint folder (its name is not a parts hash): left alone" });
      expect(about(folders.interrupted)).toMatchObject({ action: 'removed', why: `left by an interrupted removal (pid ${pid} is gone)` });
      expect(verdicts).toHaveLength(8);
      for (const [name, folder] of Object.entries(folders)) expect([name, await exists(folder)]).toEqual([name, about(folder)!.action === 'kept']);
    } finally {
      await release();
    }
  });

  it('prints a line per folder and a summary; --dry-run removes nothing; a bad argument is exit 2', async () => {
    const { root, folders, release } = await project();
    try {
      const dry = await runCli('gc', ['--root', root, '--dry-run']);
      expect(dry.code).toBe(0);
      const lines = dry.stdout.trim().split('\n');
      expect(lines).toHaveLength(9);
      expect(lines).toContainEqual(
        expect.stringMatching(
          /^kept +\.cache\/checkpoints\/toy-parted\/smoke\/[0-9a-f]{16}: held by toy-parted\/smoke check run \(pid \d+ .*: pid \d+ is running$/,
        ),
      );
      expect(lines).toContainEqual(
        expect.stringMatching(
          /^would remove \.cache\/checkpoints\/toy-parted\/smoke\/[0-9a-f]{16}: superseded: no live run holds it and the committed snapshot snapshots\/toy-parted\/smoke\.json stands for other inputs$/,
        ),
      );
      expect(lines.at(-1)).toBe('experiments:gc: .cache/checkpoints: 4 kept, 4 would be removed (dry run: nothing removed)');
      for (const folder of Object.values(folders)) expect(await exists(folder)).toBe(true);

      const bad = await runCli('gc', ['--dry']);
      expect(bad).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^experiments:gc: unknown argument '--dry'\nusage: /) });
    } finally {
      await release();
    }
  });
});

describe('seeds an attestation vouches for', () => {
  const before = hashJson({ inputs: 'before the refactor' });
  const after = hashJson({ inputs: 'after the refactor' });
  /** A committed snapshot of seed 1 made under `before` and, when `attested`, attested to `after`. */
  const committed = (attested: boolean) =>
    toySnapshot({
      provenance: { ...toySnapshot().provenance, seeds: [1], inputHash: inputHashOf(before, [1]) },
      attestations: attested
        ? [
            {
              fromInputHash: inputHashOf(before, [1]),
              toInputHash: inputHashOf(after, [1]),
              sources: {},
              commit: 'x',
              date: '',
              vouchedBy: { experiment: 'toy', profile: 'smoke', snapshotHash: 'h' },
            },
          ]
        : undefined,
    });

  /** A profile folder holding the run folder of `before` with seed 1's finished part. */
  async function folders() {
    const profile = join(await tempRoot('adopt'), 'profile');
    const old = join(profile, before.slice(0, 16));
    await mkdir(join(old, 'seed-1', 'attention'), { recursive: true });
    await writeFile(join(old, 'inputs.json'), `${JSON.stringify({ partsHash: before })}\n`);
    await writeFile(join(old, 'seed-1', 'attention', 'result.json'), '{"metrics":{}}\n');
    const own = join(profile, after.slice(0, 16));
    await mkdir(own, { recursive: true });
    return { profile, old, own };
  }

  it('a run of the attested inputs takes the attested seeds from the folder they were made in, and no other seed', async () => {
    const { profile, old, own } = await folders();
    expect(await adoptAttestedSeeds(profile, own, after, committed(true), [1, 2, 3])).toEqual({ seeds: [1], from: old });
    expect(await readdir(own)).toEqual(['seed-1']);
    expect(await exists(join(own, 'seed-1', 'attention', 'result.json'))).toBe(true);
    // A seed already there is left alone.
    expect((await adoptAttestedSeeds(profile, own, after, committed(true), [1])).seeds).toEqual([]);
  });

  it('takes nothing without an attestation, or for inputs the attestation is not for', async () => {
    const { profile, own } = await folders();
    expect((await adoptAttestedSeeds(profile, own, after, committed(false), [1])).seeds).toEqual([]);
    expect((await adoptAttestedSeeds(profile, own, hashJson({ inputs: 'other' }), committed(true), [1])).seeds).toEqual([]);
    expect(await readdir(own)).toEqual([]);
  });
});
