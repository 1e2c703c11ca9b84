/**
 * A second process for the folder-lock tests (test/unit/fs/), run as `node --import tsx <this file> <mode> ...`.
 *
 *   save <dir> <writer> <count>   prints `ready`, waits for a line on stdin (so two writers start together), then
 *                                 saves `count` checkpoints into <dir>, tags `epoch-0000`.., each one's weights and
 *                                 state both saying (writer, i) (see checkpointWeights); prints `saved <count>`
 *   hold <dir>                    takes <dir>'s lock, prints `locked`, and holds it until killed or stdin closes
 */
import { withFolderLock } from '../../src/lib/fs/lock.ts';
import { saveCheckpoint } from '../../src/lib/train/checkpoint.ts';
import { checkpointWeights } from './folder-lock.ts';

const [mode, dir, ...rest] = process.argv.slice(2);

if (mode === 'save') {
  const writer = Number(rest[0]);
  const count = Number(rest[1]);
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.pause();
  for (let i = 0; i < count; i++) {
    // Both writers use the same tags, so a save often finds its weights name taken by the other's checkpoint.
    await saveCheckpoint(dir, `epoch-${String(i).padStart(4, '0')}`, checkpointWeights(writer, i), { writer, i });
    // A moment of "training" between saves: without it one writer re-takes the lock at once and the other,
    // polling, rarely gets a turn, so the two would hardly interleave.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
  }
  process.stdout.write(`saved ${count}\n`);
} else if (mode === 'hold') {
  await withFolderLock(dir, async () => {
    process.stdout.write('locked\n');
    await new Promise((resolve) => process.stdin.on('close', resolve).resume());
  });
} else {
  process.stderr.write(`folder-lock-worker: unknown mode '${mode}'\n`);
  process.exitCode = 2;
}
