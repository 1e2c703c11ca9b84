/**
 * The time a part took, across every process that worked on it. A part cut off (a session's end, a crash, a
 * pause) resumes from its checkpoints in another process, so no one process saw the whole of it: each adds its
 * own session to `time.json` in the part's folder, rewritten every minute while it works, so a process that dies
 * loses at most a minute of its count. The snapshot sums the sessions per part (runner.ts), which is what the
 * part cost even when it was resumed, and what a run's own clock cannot say.
 *
 * Wall time of the process, not CPU time: parts that ran side by side each count their own wall time.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../fs/atomic.ts';
import { readTextIfExists } from '../fs/read.ts';

const partTimeSchema = z.object({
  sessions: z.array(z.object({ startedAt: z.string(), seconds: z.number().nonnegative() })),
});

export type PartTime = z.infer<typeof partTimeSchema>;

/** How often a working process rewrites its session's seconds. */
const saveEveryMs = 60_000;

export function partTimePath(partFolder: string): string {
  return join(partFolder, 'time.json');
}

/** The part's sessions so far, or undefined when no process recorded any (a part finished before this existed). */
export async function readPartTime(partFolder: string): Promise<PartTime | undefined> {
  const path = partTimePath(partFolder);
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  let parsed: ReturnType<typeof partTimeSchema.safeParse>;
  try {
    parsed = partTimeSchema.safeParse(JSON.parse(text));
  } catch (error) {
    throw new Error(`${path}: not valid JSON (${(error as Error).message}); delete it to start the part's count again`);
  }
  if (!parsed.success) throw new Error(`${path}: not a part's time record (${parsed.error.issues[0].message}); delete it to start the part's count again`);
  return parsed.data;
}

/** Runs `work` as one more session of the part in `partFolder`, counting its wall time with `now` (milliseconds). */
export async function timedSession<T>(partFolder: string, now: () => number, work: () => Promise<T>): Promise<T> {
  const earlier = (await readPartTime(partFolder))?.sessions ?? [];
  const session = { startedAt: new Date().toISOString(), seconds: 0 };
  const started = now();
  // Saves run one after another, so a late periodic save never lands after the last one; a periodic save that
  // fails costs a minute of the count, not the part (the last save's failure is the part's).
  let saving: Promise<void> = Promise.resolve();
  const save = () => {
    saving = saving
      .catch(() => {})
      .then(() => {
        session.seconds = (now() - started) / 1000;
        return writeFileAtomic(partTimePath(partFolder), `${JSON.stringify({ sessions: [...earlier, session] })}\n`);
      });
    return saving;
  };
  await save();
  const timer = setInterval(() => save().catch(() => {}), saveEveryMs);
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
    await save();
  }
}

/** Seconds over every session of a part. */
export function totalSeconds(time: PartTime): number {
  return time.sessions.reduce((sum, session) => sum + session.seconds, 0);
}
