import { describe, expect, it } from 'vitest';
import { parseBackendRequest } from '../../../src/lib/backend/backend.ts';

describe('backend request', () => {
  it('defaults to auto and accepts the four names', () => {
    expect(parseBackendRequest(undefined)).toBe('auto');
    for (const name of ['auto', 'node-gpu', 'node', 'cpu']) expect(parseBackendRequest(name)).toBe(name);
  });

  it('rejects anything else by name', () => {
    expect(() => parseBackendRequest('gpu')).toThrow(/TFJS_BACKEND=gpu is not a backend; use one of auto, node-gpu, node, cpu/);
  });
});
