/**
 * Refactor-safe staleness, verified (issues 10.4 and 19.2): after a change to an experiment's code, a rerun of its
 * cheap profile that reproduces the committed snapshot exactly vouches for the other profiles, but only for the
 * changes it ran (or that are pure renames), and only while their configs and data descriptions stay the same.
 *
 * The toy lives in a temp git repository, as a module the probe process loads by path: `smoke` predicts three
 * inputs, `full` forty (its count a config default) through a branch of the model only `full` takes.
 */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { attestExperiment, freshness, movedMetrics } from '../../../src/lib/harness/attest.ts';
import { projectRoot } from '../../../src/lib/harness/runner.ts';
import { formatSnapshot, parseSnapshot, readSnapshot, snapshotPath } from '../../../src/lib/harness/snapshot.ts';
import { sha256 } from '../../../src/lib/provenance/hash.ts';
import { hashSources } from '../../../src/lib/provenance/sources.ts';
import { callModule, removeTempRoots, tempRoot } from '../../support/harness.ts';
import { toySnapshot } from '../../support/snapshots.ts';

afterAll(removeTempRoots);

const harness = (file: string) => pathToFileURL(join(projectRoot, 'src/lib/harness', file)).href;
const zod = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('zod')), 'index.js')).href;

// Line 6 is the constant only `full` reads; line 4 a variable both tiers use.
const model = `/** A toy model: a line through the inputs; the full tier scales it by a constant of its own. */
export function predict(x: number, tier: string): number {
  const weight = 0.5;
  const shifted = x + 1;
  if (tier === 'full') {
    const fullScale = 3;
    return fullScale * weight * shifted;
  }
  return weight * shifted;
}
`;

const data = `/** The inputs 1..count, at most thirty of them. */
export function inputsOf(count: number): number[] {
  const kept = Math.min(count, 30);
  return Array.from({ length: kept }, (_, i) => i + 1);
}
`;

const experiment = `import { z } from '${zod}';
import { defineExperiment } from '${harness('experiment.ts')}';
import { inputsOf } from './data.ts';
import { predict } from './model.ts';

const config = z
  .object({
    seed: z.number().int().default(1),
    count: z.number().int().positive().default(40), // inputs; smoke overrides it
    tier: z.enum(['smoke', 'full']).default('full'),
  })
  .strict();

export const toyAttest = defineExperiment({
  id: 'toy-attest',
  title: 'toy with a model file',
  module: import.meta.url,
  config,
  profiles: { smoke: { count: 3, tier: 'smoke' }, full: {} },
  thresholds: {},
  baseline: { mean: { direction: 'higher', tolerance: 0 } },
  async data(config: z.output<typeof config>) {
    const inputs = inputsOf(config.count);
    return { dataset: { id: 'inputs', description: \`inputs 1..\${inputs.length}\`, hash: String(inputs.length) }, data: inputs };
  },
  async run(config: z.output<typeof config>, inputs: number[]) {
    const predictions = inputs.map((x) => predict(x, config.tier));
    // share: a number the file rounds (1/3 for smoke) that no edit below moves.
    return { metrics: { mean: predictions.reduce((sum, value) => sum + value, 0) / inputs.length, last: predictions.at(-1)!, share: 1 / inputs.length } };
  },
});
`;

// Runs update mode in a fresh process (the probe loads the toy by path; Vitest cannot load it), as the commands do.
const updating = `import { runExperiment } from '${harness('runner.ts')}';
import { toyAttest } from './experiment.ts';

export async function update(root: string, profiles: string[], mode: 'update' | 'check', seeds?: number[]) {
  const outcomes = [];
  for (const profile of profiles) {
    const lines: string[] = [];
    const effects = { log: (line: string) => lines.push(line), progress: () => ({ tick: () => {}, done: () => {} }) };
    const outcome = await runExperiment(toyAttest, { root, profile, mode, seeds, workers: 1, ci: false, force: false, allowDirty: false, effects });
    outcomes.push({ profile, skipped: outcome.skipped, writtenTo: outcome.writtenTo, log: lines.join('\\n') });
  }
  return outcomes;
}
`;

type Updated = Array<{ profile: string; skipped: boolean; writtenTo: string | undefined; log: string }>;

/**
 * The toy committed in a temp git repository with its smoke and full snapshots; `edit` changes a file and commits.
 * With `fullSeeds`, full declares those seeds and its committed snapshot holds the first one only.
 */
async function committedProject(options: { fullSeeds?: number[] } = {}) {
  const root = await tempRoot('attest');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=toy', '-c', 'user.email=toy@example.org', ...args], { cwd: root, stdio: 'ignore' });
  const files: Record<string, string> = {
    'package.json': '{ "type": "module" }\n',
    'experiment.ts': options.fullSeeds ? experiment.replace('full: {}', `full: { seeds: [${options.fullSeeds.join(', ')}] }`) : experiment,
    'model.ts': model,
    'data.ts': data,
    'update.ts': updating,
  };
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, name), text);
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'toy');
  const module = join(root, 'experiment.ts');
  const update = async (profiles: string[], mode = 'update', seeds?: number[]) =>
    (await callModule(pathToFileURL(join(root, 'update.ts')).href, 'update', [root, profiles, mode, seeds])) as Updated;
  const snapshotsDir = join(root, 'snapshots');
  const paths = { smoke: snapshotPath(snapshotsDir, 'toy-attest', 'smoke'), full: snapshotPath(snapshotsDir, 'toy-attest', 'full') };
  expect((await update(['smoke', 'full'], 'update', options.fullSeeds?.slice(0, 1))).map(({ writtenTo }) => writtenTo)).toEqual([paths.smoke, paths.full]);
  const definition = { id: 'toy-attest', module: pathToFileURL(module).href };
  const log: string[] = [];
  return {
    root,
    paths,
    update,
    log,
    attest: () => attestExperiment(definition, { root, snapshotsDir, cheapProfile: 'smoke', log: (line) => log.push(line), run: { workers: 1 } }),
    sources: () => hashSources([module, join(projectRoot, 'src/lib/backend/backend.ts')], root),
    edit: async (file: string, from: string | RegExp, to: string) => {
      const text = await readFile(join(root, file), 'utf8');
      const edited = text.replaceAll(from, to);
      expect(edited).not.toBe(text);
      await writeFile(join(root, file), edited);
      git('commit', '-qam', `edit ${file}`);
    },
  };
}

describe('movedMetrics', () => {
  it('compares a fresh run with a committed snapshot at the precision the file records', () => {
    const fresh = toySnapshot({ metrics: { accuracy: 0.7666666666666667, loss: 0.25 } });
    const committed = parseSnapshot(formatSnapshot(toySnapshot({ metrics: { accuracy: 23 / 30, loss: 0.5 } })), 'committed');
    expect(committed.metrics.accuracy).toBe(0.7666666667);
    expect(movedMetrics(committed, fresh)).toEqual([{ metric: 'loss', committed: 0.5, now: 0.25 }]);
  });
});

describe('attest', () => {
  it('vouches for full when a rename in code smoke runs reproduces smoke exactly; full is then current for update mode', async () => {
    const project = await committedProject();
    const fullBefore = (await readSnapshot(project.paths.full))!;
    const fullText = await readFile(project.paths.full, 'utf8');
    await project.edit('model.ts', 'shifted', 'moved');
    const sources = await project.sources();
    expect(sources['model.ts']).toBe(sha256(model.replaceAll('shifted', 'moved')));
    expect(freshness(fullBefore, sources)).toBe('stale');

    const report = await project.attest();
    expect(report.moved).toEqual([]);
    expect(report.profiles).toEqual([
      { profile: 'full', before: 'stale', after: 'attested', note: 'vouched for by smoke' },
      { profile: 'smoke', before: 'stale', after: 'fresh', note: 'rerun, reproduced exactly' },
    ]);

    const full = (await readSnapshot(project.paths.full))!;
    expect(freshness(full, sources)).toBe('attested');
    // The numbers and provenance stay those of the run; only the attestation is added.
    expect({ ...full, attestations: undefined }).toEqual({ ...fullBefore, attestations: undefined });
    expect(full.attestations).toHaveLength(1);
    const [attestation] = full.attestations!;
    expect(attestation).toMatchObject({ fromInputHash: fullBefore.provenance.inputHash, sources, vouchedBy: { experiment: 'toy-attest', profile: 'smoke' } });
    expect(attestation.toInputHash).not.toBe(fullBefore.provenance.inputHash);
    expect(fullText).not.toBe(await readFile(project.paths.full, 'utf8'));

    const smoke = (await readSnapshot(project.paths.smoke))!;
    expect(freshness(smoke, sources)).toBe('fresh');
    expect(smoke.attestations).toBeUndefined();

    // Attested inputs are current inputs: an update of full with them is skipped, and a second attest has nothing to do.
    const [update] = await project.update(['full']);
    expect(update.skipped).toBe(true);
    expect(update.log).toMatch(/inputs unchanged/);
    expect((await project.attest()).profiles).toEqual([
      { profile: 'full', before: 'attested', after: 'attested' },
      { profile: 'smoke', before: 'fresh', after: 'fresh' },
    ]);
  });

  it('lets a run of more seeds take the attested seed from its checkpoints instead of training it again', async () => {
    const project = await committedProject({ fullSeeds: [1, 2] });
    const before = (await readSnapshot(project.paths.full))!;
    expect(before.provenance.seeds).toEqual([1]);
    await project.edit('model.ts', 'shifted', 'moved');
    expect((await project.attest()).profiles[0]).toMatchObject({ profile: 'full', after: 'attested' });

    const [update] = await project.update(['full'], 'update', [1, 2]);
    expect(update.writtenTo).toBe(project.paths.full);
    expect(update.log).toMatch(/checkpoints: seed\(s\) 1 taken from \S+: the committed snapshot is attested for these inputs/);
    const after = (await readSnapshot(project.paths.full))!;
    expect(after.provenance.seeds).toEqual([1, 2]);
    expect(after.seeds?.perSeed.find((entry) => entry.seed === 1)?.metrics).toEqual(before.metrics);
    // Seed 1 was trained by an earlier run, so this one records only its own share, as resumed.
    expect(Object.keys(before.timings.seconds).sort()).toEqual(['data', 'run', 'total']);
    expect(Object.keys(after.timings.seconds).sort()).toEqual(['data', 'resumed']);
  });

  it('vouches for full when a rename lies in code only full runs', async () => {
    const project = await committedProject();
    await project.edit('model.ts', 'fullScale', 'fullFactor');
    const report = await project.attest();
    expect(report.profiles).toEqual([
      { profile: 'full', before: 'stale', after: 'attested', note: 'vouched for by smoke' },
      { profile: 'smoke', before: 'stale', after: 'fresh', note: 'rerun, reproduced exactly' },
    ]);
    expect(freshness((await readSnapshot(project.paths.full))!, await project.sources())).toBe('attested');
  });

  it('refuses full when a constant only full reads changed, and names the lines smoke never ran', async () => {
    const project = await committedProject();
    const fullText = await readFile(project.paths.full, 'utf8');
    await project.edit('model.ts', 'const fullScale = 3;', 'const fullScale = 4;');
    const report = await project.attest();
    expect(report.moved).toEqual([]);
    expect(report.profiles).toEqual([
      { profile: 'full', before: 'stale', after: 'stale', note: 'model.ts:6 changed and not run by toy-attest/smoke' },
      { profile: 'smoke', before: 'stale', after: 'fresh', note: 'rerun, reproduced exactly' },
    ]);
    expect(await readFile(project.paths.full, 'utf8')).toBe(fullText);
    // Stale inputs are not current: update mode runs full again.
    const [update] = await project.update(['full']);
    expect(update.skipped).toBe(false);
  });

  it('vouches for a change smoke runs that moves no number, though a check of smoke left its finished part on disk', async () => {
    const project = await committedProject();
    await project.edit('model.ts', 'const shifted = x + 1;', 'const shifted = 1 + x;');
    // Same inputs as the rerun: were the part's result read back instead of run, no changed line would have run.
    expect((await project.update(['smoke'], 'check'))[0].log).toMatch(/snapshot written/);
    const report = await project.attest();
    expect(report.profiles).toContainEqual({ profile: 'full', before: 'stale', after: 'attested', note: 'vouched for by smoke' });
  });

  it("vouches for full when only smoke's own profile changed: the check reruns smoke as its snapshot records it", async () => {
    const project = await committedProject();
    const smokeBefore = await readFile(project.paths.smoke, 'utf8');
    await project.edit('experiment.ts', "smoke: { count: 3, tier: 'smoke' }", "smoke: { count: 2, tier: 'smoke' }");
    const report = await project.attest();
    expect(report.moved).toEqual([]);
    expect(report.profiles).toEqual([
      { profile: 'full', before: 'stale', after: 'attested', note: 'vouched for by smoke' },
      {
        profile: 'smoke',
        before: 'stale',
        after: 'stale',
        note: 'its profile changed: the check reran its snapshot as recorded; run it again (experiments:update)',
      },
    ]);
    // The rerun at three inputs is not smoke's snapshot any more: the file stays as it was until smoke runs at two.
    expect(await readFile(project.paths.smoke, 'utf8')).toBe(smokeBefore);
    expect((await project.update(['smoke']))[0].writtenTo).toBe(project.paths.smoke);
    const smoke = await readSnapshot(project.paths.smoke);
    expect(smoke?.provenance.config).toMatchObject({ count: 2 });
    expect(freshness(smoke!, await project.sources())).toBe('fresh');
    expect(freshness((await readSnapshot(project.paths.full))!, await project.sources())).toBe('attested');
  });

  it('refuses full when a default only full resolves changed', async () => {
    const project = await committedProject();
    // The schema's line runs when the module loads, under smoke too: only the resolved config can tell.
    await project.edit('experiment.ts', '.default(40)', '.default(41)');
    const report = await project.attest();
    expect(report.profiles).toContainEqual({ profile: 'full', before: 'stale', after: 'stale', note: 'its config changed: rerun it' });
  });

  it('refuses full when code smoke runs changes the data full would read', async () => {
    const project = await committedProject();
    // Smoke's three inputs are below either cap, so it reproduces; full's forty are cut at 35 instead of 30.
    await project.edit('data.ts', 'Math.min(count, 30)', 'Math.min(count, 35)');
    const report = await project.attest();
    expect(report.profiles).toContainEqual({
      profile: 'full',
      before: 'stale',
      after: 'stale',
      note: "its data description changed (description 'inputs 1..30' -> 'inputs 1..35', content hash): rerun it",
    });
  });

  it('vouches for nothing when a changed constant moves a smoke metric, and lists only what moved at the recorded precision', async () => {
    const project = await committedProject();
    const before = { smoke: await readFile(project.paths.smoke, 'utf8'), full: await readFile(project.paths.full, 'utf8') };
    await project.edit('model.ts', 'const weight = 0.5;', 'const weight = 0.75;');

    const report = await project.attest();
    // smoke predicts 0.5 (x + 1) for x = 1..3, then 0.75 (x + 1): mean 1.5 -> 2.25, last 2 -> 3. Its share, 1/3,
    // did not move: the file's 0.3333333333 is the fresh run's 0.3333333333333333 as recorded.
    expect(report.moved).toEqual([
      { metric: 'last', committed: 2, now: 3 },
      { metric: 'mean', committed: 1.5, now: 2.25 },
    ]);
    expect(report.profiles).toEqual([
      { profile: 'full', before: 'stale', after: 'stale', note: 'smoke did not reproduce' },
      { profile: 'smoke', before: 'stale', after: 'stale', note: 'smoke did not reproduce' },
    ]);
    expect(await readFile(project.paths.smoke, 'utf8')).toBe(before.smoke);
    expect(await readFile(project.paths.full, 'utf8')).toBe(before.full);
  });
});
