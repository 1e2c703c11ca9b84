/**
 * Refactor-safe staleness, verified (issue 10.4): after a change to an experiment's code, a rerun of its cheap
 * profile that reproduces the committed snapshot exactly vouches for the other profiles; one that moves a number
 * vouches for nothing.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { attestExperiment, freshness } from '../../../src/lib/harness/attest.ts';
import { defineExperiment } from '../../../src/lib/harness/experiment.ts';
import { projectRoot, runExperiment } from '../../../src/lib/harness/runner.ts';
import { readSnapshot, snapshotPath } from '../../../src/lib/harness/snapshot.ts';
import { hashSources, sha256 } from '../../../src/lib/harness/sources.ts';
import { callModule, quietEffects, removeTempRoots, tempRoot } from '../../support/harness.ts';

afterAll(removeTempRoots);

const model = (body: string) => `/** A toy model: a line through the inputs. */
export function predict(x: number): number {
${body}
}
`;
const original = model('  const weight = 0.5;\n  const shifted = x + 1;\n  return weight * shifted;');
// A pure refactor: a local variable renamed; every number stays the same.
const renamed = model('  const weight = 0.5;\n  const moved = x + 1;\n  return weight * moved;');
// A real change: another constant moves every prediction.
const reweighted = model('  const weight = 0.75;\n  const shifted = x + 1;\n  return weight * shifted;');

const evaluating = `import { predict } from './model.ts';

/** Mean and last prediction over the inputs 1..count. */
export function evaluate(count: number): Record<string, number> {
  const predictions = Array.from({ length: count }, (_, i) => predict(i + 1));
  return { mean: predictions.reduce((sum, value) => sum + value, 0) / count, last: predictions[count - 1] };
}
`;

/** A toy experiment in a temp root whose module imports ./model.ts, with committed smoke and full snapshots. */
async function committedProject() {
  const root = await tempRoot('attest');
  await writeFile(join(root, 'experiment.ts'), evaluating);
  await writeFile(join(root, 'model.ts'), original);
  const module = join(root, 'experiment.ts');
  const definition = defineExperiment({
    id: 'toy-attest',
    title: 'toy with a model file',
    module: pathToFileURL(module).href,
    config: z.object({ seed: z.number().int().default(1), count: z.number().int().positive().default(3) }).strict(),
    profiles: { smoke: { count: 3 }, full: { count: 40 } },
    thresholds: {},
    baseline: { mean: { direction: 'higher', tolerance: 0 } },
    async data() {
      return { dataset: { id: 'none', description: 'nothing', hash: '0' }, data: undefined };
    },
    async run(config) {
      return { metrics: (await callModule(pathToFileURL(module).href, 'evaluate', [config.count])) as Record<string, number> };
    },
  });
  const snapshotsDir = join(root, 'snapshots');
  const run = { workers: 1, ci: false, force: false, allowDirty: false, effects: quietEffects().effects };
  for (const profile of ['smoke', 'full']) {
    const outcome = await runExperiment(definition, { ...run, root, profile, mode: 'update' });
    expect(outcome.writtenTo).toBe(snapshotPath(snapshotsDir, definition.id, profile));
  }
  const paths = { smoke: snapshotPath(snapshotsDir, definition.id, 'smoke'), full: snapshotPath(snapshotsDir, definition.id, 'full') };
  const attest = () => attestExperiment(definition, { root, snapshotsDir, cheapProfile: 'smoke', log: () => {}, run });
  const sources = () => hashSources([module, join(projectRoot, 'src/lib/backend/backend.ts')], root);
  return { root, definition, run, paths, attest, sources, editModel: (text: string) => writeFile(join(root, 'model.ts'), text) };
}

describe('attest', () => {
  it('vouches for full when a rename reproduces smoke exactly; full is then current for update mode', async () => {
    const project = await committedProject();
    const fullBefore = (await readSnapshot(project.paths.full))!;
    const fullText = await readFile(project.paths.full, 'utf8');
    await project.editModel(renamed);
    const sources = await project.sources();
    expect(sources['model.ts']).toBe(sha256(renamed));
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
    expect(smoke.provenance.sources['model.ts']).toBe(sha256(renamed));

    // Attested inputs are current inputs: an update of full with them is skipped, and a second attest has nothing to do.
    const log = quietEffects();
    const update = await runExperiment(project.definition, { ...project.run, effects: log.effects, root: project.root, profile: 'full', mode: 'update' });
    expect(update.skipped).toBe(true);
    expect(log.lines.join('\n')).toMatch(/inputs unchanged/);
    expect((await project.attest()).profiles).toEqual([
      { profile: 'full', before: 'attested', after: 'attested' },
      { profile: 'smoke', before: 'fresh', after: 'fresh' },
    ]);
  });

  it('vouches for nothing when a changed constant moves a smoke metric, and lists what moved', async () => {
    const project = await committedProject();
    const before = { smoke: await readFile(project.paths.smoke, 'utf8'), full: await readFile(project.paths.full, 'utf8') };
    await project.editModel(reweighted);

    const report = await project.attest();
    // smoke predicts 0.5 (x + 1) for x = 1..3, then 0.75 (x + 1): mean 1.5 -> 2.25, last 2 -> 3.
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
    expect(freshness((await readSnapshot(project.paths.full))!, await project.sources())).toBe('stale');
    // Stale inputs are not current: update mode runs full again.
    const update = await runExperiment(project.definition, { ...project.run, root: project.root, profile: 'full', mode: 'update' });
    expect(update.skipped).toBe(false);
  });
});
