/** The project's one sha256 and the canonical JSON input hashes are taken over. */
import { describe, expect, it } from 'vitest';
import { hashJson, sha256, stableStringify } from '../../../src/lib/provenance/hash.ts';

describe('hash', () => {
  it('is sha256 of text and bytes alike', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256(new TextEncoder().encode('abc'))).toBe(sha256('abc'));
  });

  it('hashes equal JSON values equal, whatever their key order', () => {
    expect(stableStringify({ b: 1, a: { d: [2, 1], c: null } })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(hashJson({ b: 1, a: 2 })).toBe(hashJson({ a: 2, b: 1 }));
    expect(hashJson([1, 2])).not.toBe(hashJson([2, 1]));
  });
});
