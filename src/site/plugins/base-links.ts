/**
 * Links written in the MDX prose as `/q2/` get the base the site is mounted below (`SITE_BASE`, see
 * astro.config.mjs), as every link the components write does through `withBase` (src/site/links.ts).
 */
import { basePrefix, withBase } from '../links.ts';

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
