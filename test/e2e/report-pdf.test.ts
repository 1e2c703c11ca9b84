/**
 * The report on paper: `npm run build` ends by printing the chapters to `dist/report.pdf` (scripts/pdf.ts). It must
 * exist, run to many pages, and hold every chapter's title: read with `pdftotext` where it is installed, else
 * from the PDF's bookmarks (its outline of headings), with the page count read from its bytes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { distDir } from './support/site.ts';

const pdfFile = join(distDir, 'report.pdf');
/** The printed report is 41 A4 pages today; far fewer means pages went missing. */
const MIN_PAGES = 25;

/** Every `/Title` string in the PDF (bookmarks and the document's own), decoded: literal `( … )` or UTF-16 `<FEFF…>`. */
function pdfTitles(bytes: Buffer): string[] {
  const text = bytes.toString('latin1');
  return [...text.matchAll(/\/Title\s*(\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f]+>)/g)].map(([, raw]) => {
    if (raw.startsWith('(')) return raw.slice(1, -1).replace(/\\([()\\])/g, '$1');
    const hex = raw.slice(1, -1);
    const units = Buffer.from(hex.startsWith('FEFF') || hex.startsWith('feff') ? hex.slice(4) : hex, 'hex');
    return units.swap16().toString('utf16le');
  });
}

/** Each chapter's title as its page shows it (the `<h1>`), in the order the PDF prints them. */
function chapterTitles(): string[] {
  const folders = readdirSync(distDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(distDir, entry.name, 'index.html')))
    .map((entry) => entry.name);
  return folders
    .map((folder) => /<h1[^>]*>([^<]+)<\/h1>/.exec(readFileSync(join(distDir, folder, 'index.html'), 'utf8'))?.[1])
    .filter((title): title is string => title !== undefined)
    .map((title) => title.replace(/&#39;/g, "'").replace(/&amp;/g, '&'));
}

describe('dist/report.pdf', () => {
  it('exists, runs to many pages and holds every chapter title', () => {
    expect(existsSync(pdfFile), `${pdfFile}: npm run build prints it (scripts/pdf.ts)`).toBe(true);
    const bytes = readFileSync(pdfFile);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pages = (bytes.toString('latin1').match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
    console.log(`report.pdf: ${bytes.length.toLocaleString('en')} bytes, ${pages} pages`);
    expect(pages).toBeGreaterThanOrEqual(MIN_PAGES);
    const titles = chapterTitles();
    expect(titles.length).toBeGreaterThanOrEqual(4);
    const hasPdftotext = spawnSync('pdftotext', ['-v']).error === undefined;
    const text = hasPdftotext ? execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8', maxBuffer: 64 << 20 }).replace(/\s+/g, ' ') : null;
    const bookmarks = pdfTitles(bytes);
    // Chromium's bookmarks drop the space where a long heading wrapped, so titles are compared without spaces.
    const squeeze = (value: string) => value.replace(/\s+/g, '');
    const found = text !== null ? [squeeze(text)] : bookmarks.map(squeeze);
    for (const title of titles)
      expect(
        found.some((candidate) => candidate.includes(squeeze(title))),
        `${title} in the PDF`,
      ).toBe(true);
  });
});
