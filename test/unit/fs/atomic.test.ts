import { watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/lib/fs/atomic.ts';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'atomic-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Every file name that appears in `dir` while `action` runs (inotify sees even a temp file that lives microseconds). */
async function namesSeenDuring(dir: string, action: () => Promise<unknown>): Promise<Set<string>> {
  const seen = new Set<string>();
  const watcher = watch(dir, (_event, name) => name && seen.add(name));
  try {
    await action().catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the last events arrive
  } finally {
    watcher.close();
  }
  return seen;
}

describe('writeFileAtomic', () => {
  it('replaces whole files and leaves no temp file behind', async () => {
    const dir = await mkdtemp(join(scratch, 'replace-'));
    const target = join(dir, 'note.txt');
    await writeFileAtomic(target, 'first');
    await writeFileAtomic(target, new TextEncoder().encode('second'));
    expect(await readFile(target, 'utf8')).toBe('second');
    expect(await readdir(dir)).toEqual(['note.txt']);
    await expect(writeFileAtomic(join(dir, 'missing-folder', 'x.txt'), 'y')).rejects.toThrow(/ENOENT/);
    expect(await readdir(dir)).toEqual(['note.txt']);
  });

  it('names its temp file .<basename>.<pid>.<random hex>.tmp, a fresh one per write', async () => {
    const dir = await mkdtemp(join(scratch, 'names-'));
    const target = join(dir, 'note.txt');
    const seen = await namesSeenDuring(dir, async () => {
      await writeFileAtomic(target, 'a');
      await writeFileAtomic(target, 'b');
    });
    const temps = [...seen].filter((name) => name !== 'note.txt');
    expect(temps).toHaveLength(2);
    for (const name of temps) expect(name).toMatch(new RegExp(`^\\.note\\.txt\\.${process.pid}\\.[0-9a-f]{16}\\.tmp$`));
  });

  it('a failed write removes its own temp file and nobody else’s', async () => {
    const dir = await mkdtemp(join(scratch, 'failed-'));
    // Renaming a file over a non-empty folder fails, after the temp file is written.
    const target = join(dir, 'result.json');
    await mkdir(target);
    await writeFile(join(target, 'inside'), '');
    // Another writer's temp file, mid-write as far as anyone can tell.
    const foreign = '.result.json.1.0123456789abcdef.tmp';
    await writeFile(join(dir, foreign), '{"half": ');
    let failure: unknown;
    const seen = await namesSeenDuring(dir, () => writeFileAtomic(target, '{}').catch((error) => (failure = error)));
    expect((failure as NodeJS.ErrnoException)?.code).toMatch(/^(EISDIR|ENOTEMPTY|EEXIST)$/);
    const ours = [...seen].filter((name) => name.startsWith(`.result.json.${process.pid}.`));
    expect(ours).toHaveLength(1); // it did write a temp file ...
    expect((await readdir(dir)).sort()).toEqual([foreign, 'result.json']); // ... and removed it, and only it
    expect(await readFile(join(dir, foreign), 'utf8')).toBe('{"half": ');
  });

  it('concurrent writes to one target leave one whole version', async () => {
    const dir = await mkdtemp(join(scratch, 'concurrent-'));
    const target = join(dir, 'x.txt');
    const versions = Array.from({ length: 20 }, (_, i) => `version ${i} `.repeat(1000));
    await Promise.all(versions.map((text) => writeFileAtomic(target, text)));
    expect(versions).toContain(await readFile(target, 'utf8'));
    expect(await readdir(dir)).toEqual(['x.txt']);
  });
});
