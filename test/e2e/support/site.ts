/**
 * The built site in headless Chromium, for every end-to-end suite: `describeInChromium` serves `dist/` (SITE_DIST,
 * below SITE_BASE) with the suite's headers, launches Chromium once for the suite, hands the suite a factory of
 * guarded contexts and watched pages, and closes all of it after the suite.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { launchChromium } from '../../../scripts/chromium.ts';
import { siteSettings } from '../../../src/lib/site-settings.ts';
import { browserAvailability, guardedContext, watchPage } from './browser.ts';
import type { GuardedContext, PageProblems } from './browser.ts';
import { startStaticServer } from '../../../scripts/static-server.ts';
import type { StaticServer } from '../../../scripts/static-server.ts';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const distDir = resolve(projectRoot, siteSettings().siteDist);

/** The policy the site must work under, sent as a header; the pages' own meta policy is stricter still. */
export const strictPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'";

export interface SiteOptions {
  /** Sent with every response, e.g. a Content-Security-Policy to check the site against. */
  headers?: Record<string, string>;
}

export interface WatchedPage {
  page: Page;
  problems: PageProblems;
  guarded: GuardedContext;
}

export interface Site {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** The path of the front page (SITE_BASE, ending in `/`): `origin + base` is the site. */
  readonly base: string;
  /** Every context opened so far; each lists the requests it stopped from leaving the server. */
  readonly contexts: readonly GuardedContext[];
  newContext(options?: BrowserContextOptions): Promise<GuardedContext>;
  /** A page of its own context, watched for problems, not yet loaded. */
  newPage(options?: BrowserContextOptions): Promise<WatchedPage>;
  /** A new page with `origin + path` loaded, which must answer 200. */
  open(path: string, options?: BrowserContextOptions): Promise<WatchedPage>;
}

/**
 * `describe(title, body)` against the served site. Without Chromium the suite is skipped with a message, except
 * under CI, where a missing browser fails (see browserAvailability). The site is served from a `beforeAll`
 * registered before the body's own hooks, so those may already use it; it is closed after theirs.
 */
export function describeInChromium(title: string, options: SiteOptions, body: (site: Site) => void): void {
  const availability = browserAvailability();
  if (!availability.available) console.warn(`test/e2e: skipped: ${availability.message}`);
  describe.skipIf(!availability.available)(title, () => body(serveSite(availability.path, options)));
}

function serveSite(chromiumPath: string, options: SiteOptions): Site {
  let server: StaticServer | undefined;
  let browser: Browser | undefined;
  const contexts: GuardedContext[] = [];

  beforeAll(async () => {
    if (!existsSync(join(distDir, 'index.html'))) {
      throw new Error(`${distDir}/index.html is missing: build the site first (npm run build); the end-to-end tests only serve it`);
    }
    server = await startStaticServer({ root: distDir, base: siteSettings().siteBase, headers: options.headers });
    browser = await launchChromium(chromiumPath);
  });

  afterAll(async () => {
    for (const { context } of contexts) await context.close().catch(() => {});
    await browser?.close();
    await server?.close();
  });

  const started = () => {
    if (!server || !browser) throw new Error('the site is served from beforeAll: use it in a test or a hook');
    return { server, browser };
  };
  const site: Site = {
    get origin() {
      return started().server.origin;
    },
    get base() {
      return new URL(started().server.url).pathname;
    },
    contexts,
    async newContext(contextOptions = {}) {
      const { server, browser } = started();
      const guarded = await guardedContext(browser, server.origin, contextOptions);
      contexts.push(guarded);
      return guarded;
    },
    async newPage(contextOptions = {}) {
      const guarded = await site.newContext(contextOptions);
      const page = await guarded.context.newPage();
      return { page, problems: await watchPage(page), guarded };
    },
    async open(path, contextOptions = {}) {
      const opened = await site.newPage(contextOptions);
      const response = await opened.page.goto(site.origin + path, { waitUntil: 'load' });
      expect(response?.status(), `${path}: HTTP status`).toBe(200);
      return opened;
    },
  };
  return site;
}
