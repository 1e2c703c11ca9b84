/**
 * The source files an experiment is made of: its definition and every project file it imports, followed
 * through relative imports. Their hashes go into provenance, so a snapshot can tell when the code that
 * produced it has changed.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';

// Static imports and re-exports (`import x from './a.ts'`, `export * from './b.ts'`) and dynamic `import('./c.ts')`.
const importPattern = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** Project-relative path -> sha256, sorted, for every file reachable from `entries`. */
export async function hashSources(entries: string[], root: string): Promise<Record<string, string>> {
  const seen = new Map<string, string>();
  const pending = entries.map((entry) => resolve(entry));
  while (pending.length) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new Error(`hashing experiment sources: cannot read ${relative(root, file)} (${(error as Error).message})`);
    }
    seen.set(file, sha256(text));
    for (const match of withoutComments(text).matchAll(importPattern)) {
      const target = resolve(dirname(file), match[1]);
      if (/\.(ts|js|mjs|json)$/.test(target)) pending.push(target);
    }
  }
  const rows = [...seen].map(([file, hash]) => [relative(root, file).split('\\').join('/'), hash] as const);
  return Object.fromEntries(rows.sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Drops block comments and whole-line comments, where import examples in prose would otherwise match. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

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
