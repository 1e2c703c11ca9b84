/**
 * Headless Chromium as the project drives it, for the browser tests (test/e2e/support/browser.ts) and the printed
 * report (scripts/pdf.ts): Debian's `chromium` (apt-get install chromium) through playwright-core, which downloads no
 * browser of its own, at CHROMIUM_PATH (default /usr/bin/chromium).
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

/** Keeps Chromium from reaching out on its own: the machines this runs on may have no network, and must see only our requests. */
export const quietChromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
];

/** The one-line reason Chromium cannot be used at `path`, or undefined when it is there. */
export function missingChromium(path: string): string | undefined {
  return existsSync(path)
    ? undefined
    : `Chromium is needed at ${path} (apt-get update && apt-get install -y chromium, or set CHROMIUM_PATH to another Chromium or Chrome)`;
}

/** Chromium, headless; Playwright gives every launch a fresh temporary profile, removed on close. */
export function launchChromium(path: string): Promise<Browser> {
  return chromium.launch({ executablePath: path, headless: true, args: quietChromiumArgs });
}
