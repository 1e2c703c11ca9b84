// @ts-check
import mdx from '@astrojs/mdx';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'astro/config';
import rehypeKatex from 'rehype-katex';
import remarkMath from 'remark-math';
import { settingsAtStartup } from './src/lib/failure.ts';
import { siteSettings } from './src/lib/site-settings.ts';
import { rehypeBaseLinks } from './src/site/plugins/base-links.ts';
import { proseCheck } from './src/site/plugins/prose-check.ts';
import { remarkCrossReferences } from './src/site/plugins/cross-references.ts';
import { rehypeScrollableEquations } from './src/site/plugins/scroll-regions.ts';

// Where the site is mounted: `/` by default; a GitHub Pages project site lives below `/<repository>/`, so its
// workflow sets SITE_BASE (and SITE_URL for absolute URLs). Every internal link the site writes is base-aware.
// The site's settings are validated here, before the build starts (src/lib/site-settings.ts; the README's
// "Settings"): a bad one is one line per problem and exit 2, not Astro's stack of its config loader. The site reads
// none of the settings hashed into snapshots (src/lib/settings.ts).
settingsAtStartup('astro', siteSettings);
const { siteBase: base, siteUrl, astroCacheDir } = siteSettings();

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
  // proseCheck: the words around the numbers held to the house rules on every built page (no `0.0100`, no ISO
  // timestamps outside the provenance page, no chains of colons); a finding fails the build.
  integrations: [mdx(), proseCheck()],
  markdown: {
    // Asides are GFM footnotes (`[^name]`, on by default in Markdown and MDX), listed at the chapter's end under a
    // visible "Notes" heading rather than remark-rehype's screen-reader-only "Footnotes" (the site has no sr-only class).
    remarkRehype: { footnoteLabel: 'Notes', footnoteLabelProperties: { className: ['footnotes-label'] } },
    // Numbers equations, figures and tables and resolves \eqref/\ref/\cref (src/site/plugins/cross-references.ts).
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
    plugins: [katexWoff2Only(), nodeFilesStub(), tfjsForThePage()],
    build: {
      assetsInlineLimit: 0,
      // vega-embed (with vega and vega-lite) is one ~870 kB chunk, loaded only when a chart scrolls into view; tfjs for
      // the "try it" sections one ~1,050 kB chunk, loaded only when a reader asks for a model.
      chunkSizeWarningLimit: 1100,
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

/**
 * The "try it" sections run library modules in the page (src/lib/audio/wav.ts and src/lib/weights/safetensors.ts,
 * through src/site/client/try-*-model.ts) that also read files when run in Node. In the browser bundle their
 * `node:fs/promises` import becomes a stub that throws if called: the page only calls their pure parts. Only
 * these importers get it, so any other module that reaches for the file system in the page still fails the build.
 * (The modules stay whole because they are experiment sources: splitting them would change every snapshot's inputs.)
 * @returns {import('vite').Plugin}
 */
function nodeFilesStub() {
  const stub = '\0node-fs-promises-in-the-page';
  const importers = /\/src\/lib\/(audio\/wav|weights\/safetensors)\.ts$/;
  return {
    name: 'node-fs-promises-in-the-page',
    enforce: 'pre',
    resolveId(id, importer, options) {
      if (options?.ssr || id !== 'node:fs/promises' || !importer || !importers.test(importer)) return null;
      return stub;
    },
    load(id) {
      if (id !== stub) return null;
      return "export function readFile() { throw new Error('reading files needs Node.js, not a browser'); }\n";
    },
  };
}

/**
 * tfjs in the browser bundle:
 * - `@tensorflow/tfjs` is src/site/client/tfjs-page.ts, the package without its WebGL backend, converter and tf.data,
 *   which the "try it" sections never use (0.55 of its 1.6 MB). Node and the SSR build keep the real package.
 * - `long` (a dependency of tfjs-core) probes for WebAssembly by compiling a tiny module when it loads, which the
 *   site's CSP forbids (no 'wasm-unsafe-eval'): the page would log a violation, then long falls back to JavaScript
 *   as it does wherever WebAssembly is missing. The probe is skipped here, so it takes that path at once.
 * @returns {import('vite').Plugin}
 */
function tfjsForThePage() {
  const page = fileURLToPath(new URL('./src/site/client/tfjs-page.ts', import.meta.url));
  const probe = 'wasm = new WebAssembly.Instance(';
  return {
    name: 'tfjs-for-the-page',
    enforce: 'pre',
    resolveId(id, importer, options) {
      if (options?.ssr || id !== '@tensorflow/tfjs' || importer === page) return null;
      return page;
    },
    transform(code, id, options) {
      if (options?.ssr || !/\/node_modules\/long\/src\/long\.js$/.test(id)) return null;
      if (!code.includes(probe))
        throw new Error(`tfjs-for-the-page: ${id} no longer holds long's WebAssembly probe (${probe}); check the CSP in the page again`);
      return { code: code.replace(probe, 'wasm = null && new WebAssembly.Instance('), map: null };
    },
  };
}
