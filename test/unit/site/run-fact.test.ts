/** <RunFact>: the words about a run read from a snapshot's provenance. */
import { describe, expect, it } from 'vitest';
import { parseProps } from '../../../src/site/props.ts';
import { formatDuration, runFact, runFactPropsSchema } from '../../../src/components/run-fact.ts';
import { loadFixture } from './fixture.ts';

const snapshot = loadFixture();

describe('runFact', () => {
  it('reads the data set, its description and the profile from the snapshot', () => {
    expect(runFact(snapshot, 'dataset')).toBe(snapshot.provenance.dataset.id);
    expect(runFact(snapshot, 'dataset-description')).toBe(snapshot.provenance.dataset.description);
    expect(runFact(snapshot, 'profile')).toBe(snapshot.profile);
  });

  it('describes the engine, saying when the fast kernels were on', () => {
    const tfjs = { version: '4.22.0', backend: 'cpu', tfjsBackend: 'cpu', fastKernels: true };
    const withKernels = { ...snapshot, provenance: { ...snapshot.provenance, node: 'v20.1.0', tfjs } };
    expect(runFact(withKernels, 'backend')).toBe('TensorFlow.js 4.22.0, the cpu backend with the project’s fast kernels, Node.js v20.1.0');
    const node = {
      ...withKernels,
      provenance: { ...withKernels.provenance, tfjs: { ...tfjs, backend: 'tensorflow', tfjsBackend: 'tensorflow', fastKernels: false } },
    };
    expect(runFact(node, 'backend')).toBe('TensorFlow.js 4.22.0, the tensorflow backend, Node.js v20.1.0');
    const renamed = {
      ...withKernels,
      provenance: { ...withKernels.provenance, tfjs: { ...tfjs, backend: 'node-gpu', tfjsBackend: 'tensorflow', fastKernels: false } },
    };
    expect(runFact(renamed, 'backend')).toContain('the node-gpu backend (tfjs backend tensorflow)');
  });

  it('names the run by profile, experiment, day and length', () => {
    const run = { ...snapshot, timings: { ...snapshot.timings, startedAt: '2026-11-26T15:00:00.000Z', seconds: { total: 5400 } } };
    expect(runFact(run, 'run')).toBe(`profile “${snapshot.profile}” of ${snapshot.experiment}, run on 26 November 2026 in 1\u00a0hour 30\u00a0minutes`);
    const untimed = { ...run, timings: { ...run.timings, seconds: {} } };
    expect(runFact(untimed, 'run')).toBe(`profile “${snapshot.profile}” of ${snapshot.experiment}, run on 26 November 2026`);
  });

  it("names a run assembled from earlier processes' parts by the parts' own summed time, only when every part has one", () => {
    const parts = [
      { seed: 1, part: 'recurrent', seconds: 3000, sessions: 1 },
      { seed: 1, part: 'attention', seconds: 2400, sessions: 2 },
    ];
    const resumed = { ...snapshot, timings: { ...snapshot.timings, startedAt: '2026-11-26T15:00:00.000Z', seconds: { data: 2, resumed: 1 }, parts } };
    expect(runFact(resumed, 'run')).toBe(
      `profile “${snapshot.profile}” of ${snapshot.experiment}, run on 26 November 2026; its parts computed for 1\u00a0hour 30\u00a0minutes in all`,
    );
    const older = { ...resumed, timings: { ...resumed.timings, parts: [...parts, { seed: 2, part: 'recurrent', seconds: null, sessions: 0 }] } };
    expect(runFact(older, 'run')).toBe(`profile “${snapshot.profile}” of ${snapshot.experiment}, run on 26 November 2026`);
  });
});

describe('formatDuration', () => {
  it('picks seconds, minutes or hours', () => {
    expect(formatDuration(54.06)).toBe('54\u00a0seconds');
    expect(formatDuration(132.3)).toBe('2\u00a0minutes');
    expect(formatDuration(7199)).toBe('2\u00a0hours');
    expect(formatDuration(3 * 3600 + 720)).toBe('3\u00a0hours 12\u00a0minutes');
    expect(formatDuration(3660)).toBe('1\u00a0hour 1\u00a0minute');
    expect(formatDuration(14.4 * 3600)).toBe('14\u00a0hours');
  });
});

describe('RunFact props', () => {
  it('accepts the known facts only', () => {
    expect(parseProps('RunFact', runFactPropsSchema, { experiment: 'q2-cnn', fact: 'backend' }).profile).toBe('full');
    expect(() => parseProps('RunFact', runFactPropsSchema, { experiment: 'q2-cnn', fact: 'gpu' })).toThrow('prop "fact"');
  });
});
