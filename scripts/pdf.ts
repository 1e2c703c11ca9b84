/**
 * `npm run build` ends here: the report on paper, `dist/report.pdf`, headless Chromium's print of the built site.
 * The pages are printed as one document, in the order of the site's navigation (front page, the chapters, the
 * appendix pages, provenance), each page from a new sheet, with page numbers, through the site's own print
 * stylesheet (no interactive element, captions kept with their tables and figures). The site is served from
 * `dist/` below its base (SITE_BASE) on a localhost port, as a static host would; nothing leaves this machine.
 *
 * Chromium is Debian's (`apt-get install chromium`) at CHROMIUM_PATH; without it the build fails with a one-line
 * message saying so (CI installs it before building).
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { writeFileAtomic } from '../src/lib/fs/atomic.ts';
import { siteSettings } from '../src/lib/site-settings.ts';
import { launchChromium, missingChromium } from './chromium.ts';
import { runScript } from './cli.ts';
import { startStaticServer } from './static-server.ts';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** The printed page's footer: "3 / 41", centred (Chromium fills in the two numbers). */
const footerTemplate =
  '<div style="width:100%;text-align:center;font-size:8pt;font-family:Georgia,serif;color:#444"><span class="pageNumber"></span> / <span class="totalPages"></span></div>';

class PdfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PdfError';
  }
}

/**
 * The pages to print, in order: the front page's navigation, which lists the front page, every chapter by its
 * `order` and the provenance page (src/layouts/Base.astro).
 */
async function pageOrder(page: Page): Promise<string[]> {
  const links = await page.$$eval('header.site-header nav a[href]', (anchors) => anchors.map((anchor) => (anchor as HTMLAnchorElement).href));
  const unique = [...new Set(links)];
  if (unique.length < 2) throw new PdfError(`the front page's navigation lists ${unique.length} page(s); expected the chapters`);
  return unique;
}

/**
 * Appends the main content of the page at `url` to the document in `page`, starting on a new sheet, with the
 * stylesheets it needs that the document does not have yet (a chapter's KaTeX or "try it" styles).
 */
async function appendPage(page: Page, url: string, html: string): Promise<void> {
  await page.evaluate(
    ({ html, url }) => {
      const other = new DOMParser().parseFromString(html, 'text/html');
      const main = other.querySelector('main');
      if (!main) throw new Error(`${url}: no <main>`);
      const present = new Set(Array.from(document.querySelectorAll('link[rel="stylesheet"]')).map((link) => (link as HTMLLinkElement).href));
      for (const link of Array.from(other.querySelectorAll('link[rel="stylesheet"]'))) {
        const href = new URL(link.getAttribute('href') ?? '', url).href;
        if (present.has(href)) continue;
        const copy = document.createElement('link');
        copy.rel = 'stylesheet';
        copy.href = href;
        document.head.append(copy);
        present.add(href);
      }
      for (const style of Array.from(other.querySelectorAll('head style'))) document.head.append(document.importNode(style, true));
      const chapter = document.createElement('div');
      chapter.className = 'pdf-page';
      chapter.style.breakBefore = 'page';
      chapter.append(...Array.from(main.childNodes).map((node) => document.importNode(node, true)));
      document.querySelector('main')?.append(chapter);
    },
    { html, url },
  );
}

/** The built site at `dist` (served below `base`) printed to one PDF; its bytes. */
export async function printReport(dist: string, base: string, chromiumPath: string): Promise<{ pdf: Uint8Array; pages: string[] }> {
  const missing = missingChromium(chromiumPath);
  if (missing) throw new PdfError(`cannot print dist/report.pdf: ${missing}`);
  const server = await startStaticServer({ root: dist, base });
  const browser = await launchChromium(chromiumPath);
  try {
    // Without JavaScript: the page as printed is the page as built (the charts drawn at build time, no demo).
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    // Nothing but the local server: a request elsewhere would make the print depend on the network.
    await context.route('**/*', (route) => (route.request().url().startsWith(server.origin) ? route.continue() : route.abort('blockedbyclient')));
    const page = await context.newPage();
    const front = await page.goto(server.url, { waitUntil: 'load' });
    if (front?.status() !== 200) throw new PdfError(`${server.url}: HTTP ${front?.status()} for the front page; was the site built into ${dist}?`);
    const pages = await pageOrder(page);
    for (const url of pages.filter((url) => url !== server.url)) {
      const response = await context.request.get(url);
      if (response.status() !== 200) throw new PdfError(`${url}: HTTP ${response.status()}`);
      await appendPage(page, url, await response.text());
    }
    await page.waitForLoadState('networkidle');
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    const pdf = await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate,
      margin: { top: '18mm', bottom: '20mm', left: '16mm', right: '16mm' },
      // Bookmarks from the headings, and a tagged (accessible) PDF whose text a reader's tools can extract.
      outline: true,
      tagged: true,
    });
    return { pdf, pages: pages.map((url) => new URL(url).pathname) };
  } finally {
    await browser.close();
    await server.close();
  }
}

async function main(): Promise<number> {
  const { siteDist, siteBase, chromiumPath } = siteSettings();
  const dist = resolve(projectRoot, siteDist);
  const { pdf, pages } = await printReport(dist, siteBase, chromiumPath);
  const target = join(dist, 'report.pdf');
  await writeFileAtomic(target, pdf);
  console.log(`pdf: ${target}: ${pdf.length.toLocaleString('en')} bytes, the pages ${pages.join(', ')}`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await runScript('pdf', main);
