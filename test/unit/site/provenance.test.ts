/** What the provenance page prints for a snapshot, on the fixture. */
import { describe, expect, it } from 'vitest';
import { configRows, formatPartTimes, formatSeconds, provenanceFacts, readableDescription, shortHash } from '../../../src/site/provenance.ts';
import { loadFixture } from './fixture.ts';

const snapshot = loadFixture();

describe('provenanceFacts', () => {
  it('lists every fact the issue asks for, read from the snapshot', () => {
    const facts = Object.fromEntries(provenanceFacts(snapshot).map((fact) => [fact.label, fact.value]));
    const { provenance } = snapshot;
    expect(Object.keys(facts)).toEqual([
      'Experiment',
      'Profile',
      'Data set',
      'Description',
      'Data hash',
      'Backend',
      'Fast kernels',
      'TensorFlow.js',
      'Node.js',
      'CPU',
      'Git commit',
      'Seed',
      'Input hash',
      'Started',
      'Duration',
    ]);
    expect(facts['Data set']).toBe(provenance.dataset.id);
    expect(facts.Description).toBe(readableDescription(provenance.dataset.description));
    expect(facts['Data hash']).toBe(provenance.dataset.hash);
    expect(facts['Input hash']).toBe(provenance.inputHash);
    expect(facts['Git commit']).toBe(`${provenance.git.commit}${provenance.git.dirty ? ' (with uncommitted changes)' : ''}`);
    expect(facts['Fast kernels']).toBe(provenance.tfjs.fastKernels ? 'on' : 'off');
    expect(facts.Seed).toBe(String(provenance.seed));
    expect(facts.Started).toBe(snapshot.timings.startedAt);
  });

  it("adds the parts' time, summed over their sessions, and says which parts were not timed", () => {
    const parts = [
      { seed: 1, part: 'recurrent', seconds: 5400, sessions: 1 },
      { seed: 1, part: 'attention', seconds: 1800, sessions: 2 },
    ];
    const timed = { ...snapshot, timings: { ...snapshot.timings, parts } };
    expect(provenanceFacts(timed).at(-1)).toEqual({
      label: 'Part time',
      value: '2.0\u00a0h summed over 2\u00a0parts (longest 90.0\u00a0min), in 3\u00a0sessions',
    });
    expect(formatPartTimes([...parts, { seed: 2, part: 'recurrent', seconds: null, sessions: 0 }])).toBe(
      '2.0\u00a0h summed over 2\u00a0parts (longest 90.0\u00a0min), in 3\u00a0sessions; 1\u00a0part not timed (finished before part times were kept)',
    );
    expect(provenanceFacts(snapshot).map((fact) => fact.label)).not.toContain('Part time');
  });

  it('names the tfjs backend when it differs from the harness backend', () => {
    const renamed = structuredClone(snapshot);
    renamed.provenance.tfjs = { ...renamed.provenance.tfjs, backend: 'cpu-fast', tfjsBackend: 'cpu' };
    expect(provenanceFacts(renamed).find((fact) => fact.label === 'Backend')?.value).toBe('cpu-fast (tfjs backend cpu)');
  });
});

describe('formatSeconds', () => {
  it('puts the total first, then the phases', () => {
    expect(formatSeconds({ data: 0.5, run: 38.25, total: 38.75 })).toBe('total 38.8\u00a0s (data 500\u00a0ms, run 38.3\u00a0s)');
    // Never a power of ten: the provenance page once read "data 5.3 × 10⁻⁴ s".
    expect(formatSeconds({ data: 0.00053, total: 5000 })).toBe('total 83.3\u00a0min (data 530\u00a0µs)');
    expect(formatSeconds({ total: 2 })).toBe('total 2\u00a0s');
    expect(formatSeconds({})).toBe('not recorded');
    // Nor computer notation: 390.4 ms to two significant digits once printed "3.9e+2 ms".
    expect(formatSeconds({ data: 0.3904, total: 25.7 })).toBe('total 25.7\u00a0s (data 390\u00a0ms)');
  });
});

describe('readableDescription', () => {
  it('formats a recorded description as prose without changing what it says', () => {
    // As q3-ljspeech-transfer/listening records it: a heading and a colon, a flag, integers without separators.
    const recorded =
      "LJ Speech 1.1 real recordings (subset mode): 385 clips LJ001-0001..LJ002-0200, all inside the homework's training range 0-9825: true; split by metadata order: train 327 clips; plus 3400 espeak-ng clips, seed 2023";
    expect(readableDescription(recorded)).toBe(
      "LJ Speech 1.1 real recordings (subset mode) — 385 clips LJ001-0001..LJ002-0200, all inside the homework's training range 0-9,825; split by metadata order: train 327 clips; plus 3,400 espeak-ng clips, seed 2023",
    );
    expect(readableDescription('4000 sentences, BRN-03401..BRN-04000, version 10.1234, 22,050 Hz, in 2023')).toBe(
      '4,000 sentences, BRN-03401..BRN-04000, version 10.1234, 22,050 Hz, in 2023',
    );
    // One colon is the description's own: left as it is.
    expect(readableDescription('Committed fixture: 3,000 train images')).toBe('Committed fixture: 3,000 train images');
    expect(readableDescription('held out: false; rest')).toBe('not held out; rest');
  });
});

describe('configRows', () => {
  it('sorts keys and keeps nested values on one line', () => {
    expect(configRows({ seed: 2023, lengths: [256, 512], optimizer: { name: 'adam', lr: 0.001 } })).toEqual([
      { key: 'lengths', value: '[256,512]' },
      { key: 'optimizer', value: '{"name":"adam","lr":0.001}' },
      { key: 'seed', value: '2023' },
    ]);
  });

  it('shortens hashes to 12 hex digits', () => {
    expect(shortHash(snapshot.provenance.inputHash)).toBe(snapshot.provenance.inputHash.slice(0, 12));
  });
});
