/**
 * Headless Chromium for the end-to-end tests (launched as scripts/chromium.ts does, for the tests and the printed
 * report alike): whether it is there, and pages whose requests, errors and CSP violations are recorded.
 */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { missingChromium } from '../../../scripts/chromium.ts';
import { readSiteSettings, siteSettings } from '../../../src/lib/site-settings.ts';

export type BrowserAvailability = { available: true; path: string } | { available: false; path: string; message: string };

/** Whether the suite can run. Under CI a missing browser is an error, so a broken install cannot pass as skipped. */
export function browserAvailability(env?: NodeJS.ProcessEnv): BrowserAvailability {
  const { chromiumPath: path, ci } = env ? readSiteSettings(env) : siteSettings();
  const missing = missingChromium(path);
  if (missing === undefined) return { available: true, path };
  const message = `end-to-end tests: ${missing}`;
  if (ci) throw new Error(`${message}; CI is set, so a missing browser fails the run`);
  return { available: false, path, message };
}

/** What a page did wrong while a test watched it. */
export interface PageProblems {
  consoleErrors: string[];
  pageErrors: string[];
  failedRequests: string[];
  cspViolations: string[];
}

export interface GuardedContext {
  context: BrowserContext;
  /** Every request to anything but the test server, aborted. */
  outsideRequests: string[];
}

/**
 * A context in which every request is checked: those to `origin` go through, everything else is recorded and
 * aborted, so a test can assert that the site never leaves localhost.
 */
export async function guardedContext(browser: Browser, origin: string, options: BrowserContextOptions = {}): Promise<GuardedContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const outsideRequests: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url === origin) return route.continue();
    // data: and blob: URLs never reach the network; everything else is outside.
    if (/^(data|blob):/.test(url)) return route.continue();
    outsideRequests.push(url);
    return route.abort('blockedbyclient');
  });
  return { context, outsideRequests };
}

/** Starts recording a page's console errors, uncaught exceptions, failed requests and CSP violations. */
export async function watchPage(page: Page): Promise<PageProblems> {
  const problems: PageProblems = { consoleErrors: [], pageErrors: [], failedRequests: [], cspViolations: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  page.on('requestfailed', (request) => problems.failedRequests.push(`${request.url()}: ${request.failure()?.errorText}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.failedRequests.push(`${response.url()}: HTTP ${response.status()}`);
  });
  // A violation also reaches the console, but the event says which directive; it is exposed before any page script.
  await page.exposeFunction('__reportCspViolation', (text: string) => problems.cspViolations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { __reportCspViolation(text: string): void }).__reportCspViolation(
        `${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
  return problems;
}

export function noProblems(problems: PageProblems): boolean {
  return Object.values(problems).every((list) => list.length === 0);
}
