/**
 * The build's check of the words around the numbers: every built page's prose (paragraphs, list items, captions,
 * table cells, headings) is read as a person reads it and held to the house rules. Each rule below names the
 * habit of program output it catches. `proseCheck()`, an Astro integration installed by astro.config.mjs, reads every
 * built page when the build is done and fails it listing each page and finding.
 *
 * Not prose, so not checked: code and preformatted text, typeset math (KaTeX), SVG charts (their text is checked
 * by the browser tests), scripts and styles, quotations of the original (`<q>`, `<blockquote>`: verbatim by
 * rule), cited works (`<cite>`: a reference's title is the author's), file and command names in `<code>`/`<kbd>`, and disclosures of run details (`<details>`, where
 * provenance may show raw values). ISO timestamps are allowed on the provenance page only.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import { parse } from 'parse5';

export interface ProseFinding {
  rule: string;
  /** The sentence (or cell) the rule fired on. */
  text: string;
}

interface Rule {
  id: string;
  /** Returns the offending part of `sentence`, if any. */
  find(sentence: string): string | undefined;
}

const minus = '\u2212';
/** A number as it appears in prose: optional sign, digits with optional separators, optional decimals. */
const numberPattern = new RegExp(`[+${minus}-]?\\d[\\d,]*(?:\\.\\d+)?`, 'g');

const rules: Rule[] = [
  {
    // "… to +0.054: the interval includes zero: the difference is not shown" — clauses chained by colons.
    id: 'doubled colons',
    find: (sentence) => (sentence.replace(/\d:\d/g, '').split(':').length > 2 ? sentence : undefined),
  },
  {
    // "the chosen rate ranged from 0.01 to 0.01" — a range whose ends are the same number.
    id: 'identical-ended range',
    find: (sentence) => {
      const match = new RegExp(`(?:from|between)\\s+(${numberPattern.source})\\s*(?:to|and|–)\\s*(${numberPattern.source})`).exec(sentence);
      return match && match[1] === match[2] ? match[0] : undefined;
    },
  },
  {
    // "3.9e+2 ms" — computer notation; prose writes 390 ms or 3.9 × 10².
    id: 'scientific notation',
    find: (sentence) => /\b\d+(?:\.\d+)?e[+-]?\d+\b/i.exec(sentence)?.[0],
  },
  {
    // "2026-11-30T13:58:01.705Z" — a date as a program stores it.
    id: 'ISO timestamp',
    find: (sentence) => /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.exec(sentence)?.[0],
  },
  {
    // "0.7666666667" — more digits than any measurement here supports.
    id: 'more than 4 significant digits',
    find: (sentence) => numbersOf(sentence).find((number) => number.includes('.') && significantDigits(number) > 4),
  },
  {
    // "4000" beside "3,400" — one thousands style: separators from 1,000 up (years and identifiers aside).
    id: 'unformatted integer ≥ 1000',
    find: (sentence) => numbersOf(sentence).find((number) => /^[+\u2212-]?\d{4,}$/.test(number) && !/^(19|20)\d\d$/.test(number)),
  },
];

/** Numbers standing on their own: not inside identifiers (LJ001-0001, sha256 digests, file names, versions). */
function numbersOf(sentence: string): string[] {
  const found: string[] = [];
  for (const match of sentence.matchAll(numberPattern)) {
    const before = sentence[match.index - 1] ?? ' ';
    const after = sentence[match.index + match[0].length] ?? ' ';
    if (/[\p{L}\d_/@#.]/u.test(before)) continue;
    if (/[\p{L}_/@-]/u.test(after) || (after === '.' && /\d/.test(sentence[match.index + match[0].length + 1] ?? ''))) continue;
    found.push(match[0].replace(/,$/, ''));
  }
  return found;
}

function significantDigits(number: string): number {
  return number.replace(/[^\d]/g, '').replace(/^0+/, '').length;
}

type Node = { nodeName: string; value?: string; childNodes?: Node[]; attrs?: Array<{ name: string; value: string }>; content?: Node };

const skipped = new Set(['script', 'style', 'svg', 'pre', 'code', 'kbd', 'q', 'blockquote', 'cite', 'details', 'math', 'noscript', 'template']);
const blocks = new Set(['p', 'li', 'figcaption', 'caption', 'td', 'th', 'h1', 'h2', 'h3', 'h4', 'dd', 'dt', 'summary']);

/** The prose of a page: the text of each block element, with what is not prose left out (see the header). */
export function proseOf(html: string): string[] {
  const texts: string[] = [];
  const visit = (node: Node, into: string[] | undefined) => {
    if (skipped.has(node.nodeName) || isMath(node)) return;
    if (node.nodeName === '#text') {
      into?.push(node.value ?? '');
      return;
    }
    if (blocks.has(node.nodeName)) {
      const own: string[] = [];
      for (const child of node.childNodes ?? []) visit(child, own);
      texts.push(own.join('').replace(/\s+/g, ' ').trim());
      return;
    }
    for (const child of node.childNodes ?? []) visit(child, into);
  };
  visit(parse(html) as unknown as Node, undefined);
  return texts.filter((text) => text.length > 0);
}

function isMath(node: Node): boolean {
  const classes = node.attrs?.find((attr) => attr.name === 'class')?.value.split(/\s+/) ?? [];
  return classes.includes('katex') || classes.includes('katex-display');
}

/** Every finding on a page; `allowTimestamps` for the provenance appendix. */
export function checkProse(html: string, options: { allowTimestamps?: boolean } = {}): ProseFinding[] {
  const findings: ProseFinding[] = [];
  for (const block of proseOf(html)) {
    for (const sentence of sentencesOf(block)) {
      for (const rule of rules) {
        if (options.allowTimestamps && rule.id === 'ISO timestamp') continue;
        const found = rule.find(sentence);
        if (found !== undefined) findings.push({ rule: rule.id, text: found === sentence ? sentence : `${found} — in “${sentence}”` });
      }
    }
  }
  return findings;
}

/** Sentences of a block: split after . ! ? followed by a space and a capital, so decimals and "e.g." stay whole. */
function sentencesOf(block: string): string[] {
  return block.split(/(?<=[.!?])\s+(?=[A-Z“(])/u);
}

/** The pages whose prose may carry ISO timestamps: the provenance appendix, which records when each run started. */
const timestampPages = new Set(['provenance/index.html']);

/** The HTML pages of a built site: every `.html` file outside the published data, models and audio. */
async function builtPages(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.html'))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((page) => !/^(data|models|audio)\//.test(page))
    .sort();
}

/** Every finding on every built page under `root`, as `page: rule: text` lines. */
export async function checkBuiltSite(root: string): Promise<{ pages: number; findings: string[] }> {
  const pages = await builtPages(root);
  const findings: string[] = [];
  for (const page of pages) {
    const html = await readFile(join(root, page), 'utf8');
    for (const finding of checkProse(html, { allowTimestamps: timestampPages.has(page) })) findings.push(`${page}: ${finding.rule}: ${finding.text}`);
  }
  return { pages: pages.length, findings };
}

/** The check as an Astro integration: when the build is done, a finding on any page fails it, listing them all. */
export function proseCheck(): AstroIntegration {
  return {
    name: 'prose-check',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const { pages, findings } = await checkBuiltSite(fileURLToPath(dir));
        if (findings.length > 0) {
          throw new Error(
            `the prose check found ${findings.length} problem${findings.length === 1 ? '' : 's'} in the built pages (src/site/plugins/prose-check.ts):\n${findings.join('\n')}`,
          );
        }
        logger.info(`prose check: ${pages} pages, no findings`);
      },
    },
  };
}
