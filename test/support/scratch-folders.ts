/** What the folder tests (locks, leases) share: a scratch folder per file with fresh folders in it, and a dead pid. */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';

/** Registers a scratch folder for this test file (removed after it) and returns a maker of fresh folders inside it. */
export function scratchFolders(prefix: string): () => Promise<string> {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });
  return () => mkdtemp(join(scratch, 'folder-'));
}

/** A pid that belonged to a process that has exited and been reaped. */
export function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', '']).pid;
  expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  return pid;
}
