/**
 * A rehype plugin (after rehype-katex): display equations scroll sideways when they are wider than the column
 * (site.css), and a region that scrolls must be reachable by keyboard to be scrolled without a mouse, so each
 * one is a tab stop. Chart and table scroll boxes get the same from their components.
 */

/** The parts of a hast node the plugin touches; hast's types are not a dependency of the project. */
interface HtmlNode {
  type: string;
  tagName?: string;
  properties?: Record<string, unknown>;
  children?: HtmlNode[];
}

export function rehypeScrollableEquations(): (tree: unknown) => void {
  return (tree) => {
    const visit = (node: HtmlNode): void => {
      const className = node.properties?.className;
      if (node.type === 'element' && Array.isArray(className) && className.includes('katex-display')) {
        node.properties!.tabIndex = 0;
      }
      for (const child of node.children ?? []) visit(child);
    };
    visit(tree as HtmlNode);
  };
}
