import { readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderLockError, LOCK_FILE, withFolderLock, type LockHolder } from '../../../src/lib/fs/lock.ts';
import { startWorker } from '../../support/folder-lock.ts';
import { deadPid, scratchFolders } from '../../support/scratch-folders.ts';

const freshDir = scratchFolders('folder-lock-test-');

async function plantLock(dir: string, holder: LockHolder): Promise<void> {
  await writeFile(join(dir, LOCK_FILE), `${JSON.stringify(holder)}\n`);
}

describe('withFolderLock', () => {
  it('holds <folder>/.lock with pid, start time and host while the function runs, and removes it after', async () => {
    const dir = await freshDir();
    const seen = await withFolderLock(dir, async () => JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as LockHolder);
    expect(seen).toEqual({ pid: process.pid, startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/), host: hostname() });
    expect(await readdir(dir)).toEqual([]);
    await expect(withFolderLock(dir, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over a lock left by a dead process, with a log line naming its pid', async () => {
    const dir = await freshDir();
    const pid = deadPid();
    await plantLock(dir, { pid, startedAt: '2024-01-02T03:04:05.000Z', host: hostname() });
    const lines: string[] = [];
    expect(await withFolderLock(dir, () => 'ran', { log: (line) => lines.push(line) })).toBe('ran');
    expect(lines).toEqual([expect.stringContaining(`pid ${pid} on ${hostname()} (locked since 2024-01-02T03:04:05.000Z) is gone`)]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('takes over a lock naming this pid that this process does not hold (an earlier process with a reused pid)', async () => {
    const dir = await freshDir();
    await plantLock(dir, { pid: process.pid, startedAt: '2024-01-02T03:04:05.000Z', host: hostname() });
    const lines: string[] = [];
    await withFolderLock(dir, () => undefined, { log: (line) => lines.push(line) });
    expect(lines).toEqual([expect.stringContaining(`pid ${process.pid}`)]);
  });

  it('waits for a lock file still being written, and takes over one that stayed unreadable', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, LOCK_FILE), '');
    await expect(withFolderLock(dir, () => undefined, { timeoutMs: 50, log: () => {} })).rejects.toThrow(/still writing the lock file/);
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(join(dir, LOCK_FILE), longAgo, longAgo);
    const lines: string[] = [];
    await withFolderLock(dir, () => undefined, { log: (line) => lines.push(line) });
    expect(lines).toEqual([expect.stringContaining('never written')]);
  });

  it("never takes over another host's lock: its pid cannot be checked from here", async () => {
    const dir = await freshDir();
    await plantLock(dir, { pid: deadPid(), startedAt: '2024-01-02T03:04:05.000Z', host: 'elsewhere.example' });
    await expect(withFolderLock(dir, () => undefined, { wait: false })).rejects.toThrow(/on elsewhere\.example, locked since 2024-01-02T03:04:05\.000Z/);
  });

  it('makes a second caller wait for, or fail on, a live holder in another process, naming it; then takes over once it is killed', async () => {
    const dir = await freshDir();
    const worker = startWorker('hold', dir);
    try {
      await worker.line(/^locked$/);
      const holder = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as LockHolder;
      expect(holder.pid).toBe(worker.child.pid);
      const started = Date.now();
      const failure = withFolderLock(dir, () => 'never', { timeoutMs: 300 });
      await expect(failure).rejects.toThrow(FolderLockError);
      await expect(failure).rejects.toThrow(`${dir} is locked by pid ${holder.pid} on ${holder.host}, locked since ${holder.startedAt}`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      await expect(withFolderLock(dir, () => 'never', { wait: false })).rejects.toThrow(`pid ${holder.pid}`);
    } finally {
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
    // Killed without releasing: the lock file stays, naming a pid that is gone.
    expect(await readdir(dir)).toEqual([LOCK_FILE]);
    const lines: string[] = [];
    expect(await withFolderLock(dir, () => 'ran', { log: (line) => lines.push(line) })).toBe('ran');
    expect(lines).toEqual([expect.stringContaining(`pid ${worker.child.pid} on`)]);
  });

  it('within one process, concurrent callers take turns and a nested lock on the same folder fails at once', async () => {
    const dir = await freshDir();
    const events: string[] = [];
    const task = (name: string) =>
      withFolderLock(dir, async () => {
        events.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 20));
        events.push(`${name} out`);
      });
    await Promise.all([task('a'), task('b'), task('c')]);
    expect(events.join(',')).toMatch(/^(\w) in,\1 out,(\w) in,\2 out,(\w) in,\3 out$/);

    const started = Date.now();
    await expect(withFolderLock(dir, () => withFolderLock(dir, () => 'inner'))).rejects.toThrow(/already locked by this call chain/);
    expect(Date.now() - started).toBeLessThan(1000); // failed at once, not after the one-minute default timeout
    // A caller of this process that is not nested, and gives up, names this process as the holder.
    let entered!: () => void;
    let leave!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const holding = withFolderLock(
      dir,
      () =>
        new Promise<void>((resolve) => {
          leave = resolve;
          entered();
        }),
    );
    await inside;
    await expect(withFolderLock(dir, () => undefined, { timeoutMs: 50 })).rejects.toThrow(`pid ${process.pid} (this process)`);
    leave();
    await holding;
    // Another folder nested inside is fine.
    const other = await freshDir();
    expect(await withFolderLock(dir, () => withFolderLock(other, () => 'both'))).toBe('both');
    expect(await readdir(dir)).toEqual([]);
  });
});
