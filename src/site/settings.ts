/**
 * Where the site reads from. Kept in one module so the content collection, the components and the tests agree.
 * Everything here is read when called, never at import time, so a test can set the environment first. The
 * variables themselves are parsed and validated by src/lib/site-settings.ts, the settings no snapshot is hashed
 * with (the site reads none of src/lib/settings.ts).
 */
import { readSiteSettings, siteSettings } from '../lib/site-settings.ts';
import type { SiteSettings } from '../lib/site-settings.ts';

/** The settings of `env`, or the process's (cached) ones. */
function from(env: NodeJS.ProcessEnv | undefined): SiteSettings {
  return env ? readSiteSettings(env) : siteSettings();
}

/**
 * The folder the `snapshots` collection loads, relative to the project root or absolute. Tests point it at
 * fixture folders (SNAPSHOTS_DIR=test/fixtures/snapshots); the published site always reads `snapshots/`.
 */
export function snapshotsDir(env?: NodeJS.ProcessEnv): string {
  return from(env).snapshotsDir;
}

/** The folder of the write-up's chapters (MDX), relative to the project root or absolute. */
export function chaptersDir(env?: NodeJS.ProcessEnv): string {
  return from(env).chaptersDir;
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

/**
 * The repository's web address, for links to commits: SITE_REPOSITORY_URL, or on GitHub Actions the repository
 * the workflow runs in. Undefined where neither is known (a local build): commits are then shown unlinked to a host.
 */
export function repositoryUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.SITE_REPOSITORY_URL?.trim();
  if (explicit) return explicit.replace(/\/+$/, '');
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY) return `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`;
  return undefined;
}
