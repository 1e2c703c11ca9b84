/**
 * A minimal snapshot for tests of the harness; override any top-level field. Not validated, so a test can
 * hand the writer what a run produces before rounding (NaN included).
 */
import type { Snapshot } from '../../src/lib/snapshot-schema.ts';

export function toySnapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    schemaVersion: 1,
    experiment: 'toy',
    title: 'toy',
    profile: 'smoke',
    provenance: {
      git: { commit: 'x', dirty: false },
      node: 'v20',
      tfjs: { version: '4.22.0', backend: 'cpu', tfjsBackend: 'cpu', fastKernels: false },
      cpu: 'cpu',
      seed: 1,
      config: {},
      dataset: { id: 'none', description: '', hash: '0' },
      sources: {},
      inputHash: 'h',
    },
    metrics: {},
    curves: {},
    tables: {},
    checks: [],
    timings: { startedAt: '', seconds: {}, values: {}, curves: {} },
    ...overrides,
  };
}
