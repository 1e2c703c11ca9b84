/**
 * Internal links that work wherever the site is mounted: at a domain's root, or below a path on a GitHub Pages
 * project site (`SITE_BASE=/hw2-report/`, see astro.config.mjs). Every internal href the site writes goes through
 * `withBase`; links written in the MDX prose as `/q2/` are rewritten by the rehype plugin plugins/base-links.ts.
 */

/** The base without its trailing slash: `''` at the root, `/hw2-report` below a path. */
export function basePrefix(base: string = import.meta.env.BASE_URL): string {
  return base.replace(/\/+$/, '');
}

/** `/provenance/#x` -> `/hw2-report/provenance/#x`. Only site-absolute paths are changed. */
export function withBase(path: string, base: string = import.meta.env.BASE_URL): string {
  if (!isSiteAbsolute(path)) return path;
  const prefix = basePrefix(base);
  if (prefix && (path === prefix || path.startsWith(`${prefix}/`))) return path;
  return `${prefix}${path}`;
}

function isSiteAbsolute(path: string): boolean {
  return path.startsWith('/') && !path.startsWith('//');
}
