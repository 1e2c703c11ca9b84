/**
 * The built site (dist/, from `npm run build`) in headless Chromium, served the way a static host would serve it
 * and with the strict Content-Security-Policy header on every response. Nothing is built here.
 *
 * Runs with `npm run test:e2e`. Without Chromium the suite is skipped with a message, except under CI, where a
 * missing browser fails. SITE_DIST and SITE_BASE point it at another build (e.g. one made with a base path).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { describeInChromium, projectRoot, strictPolicy } from './support/site.ts';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

describeInChromium('the built site in Chromium', { headers: { 'Content-Security-Policy': strictPolicy } }, (site) => {
  /** Every page reachable from the front page, as paths below the origin. */
  let pages: string[] = [];
  /** Every internal link seen while crawling: where it was and where it points. */
  let links: { from: string; href: string }[] = [];

  beforeAll(async () => {
    ({ pages, links } = await crawl());
  });

  /** Breadth-first from the front page over same-origin links, with JavaScript off (links are in the HTML). */
  async function crawl(): Promise<{ pages: string[]; links: { from: string; href: string }[] }> {
    const { context } = await site.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const start = site.base;
    const queue = [start];
    const seen = new Set(queue);
    const htmlPages: string[] = [];
    const found: { from: string; href: string }[] = [];
    while (queue.length > 0) {
      const path = queue.shift()!;
      const response = await page.goto(site.origin + path);
      // A broken link is reported by its own test; only pages that load are crawled further.
      if (response?.status() !== 200 || !(response.headers()['content-type'] ?? '').startsWith('text/html')) continue;
      htmlPages.push(path);
      const hrefs = await page.$$eval('a[href]', (anchors) => anchors.map((anchor) => (anchor as HTMLAnchorElement).href));
      for (const href of hrefs) {
        const url = new URL(href);
        if (url.origin !== site.origin) continue;
        found.push({ from: path, href: url.pathname + url.hash });
        // Downloads (snapshot JSON, CSV) are checked by the link test, not opened as pages.
        if (!seen.has(url.pathname) && (url.pathname.endsWith('/') || url.pathname.endsWith('.html'))) {
          seen.add(url.pathname);
          queue.push(url.pathname);
        }
      }
    }
    await page.close();
    return { pages: htmlPages, links: found };
  }

  /** Scrolls each chart into view and waits until every one has been redrawn by vega-embed (or has failed). */
  async function hydrateAll(page: Page): Promise<number> {
    const figures = page.locator('figure[data-vega-chart]');
    const count = await figures.count();
    for (let index = 0; index < count; index++) {
      const figure = figures.nth(index);
      await figure.scrollIntoViewIfNeeded();
      await expect.poll(() => figure.getAttribute('data-hydrated'), { timeout: 60_000 }).toMatch(/^(true|failed)$/);
    }
    return count;
  }

  it('finds the front page, every chapter and the provenance page by following links', () => {
    const { base } = site;
    expect(pages).toContain(base);
    expect(pages).toContain(`${base}provenance/`);
    expect(pages.length).toBeGreaterThanOrEqual(3);
  });

  it('resolves every internal link, fragments included', async () => {
    const { context } = await site.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const broken: string[] = [];
    const idsByPage = new Map<string, Set<string>>();
    for (const { from, href } of links) {
      const url = new URL(href, site.origin);
      const response = await context.request.get(site.origin + url.pathname);
      if (response.status() !== 200) {
        broken.push(`${from} -> ${href}: HTTP ${response.status()}`);
        continue;
      }
      if (!url.hash) continue;
      let ids = idsByPage.get(url.pathname);
      if (!ids) {
        await page.goto(site.origin + url.pathname);
        ids = new Set(await page.$$eval('[id]', (elements) => elements.map((element) => element.id)));
        idsByPage.set(url.pathname, ids);
      }
      if (!ids.has(decodeURIComponent(url.hash.slice(1)))) broken.push(`${from} -> ${href}: no element with that id`);
    }
    expect(links.length).toBeGreaterThan(10);
    expect(broken).toEqual([]);
  });

  it('serves every page with the strict CSP header, and each page carries its own CSP meta policy', async () => {
    const { context } = await site.newContext();
    for (const path of pages) {
      const response = await context.request.get(site.origin + path);
      expect(response.headers()['content-security-policy'], path).toBe(strictPolicy);
      const html = await response.text();
      const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html);
      expect(meta, `${path}: CSP meta element`).not.toBeNull();
      expect(meta![1]).toContain("script-src 'self'");
      expect(meta![1]).not.toContain('unsafe-eval');
      // The meta policy applies only to what follows it, so it must come before any script or stylesheet.
      expect(html.indexOf('http-equiv="Content-Security-Policy"'), path).toBeLessThan(html.search(/<script|<link rel="stylesheet"/));
    }
  });

  it('loads every page without console errors, failed requests or CSP violations, charts hydrated under the strict CSP', async () => {
    let charts = 0;
    for (const path of pages) {
      const { page, problems, guarded } = await site.open(path);
      const count = await hydrateAll(page);
      charts += count;
      const failed = await page.locator('figure[data-vega-chart][data-hydrated="failed"]').count();
      expect(failed, `${path}: charts that failed to hydrate`).toBe(0);
      expect(problems, path).toEqual({ consoleErrors: [], pageErrors: [], failedRequests: [], cspViolations: [] });
      expect(guarded.outsideRequests, path).toEqual([]);
      await page.close();
    }
    expect(charts).toBeGreaterThan(0);
  });

  it('has every chart as a complete SVG in the HTML, with JavaScript off', async () => {
    let charts = 0;
    for (const path of pages) {
      const { page } = await site.open(path, { javaScriptEnabled: false });
      const figures = await page.$$eval('figure[data-vega-chart]', (elements) =>
        elements.map((figure) => ({
          id: figure.id,
          svg: figure.querySelector(':scope > .chart-view > svg') !== null,
          marks: figure.querySelectorAll('.chart-view svg [role="graphics-symbol"]').length,
          axes: figure.querySelectorAll('.chart-view svg [aria-roledescription="axis"]').length,
          hydrated: (figure as HTMLElement).dataset.hydrated ?? null,
          caption: figure.querySelector('figcaption')?.textContent?.trim() ?? '',
        })),
      );
      for (const figure of figures) {
        expect(figure, `${path}#${figure.id}`).toMatchObject({ svg: true, hydrated: null });
        expect(figure.marks, `${path}#${figure.id}: data marks`).toBeGreaterThan(0);
        expect(figure.axes, `${path}#${figure.id}: axes`).toBeGreaterThanOrEqual(2);
        expect(figure.caption, `${path}#${figure.id}: numbered caption`).toMatch(/^Figure \d+\./);
      }
      charts += figures.length;
      await page.close();
    }
    expect(charts).toBeGreaterThan(0);
  });

  it('makes each chart interactive once in view: export menu, and a tooltip on hovering a point', async () => {
    let charts = 0;
    let withTooltips = 0;
    for (const path of pages) {
      const { page, problems } = await site.open(path);
      const figures = page.locator('figure[data-vega-chart]');
      const count = await figures.count();
      for (let index = 0; index < count; index++) {
        const figure = figures.nth(index);
        await figure.scrollIntoViewIfNeeded();
        await expect.poll(() => figure.getAttribute('data-hydrated'), { timeout: 60_000 }).toBe('true');
        const where = `${path} chart ${index + 1}`;
        expect(await figure.locator('.vega-embed > details > summary').count(), `${where}: actions menu`).toBe(1);
        await figure.locator('.vega-embed > details > summary').click();
        expect(await figure.locator('.vega-actions a').allTextContents(), `${where}: export actions`).toEqual(
          expect.arrayContaining(['Save as SVG', 'Save as PNG']),
        );
        await figure.locator('.vega-embed > details > summary').click();

        charts += 1;
        // A chart whose spec has tooltips must show one on its first point or cell.
        if (!(await figure.locator('script[data-vega-spec]').textContent())?.includes('"tooltip"')) continue;
        const item = figure.locator('.chart-live svg g.mark-symbol > path, .chart-live svg g.mark-rect > path').first();
        const box = await item.boundingBox();
        expect(box, `${where}: a point or cell to hover`).not.toBeNull();
        await page.mouse.move(box!.x + box!.width / 2, box!.y + box!.height / 2);
        const tooltip = page.locator('#vg-tooltip-element.visible');
        await expect.poll(() => tooltip.count(), { timeout: 10_000 }).toBe(1);
        expect((await tooltip.textContent())?.trim().length, `${where}: tooltip text`).toBeGreaterThan(0);
        await page.mouse.move(0, 0);
        withTooltips += 1;
      }
      expect(problems.consoleErrors, path).toEqual([]);
      await page.close();
    }
    expect(charts).toBeGreaterThan(0);
    expect(withTooltips).toBeGreaterThan(0);
  });

  it('typesets all TeX with KaTeX: .katex present, no error boxes, no raw $ or \\command in the text', async () => {
    let formulas = 0;
    for (const path of pages) {
      const { page } = await site.open(path, { javaScriptEnabled: false });
      const result = await page.evaluate(() => {
        const raw: string[] = [];
        // No TreeWalker filter callback: with JavaScript off, the page cannot run one.
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          if (node.parentElement?.closest('script, style, code, pre, .katex, .chart-view')) continue;
          const text = node.textContent ?? '';
          if (/\$|\\[A-Za-z]+/.test(text)) raw.push(text.trim().slice(0, 120));
        }
        return {
          katex: document.querySelectorAll('.katex').length,
          errors: document.querySelectorAll('.katex-error').length,
          mathml: document.querySelectorAll('.katex math').length,
          raw,
        };
      });
      expect(result.errors, path).toBe(0);
      expect(result.raw, `${path}: untypeset TeX`).toEqual([]);
      // Screen readers read the MathML copy of every formula.
      expect(result.mathml, path).toBe(result.katex);
      formulas += result.katex;
      await page.close();
    }
    expect(formulas).toBeGreaterThan(50);
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`has no accessibility violations of any impact (axe-core, ${colorScheme} theme, charts hydrated)`, async () => {
      const found: string[] = [];
      for (const path of pages) {
        // bypassCSP: axe-core is injected as an inline script, which the site's policy rightly refuses.
        const { page } = await site.open(path, { colorScheme, bypassCSP: true });
        await hydrateAll(page);
        await page.addScriptTag({ path: axePath });
        const violations = await page.evaluate(async () => {
          const axe = (
            window as unknown as {
              axe: {
                run(
                  context: Document,
                  options: object,
                ): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }>;
              };
            }
          ).axe;
          const results = await axe.run(document, { resultTypes: ['violations'] });
          return results.violations.map((violation) => ({
            id: violation.id,
            impact: violation.impact,
            help: violation.help,
            targets: violation.nodes.slice(0, 5).map((node) => JSON.stringify(node.target)),
          }));
        });
        for (const violation of violations) {
          // Every impact counts, minor and moderate included (issue 13).
          found.push(`${path}: ${violation.id} (${violation.impact}): ${violation.help} at ${violation.targets.join(', ')}`);
        }
        await page.close();
      }
      expect(found).toEqual([]);
    });
  }

  it('switches theme with the header button, remembers it, and prints light without the navigation', async () => {
    const { page, problems } = await site.open(site.base, { colorScheme: 'light' });
    const button = page.locator('[data-theme-toggle]');
    await expect.poll(() => button.isVisible()).toBe(true);
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const lightBackground = await background();
    await button.click(); // system -> light
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await button.click(); // light -> dark
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const darkBackground = await background();
    expect(darkBackground).not.toBe(lightBackground);
    await page.reload();
    expect(await page.evaluate(() => document.documentElement.dataset.theme), 'the choice survives a reload').toBe('dark');
    expect(await background()).toBe(darkBackground);

    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.site-header').isVisible()).toBe(false);
    expect(await background(), 'print is light whatever the theme').toBe('rgb(255, 255, 255)');
    await page.emulateMedia({ media: 'screen' });
    await button.click(); // dark -> system
    expect(await page.evaluate(() => document.documentElement.dataset.theme ?? null)).toBeNull();
    expect(problems.consoleErrors).toEqual([]);
    await page.close();
  });

  it('marks numbers stale only for snapshots the provenance page lists as stale, and links each page line to their entries', async () => {
    const { page: provenance } = await site.open(`${site.base}provenance/`, { javaScriptEnabled: false });
    const entries = await provenance.$$eval('section.snapshot-entry', (sections) =>
      sections.map((section) => ({
        id: (section as HTMLElement).dataset.snapshot!,
        stale: (section as HTMLElement).dataset.stale === 'true',
        anchor: section.id,
      })),
    );
    await provenance.close();
    expect(entries.length).toBeGreaterThan(0);
    const staleIds = new Set(entries.filter((entry) => entry.stale).map((entry) => entry.id));
    let linked = 0;
    for (const path of pages) {
      if (path.endsWith('/provenance/')) continue;
      const { page } = await site.open(path, { javaScriptEnabled: false });
      const marks = await page.$$eval('.freshness-mark--stale[data-freshness-mark]', (spans) =>
        spans.map((span) => (span as HTMLElement).dataset.freshnessMark!),
      );
      for (const id of marks) expect(staleIds, `${path}: stale mark for ${id}`).toContain(id);
      // The page's line names each run it quotes with its state, linking to the run's entry.
      const runs = await page.$$eval('[data-page-freshness] a', (anchors) =>
        anchors.map((anchor) => ({
          id: anchor.textContent ?? '',
          href: (anchor as HTMLAnchorElement).href,
          state: anchor.nextElementSibling?.textContent ?? '',
        })),
      );
      for (const run of runs) {
        const entry = entries.find((candidate) => candidate.id === run.id);
        expect(entry, `${path}: the line names ${run.id}`).toBeDefined();
        expect(new URL(run.href).hash).toBe(`#${entry!.anchor}`);
        expect(run.state === 'stale', `${path}: ${run.id} is ${run.state}`).toBe(entry!.stale);
        linked += 1;
      }
      // A stale run the line names has its numbers marked on the page, and a mark names a run of the line.
      for (const id of marks)
        expect(
          runs.map((run) => run.id),
          `${path}: mark for ${id}`,
        ).toContain(id);
      await page.close();
    }
    expect(linked).toBeGreaterThan(0);
  });

  it('loads no chart code before a chart is hydrated (JavaScript bytes per page measured)', async () => {
    const measured: Record<string, { bytes: number; files: string[] }> = {};
    for (const path of pages) {
      const guarded = await site.newContext();
      const page = await guarded.context.newPage();
      // No chart ever comes into view: what loads is what every reader pays before any chart is hydrated.
      await page.addInitScript(() => {
        window.IntersectionObserver = class {
          observe() {}
          unobserve() {}
          disconnect() {}
          takeRecords() {
            return [];
          }
        } as unknown as typeof IntersectionObserver;
      });
      const scripts: Promise<{ url: string; bytes: number }>[] = [];
      page.on('response', (response) => {
        if (response.request().resourceType() === 'script') scripts.push(response.body().then((body) => ({ url: response.url(), bytes: body.length })));
      });
      // `load` first: module scripts run before it, while on a large page under load the network can fall idle for
      // half a second before the parser reaches them (their responses would then come after the count).
      await page.goto(site.origin + path, { waitUntil: 'load' });
      await page.waitForLoadState('networkidle');
      const loaded = await Promise.all(scripts);
      const hydrated = await page.locator('figure[data-vega-chart][data-hydrated="loading"], figure[data-vega-chart][data-hydrated="true"]').count();
      expect(hydrated, path).toBe(0);
      const chartCode = loaded.filter((script) => /\/(embed|vega-interpreter)\.[^/]*\.js$/.test(script.url));
      expect(chartCode, `${path}: chart code loaded before any chart was in view`).toEqual([]);
      measured[path] = { bytes: loaded.reduce((sum, script) => sum + script.bytes, 0), files: loaded.map((script) => new URL(script.url).pathname) };
      await page.close();
    }
    console.log(
      `JavaScript loaded before any chart is hydrated:\n${Object.entries(measured)
        .map(([path, { bytes, files }]) => `  ${path}: ${bytes} bytes (${files.join(', ') || 'none'})`)
        .join('\n')}`,
    );
    await mkdir(join(projectRoot, '.scratch/e2e'), { recursive: true });
    await writeFile(join(projectRoot, '.scratch/e2e/js-before-hydration.json'), `${JSON.stringify(measured, null, 2)}\n`);
  });

  it('made no request outside the test server in any test', async () => {
    const seen = site.contexts.flatMap((guarded) => guarded.outsideRequests);
    expect(seen).toEqual([]);
    expect(site.contexts.length).toBeGreaterThan(5);
  });
});
