/** What the provenance page prints for a snapshot, on the fixture. */
import { describe, expect, it } from 'vitest';
import { configRows, formatSeconds, provenanceFacts, shortHash } from '../../../src/site/provenance.ts';
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
    expect(facts['Data set']).toBe(`${provenance.dataset.id}: ${provenance.dataset.description}`);
    expect(facts['Data hash']).toBe(provenance.dataset.hash);
    expect(facts['Input hash']).toBe(provenance.inputHash);
    expect(facts['Git commit']).toBe(`${provenance.git.commit}${provenance.git.dirty ? ' (with uncommitted changes)' : ''}`);
    expect(facts['Fast kernels']).toBe(provenance.tfjs.fastKernels ? 'on' : 'off');
    expect(facts.Seed).toBe(String(provenance.seed));
    expect(facts.Started).toBe(snapshot.timings.startedAt);
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
