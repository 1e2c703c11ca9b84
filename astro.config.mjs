// @ts-check
import mdx from '@astrojs/mdx';
import { defineConfig } from 'astro/config';
import rehypeKatex from 'rehype-katex';
import remarkMath from 'remark-math';
import { settings } from './src/lib/settings.ts';
import { remarkCrossReferences } from './src/site/cross-references.ts';
import { rehypeBaseLinks } from './src/site/links.ts';
import { rehypeScrollableEquations } from './src/site/scroll-regions.ts';

// Where the site is mounted: `/` by default; a GitHub Pages project site lives below `/<repository>/`, so its
// workflow sets SITE_BASE (and SITE_URL for absolute URLs). Every internal link the site writes is base-aware.
// All settings are validated here, before the build starts (src/lib/settings.ts; the README's "Settings").
const { siteBase: base, siteUrl, astroCacheDir } = settings();

// Static site into dist/, built from the committed snapshots. The content collections (src/content.config.ts)
// read SNAPSHOTS_DIR / CHAPTERS_DIR, which tests point at fixtures; ASTRO_CACHE_DIR keeps such a test build's
// content cache apart from the real one.
export default defineConfig({
  // Static files live with the site's sources, so the top level holds only what the brief lists.
  publicDir: './src/public',
  output: 'static',
  outDir: './dist',
  site: siteUrl,
  base,
  cacheDir: astroCacheDir,
  trailingSlash: 'ignore',
  integrations: [mdx()],
  markdown: {
    // Numbers equations, figures and tables and resolves \eqref/\ref/\cref (src/site/cross-references.ts).
    remarkPlugins: [remarkMath, remarkCrossReferences],
    rehypePlugins: [
      // The MathML copy is what screen readers read. A TeX error fails the build instead of printing red source.
      [rehypeKatex, { output: 'htmlAndMathml', throwOnError: true, strict: 'error' }],
      // Display equations scroll sideways on narrow screens; a scrolling region must be reachable by keyboard.
      rehypeScrollableEquations,
      [rehypeBaseLinks, { base }],
    ],
  },
  build: {
    // Every script and stylesheet as a file of its own, so the CSP (src/site/csp.ts) needs no 'unsafe-inline'
    // for <script> or <style>. (KaTeX's markup still carries style attributes: style-src-attr 'unsafe-inline'.)
    inlineStylesheets: 'never',
  },
  vite: {
    plugins: [katexWoff2Only()],
    build: {
      assetsInlineLimit: 0,
      // vega-embed (with vega and vega-lite) is one ~870 kB chunk, loaded only when a chart scrolls into view.
      chunkSizeWarningLimit: 1000,
    },
  },
});

/**
 * KaTeX's stylesheet offers each font as woff2, woff and ttf; every browser the site supports takes woff2, and
 * Vite would copy all three (817 kB of fonts no reader downloads). Dropping the other two from the @font-face
 * rules leaves only the woff2 files in dist/.
 * @returns {import('vite').Plugin}
 */
function katexWoff2Only() {
  return {
    name: 'katex-woff2-only',
    enforce: 'pre',
    transform(code, id) {
      if (!/katex(\.min)?\.css($|\?)/.test(id)) return null;
      const stripped = code.replace(/,\s*url\([^)]*\.(?:woff|ttf)\)\s*format\(["'](?:woff|truetype)["']\)/g, '');
      if (/\.(?:woff|ttf)\)/.test(stripped)) throw new Error(`katex-woff2-only: ${id} still names a woff or ttf font`);
      return { code: stripped, map: null };
    },
  };
}
