/**
 * A part's time across the processes that worked on it (src/lib/harness/part-time.ts): each process adds its own
 * session, a session that fails still counts, and a record that is not one is named, not trusted.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { partTimePath, readPartTime, timedSession, totalSeconds } from '../../../src/lib/harness/part-time.ts';
import { removeTempRoots, tempRoot } from '../../support/harness.ts';

afterAll(removeTempRoots);

/** A clock that moves only when told: `advance(ms)`. */
function manualClock() {
  let ms = 0;
  return { now: () => ms, advance: (by: number) => (ms += by) };
}

describe('timedSession', () => {
  it('adds one session per process to what the earlier ones recorded', async () => {
    const folder = join(await tempRoot('part-time'), 'seed-1', 'attention');
    await mkdir(folder, { recursive: true });
    const clock = manualClock();
    await timedSession(folder, clock.now, async () => clock.advance(90_000));
    // The process that resumes the part after a stop.
    await timedSession(folder, clock.now, async () => clock.advance(30_000));
    const time = await readPartTime(folder);
    expect(time?.sessions.map((session) => session.seconds)).toEqual([90, 30]);
    expect(totalSeconds(time!)).toBe(120);
  });

  it('counts a session whose work fails, and passes the failure on', async () => {
    const folder = await tempRoot('part-time-failing');
    const clock = manualClock();
    const failing = timedSession(folder, clock.now, async () => {
      clock.advance(5_000);
      throw new Error('out of memory');
    });
    await expect(failing).rejects.toThrow('out of memory');
    expect((await readPartTime(folder))?.sessions.map((session) => session.seconds)).toEqual([5]);
  });

  it('has nothing for a part no process timed, and names a record that is not one', async () => {
    const folder = await tempRoot('part-time-bad');
    expect(await readPartTime(folder)).toBeUndefined();
    await writeFile(partTimePath(folder), '{"sessions": [{"seconds": -1}]}');
    await expect(readPartTime(folder)).rejects.toThrow(/time\.json: not a part's time record .*delete it to start the part's count again/);
    await writeFile(partTimePath(folder), '{"sessions": [');
    await expect(readPartTime(folder)).rejects.toThrow(/time\.json: not valid JSON/);
  });
});
