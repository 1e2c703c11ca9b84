/**
 * Internal links that work wherever the site is mounted: at a domain's root, or below a path on a GitHub Pages
 * project site (`SITE_BASE=/hw2-report/`, see astro.config.mjs). Every internal href the site writes goes through
 * `withBase`; links written in the MDX prose as `/q2/` are rewritten by `rehypeBaseLinks`.
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

/** The parts of a hast node the plugin touches; hast's types are not a dependency of the project. */
interface HtmlNode {
  type: string;
  tagName?: string;
  properties?: Record<string, unknown>;
  children?: HtmlNode[];
}

const linkAttributes: Record<string, string[]> = { a: ['href'], img: ['src'], source: ['src'], link: ['href'] };

/** A rehype plugin: site-absolute links in the prose get the base, so `[Q2](/q2/)` works on a project site. */
export function rehypeBaseLinks(options: { base: string }): (tree: unknown) => void {
  return (tree) => {
    if (!basePrefix(options.base)) return;
    const visit = (node: HtmlNode): void => {
      const attributes = node.type === 'element' && node.tagName ? linkAttributes[node.tagName] : undefined;
      for (const attribute of attributes ?? []) {
        const value = node.properties?.[attribute];
        if (typeof value === 'string') node.properties![attribute] = withBase(value, options.base);
      }
      for (const child of node.children ?? []) visit(child);
    };
    visit(tree as HtmlNode);
  };
}
