/** Leases on folders (issue 19.1): who holds a folder, whether that holder still runs, and exclusive claims. */
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimLease, type LeaseRecord, readLeases, takeLease } from '../../../src/lib/fs/lease.ts';
import { deadPid, scratchFolders } from '../../support/scratch-folders.ts';

const freshDir = scratchFolders('lease-test-');

async function plantLease(dir: string, lease: Partial<LeaseRecord>): Promise<string> {
  const file = join(dir, `lease-${lease.pid}-0123abcd.json`);
  await writeFile(file, `${JSON.stringify({ host: hostname(), startedAt: '2024-01-02T03:04:05.000Z', holder: 'a planted run', ...lease })}\n`);
  return file;
}

describe('takeLease', () => {
  it('writes a lease file with pid, host, start time and holder, live while held, and removes it on release', async () => {
    const dir = join(await freshDir(), 'made-by-the-lease');
    const lease = await takeLease(dir, 'q9/full update run', { log: () => {} });
    expect(lease.file).toMatch(new RegExp(`/lease-${process.pid}-[0-9a-f]{8}\\.json$`));
    expect(JSON.parse(await readFile(lease.file, 'utf8'))).toMatchObject({
      pid: process.pid,
      host: hostname(),
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      holder: 'q9/full update run',
    });
    expect(await readLeases(dir)).toEqual([expect.objectContaining({ file: lease.file, live: true, why: 'held by this process' })]);
    // Shared: a second run of the same inputs takes its own lease beside the first.
    const second = await takeLease(dir, 'q9/full check run', { log: () => {} });
    expect((await readLeases(dir)).map((seen) => 'live' in seen && seen.live)).toEqual([true, true]);
    await lease.release();
    await second.release();
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('liveness', () => {
  it('a lease whose pid is gone is not live (issue 19.1 d)', async () => {
    const dir = await freshDir();
    const pid = deadPid();
    const file = await plantLease(dir, { pid });
    expect(await readLeases(dir)).toEqual([expect.objectContaining({ file, live: false, why: `pid ${pid} is gone` })]);
  });

  it("a lease naming this process's pid that this process never took is not live (a reused pid)", async () => {
    const dir = await freshDir();
    await plantLease(dir, { pid: process.pid });
    expect(await readLeases(dir)).toEqual([expect.objectContaining({ live: false, why: expect.stringContaining('never took it') })]);
  });

  it('a running process is live, unless its start time says the pid now belongs to another process', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      const dir = await freshDir();
      await plantLease(dir, { pid: child.pid! });
      expect(await readLeases(dir)).toEqual([expect.objectContaining({ live: true, why: `pid ${child.pid} is running` })]);
      if (process.platform === 'linux') {
        const reused = await freshDir();
        await plantLease(reused, { pid: child.pid!, processStart: '1' });
        expect(await readLeases(reused)).toEqual([expect.objectContaining({ live: false, why: expect.stringContaining('another process now') })]);
      }
    } finally {
      child.kill();
    }
  });

  it("another host's lease counts as live, and says why", async () => {
    const dir = await freshDir();
    await plantLease(dir, { pid: deadPid(), host: 'elsewhere.example' });
    expect(await readLeases(dir)).toEqual([
      expect.objectContaining({ live: true, why: expect.stringMatching(/another host \(elsewhere\.example\).*counted as live/) }),
    ]);
  });

  it('a lease file that is not a lease is reported with its file and problem', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'lease-12-0123abcd.json'), '{"pid": "twelve"}');
    expect(await readLeases(dir)).toEqual([{ file: join(dir, 'lease-12-0123abcd.json'), problem: expect.stringMatching(/^not a lease: pid: /) }]);
  });
});

describe('claimLease', () => {
  it('is exclusive: a second claim gets the live holder, and succeeds once the first is released', async () => {
    const dir = await freshDir();
    const first = await claimLease(dir, 'seed 1 · wide', { log: () => {} });
    if (!('lease' in first)) throw new Error('the first claim must succeed');
    const second = await claimLease(dir, 'seed 1 · wide, again', { log: () => {} });
    expect(second).toEqual({
      heldBy: expect.objectContaining({ file: first.lease.file, live: true, lease: expect.objectContaining({ holder: 'seed 1 · wide' }) }),
    });
    await first.lease.release();
    const third = await claimLease(dir, 'seed 1 · wide, again', { log: () => {} });
    expect('lease' in third).toBe(true);
    if ('lease' in third) await third.lease.release();
  });

  it("takes over a dead holder's claim, with a log line naming its pid", async () => {
    const dir = await freshDir();
    const pid = deadPid();
    const planted = await plantLease(dir, { pid });
    const lines: string[] = [];
    const claim = await claimLease(dir, 'mine', { log: (line) => lines.push(line) });
    expect('lease' in claim).toBe(true);
    expect(lines).toEqual([`removed the lease ${planted} of a planted run (pid ${pid} on ${hostname()}, since 2024-01-02T03:04:05.000Z): pid ${pid} is gone`]);
    if ('lease' in claim) await claim.lease.release();
  });

  it('refuses to guess about an unreadable lease file: the error names it', async () => {
    const dir = await freshDir();
    await writeFile(join(dir, 'lease-12-0123abcd.json'), 'not json');
    await expect(claimLease(dir, 'mine', { log: () => {} })).rejects.toThrow(
      new RegExp(`^${join(dir, 'lease-12-0123abcd.json')}: not a lease: not valid JSON .*; delete it if no run is using`),
    );
  });
});
