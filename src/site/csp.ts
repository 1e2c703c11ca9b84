/**
 * The site's Content-Security-Policy, written into every page as `<meta http-equiv>` so that a static host that
 * sends no headers (GitHub Pages) still applies it. Everything comes from the site itself: scripts and
 * stylesheets are files (astro.config.mjs turns inlining off), KaTeX's CSS and fonts are bundled, charts draw
 * with Vega's expression interpreter instead of `new Function` (no 'unsafe-eval'), and vega-embed's injected
 * <style> is turned off. What is left inline are style attributes, on KaTeX's markup and in Vega's SVG, hence
 * `style-src-attr 'unsafe-inline'` while `style-src-elem` stays 'self'.
 *
 * A meta policy cannot carry `frame-ancestors`, `report-uri` or `sandbox` (browsers ignore them there and log
 * a console error), so they are left out; a host that can send headers may add them.
 */
export const contentSecurityPolicy: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'style-src-attr': ["'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'none'"],
};

export function policyText(policy: Readonly<Record<string, readonly string[]>> = contentSecurityPolicy): string {
  return Object.entries(policy)
    .map(([directive, sources]) => `${directive} ${sources.join(' ')}`)
    .join('; ');
}
