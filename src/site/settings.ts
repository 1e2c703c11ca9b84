/**
 * Where the site reads from. Kept in one module so the content collection, the components and the tests agree.
 * Everything here is read when called, never at import time, so a test can set the environment first.
 */

/**
 * The folder the `snapshots` collection loads, relative to the project root or absolute. Tests point it at
 * fixture folders (SNAPSHOTS_DIR=test/fixtures/snapshots); the published site always reads `snapshots/`.
 */
export function snapshotsDir(env: NodeJS.ProcessEnv = process.env): string {
  const folder = env.SNAPSHOTS_DIR?.trim();
  return folder ? folder.replace(/\/+$/, '') : 'snapshots';
}

/** The folder of the write-up's chapters (MDX), relative to the project root or absolute. */
export function chaptersDir(env: NodeJS.ProcessEnv = process.env): string {
  const folder = env.CHAPTERS_DIR?.trim();
  return folder ? folder.replace(/\/+$/, '') : 'content';
}

/**
 * The project root, which provenance paths and the snapshot folder are relative to: the folder `astro build`
 * runs in (npm scripts and the tests always start it there).
 */
export function projectRoot(): string {
  return process.cwd();
}

/**
 * The profile the report quotes when a component names none: the full run is what the write-up discusses;
 * smoke runs exist for CI speed.
 */
export const defaultProfile = 'full';

/** The project-relative file a snapshot is expected in, for messages. */
export function snapshotFile(experiment: string, profile: string, folder: string = snapshotsDir()): string {
  return `${folder}/${experiment}/${profile}.json`;
}
