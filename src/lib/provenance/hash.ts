/**
 * The project's one sha256, and the canonical JSON it hashes: a snapshot records the sha256 of every source its run
 * used (./sources.ts), input hashes are sha256 of canonical JSON, and data files are checked against the sha256
 * their manifests record. Library code: the harness, the data loaders and the site all take hashes from here.
 */
import { createHash } from 'node:crypto';

export function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** sha256 of a JSON value with object keys sorted, so equal values hash equal whatever their key order. */
export function hashJson(value: unknown): string {
  return sha256(stableStringify(value));
}

export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : item,
  );
}
