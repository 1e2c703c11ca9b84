/**
 * The site's and the browser tests' settings: where the site reads its snapshots and chapters, where it is
 * mounted, Astro's cache, and what the browser tests serve and drive. No experiment imports this module (the
 * dependency rules forbid it), so it is not hashed into any snapshot and editing a site setting stales none; the
 * settings that shape numbers live in ./settings.ts. Read and validated as those are (./environment.ts).
 *
 * `readSiteSettings(env)` is pure and throws a SettingsError; `siteSettings()` is what the project calls.
 */
import { ciDefinition, folder, path, settingsReader } from './environment.ts';
import { z } from 'zod';

export interface SiteSettings {
  // Site
  /** SNAPSHOTS_DIR, trimmed, without trailing slashes: the folder the site's snapshot collection loads. */
  snapshotsDir: string;
  /** CHAPTERS_DIR, likewise: the folder of the write-up's MDX chapters. */
  chaptersDir: string;
  /** SITE_BASE, normalized to `/`, or `/<path>/`: where the site is mounted. */
  siteBase: string;
  /** SITE_URL: the site's absolute URL, for absolute links; none by default. */
  siteUrl: string | undefined;
  /** ASTRO_CACHE_DIR: Astro's cache folder (test builds keep theirs apart). */
  astroCacheDir: string;
  // End-to-end tests
  /** SITE_DIST: the built site the browser tests serve. */
  siteDist: string;
  /** CHROMIUM_PATH: the Chromium executable the browser tests drive. */
  chromiumPath: string;
  /** CI (listed with ./settings.ts): a missing browser fails the browser tests instead of skipping them. */
  ci: boolean;
}

const reader = settingsReader(
  {
    SNAPSHOTS_DIR: {
      schema: folder('snapshots'),
      accepts: 'a folder path, relative to the project root or absolute',
      default: '`snapshots`',
      meaning: 'the snapshots the site is built from (tests point it at fixtures)',
    },
    CHAPTERS_DIR: {
      schema: folder('content'),
      accepts: 'a folder path, relative to the project root or absolute',
      default: '`content`',
      meaning: "the write-up's MDX chapters the site is built from",
    },
    SITE_BASE: {
      schema: path,
      accepts: 'a URL path; `x`, `/x`, `/x/` all mean `/x/`',
      default: '`/`',
      meaning: 'where the site is mounted (the Pages workflow sets `/<repository>/`); also where the browser tests serve it',
    },
    SITE_URL: {
      schema: z
        .string()
        .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol))
        .optional(),
      accepts: 'an absolute `http(s)://` URL',
      default: 'none',
      meaning: "the site's address, for absolute URLs",
    },
    ASTRO_CACHE_DIR: {
      schema: path,
      accepts: 'a folder path',
      default: '`./node_modules/.astro`',
      meaning: "Astro's cache (test builds keep theirs apart)",
    },
    SITE_DIST: {
      schema: path,
      accepts: 'a folder path, relative to the project root or absolute',
      default: '`dist`',
      meaning: 'the built site the browser tests serve',
    },
    CHROMIUM_PATH: {
      schema: path,
      accepts: 'an executable path',
      default: '`/usr/bin/chromium`',
      meaning: 'the Chromium the browser tests drive',
    },
    CI: ciDefinition,
  },
  (values): SiteSettings => ({
    snapshotsDir: values.SNAPSHOTS_DIR,
    chaptersDir: values.CHAPTERS_DIR,
    siteBase: normalizeBase(values.SITE_BASE),
    siteUrl: values.SITE_URL,
    astroCacheDir: values.ASTRO_CACHE_DIR ?? './node_modules/.astro',
    siteDist: values.SITE_DIST ?? 'dist',
    chromiumPath: values.CHROMIUM_PATH ?? '/usr/bin/chromium',
    ci: values.CI,
  }),
  ['CI'],
);

/** Reads and validates the site's settings from `env`; throws a SettingsError naming every bad one. */
export const readSiteSettings = reader.read;
/** The site's settings of this process (cached until one of its variables changes). */
export const siteSettings = reader.current;
/** The site's variables as data, in README order (after ./settings.ts's; CI is listed there). */
export const siteSettingsTable = reader.table;

/** `hw2-report`, `/hw2-report`, `/hw2-report/` -> `/hw2-report/`; unset or `/` -> `/`. */
function normalizeBase(value: string | undefined): string {
  const trimmed = (value ?? '').trim().replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}/` : '/';
}
