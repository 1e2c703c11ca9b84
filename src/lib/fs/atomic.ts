/**
 * The project's one atomic write. The content goes to a temp file in the target's folder (same file system, so
 * the rename is atomic), is flushed to disk, and is renamed over the target: a reader sees the old file or the
 * new one, never half of either, whenever the writer is killed.
 *
 * Temp names are `.<basename>.<pid>.<random hex>.tmp`: two processes, or two writes in one process, never share
 * one, and a writer only ever removes its own. Another process's temp file may belong to a write still under
 * way, so nothing here deletes `*.tmp` files it did not make.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A fresh temp path beside `path`: hidden, naming this process, with 16 random hex digits. */
function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(8).toString('hex')}.tmp`);
}

/** Writes `content` to `path` atomically. The folder must exist; on failure no temp file of this call is left. */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const temp = tempPathFor(path);
  // 'wx': never write into a file someone else made, however unlikely the name clash.
  const handle = await open(temp, 'wx');
  try {
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
