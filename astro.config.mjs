// @ts-check
import mdx from '@astrojs/mdx';
import { defineConfig } from 'astro/config';
import rehypeKatex from 'rehype-katex';
import remarkMath from 'remark-math';
import { remarkEquations } from './src/site/equations.ts';

// Static site into dist/, built from the committed snapshots. The content collections (src/content.config.ts)
// read SNAPSHOTS_DIR / CHAPTERS_DIR, which tests point at fixtures; ASTRO_CACHE_DIR keeps such a test build's
// content cache apart from the real one.
export default defineConfig({
  output: 'static',
  outDir: './dist',
  cacheDir: process.env.ASTRO_CACHE_DIR || './node_modules/.astro',
  trailingSlash: 'ignore',
  integrations: [mdx()],
  markdown: {
    remarkPlugins: [remarkMath, remarkEquations],
    // The MathML copy is what screen readers read. A TeX error fails the build instead of printing red source.
    rehypePlugins: [[rehypeKatex, { output: 'htmlAndMathml', throwOnError: true, strict: 'error' }]],
  },
  build: {
    // Every script and stylesheet as a file of its own, so a CSP needs no 'unsafe-inline' for <script> or <style>.
    // (KaTeX's markup still carries style attributes: a CSP must allow them with style-src-attr 'unsafe-inline'.)
    inlineStylesheets: 'never',
  },
  vite: {
    build: {
      assetsInlineLimit: 0,
      // vega-embed (with vega and vega-lite) is one ~870 kB chunk, loaded only when a chart scrolls into view.
      chunkSizeWarningLimit: 1000,
    },
  },
});
