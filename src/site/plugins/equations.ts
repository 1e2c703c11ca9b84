/**
 * Numbered display equations, the equation half of the cross-reference plugin (cross-references.ts), which runs
 * after remark-math and before rehype-katex. KaTeX renders one formula at a time and keeps no counter, so the
 * numbers are assigned here:
 *
 * - every display equation (`$$ … $$`) gets the next number as `\tag{n}`, unless it has its own `\tag` or says
 *   `\notag` / `\nonumber`;
 * - `\label{eq:name}` inside one is removed and makes the equation a link target (`#eq-name`).
 *
 * References (`\eqref{eq:name}`) are resolved by cross-references.ts, together with those to figures and tables.
 */

/** The parts of an mdast node this plugin touches; mdast's own types are not a dependency of the project. */
export interface MarkdownNode {
  type: string;
  value?: string;
  url?: string;
  children?: MarkdownNode[];
  data?: Record<string, unknown>;
}

const labelPattern = /\\label\{([^{}]+)\}/g;
const optOutPattern = /\\(?:notag|nonumber)\b/g;

/** Numbers the equations of `tree` in place. Returns the label -> number table. */
export function numberEquations(tree: MarkdownNode, file = 'the document'): Map<string, number> {
  const numbers = new Map<string, number>();
  let count = 0;

  walk(tree, (node, parent, index) => {
    if (node.type !== 'math' || node.value === undefined) return;
    let value = node.value;
    const labels = [...value.matchAll(labelPattern)].map((match) => match[1].trim());
    if (labels.length > 1) throw new Error(`${file}: an equation has ${labels.length} labels (${labels.join(', ')}); give it one`);
    value = value.replace(labelPattern, '');
    const optedOut = /\\(?:notag|nonumber)\b/.test(value);
    value = value.replace(optOutPattern, '');
    const ownTag = /\\tag\*?\{/.test(value);
    if (optedOut && labels.length > 0) throw new Error(`${file}: equation \\label{${labels[0]}} says \\notag, so nothing can refer to it`);
    if (ownTag && labels.length > 0) throw new Error(`${file}: equation \\label{${labels[0]}} has its own \\tag; labels only work on numbered equations`);
    if (!optedOut && !ownTag) {
      count += 1;
      value = `${value.trimEnd()}\n\\tag{${count}}`;
    }
    setMathValue(node, value.trim());

    const label = labels[0];
    if (label === undefined) return;
    if (numbers.has(label)) throw new Error(`${file}: \\label{${label}} is used by two equations`);
    numbers.set(label, count);
    // Wrap the formula so the link target survives rehype-katex, which replaces the formula's own element.
    parent.children![index] = {
      type: 'equation',
      data: { hName: 'div', hProperties: { id: anchorId(label), className: ['equation'] } },
      children: [node],
    };
  });

  return numbers;
}

/** `eq:softmax-row` -> `eq-softmax-row`: ids stay valid in CSS selectors and URLs. */
export function anchorId(label: string): string {
  return label.replace(/[^A-Za-z0-9_-]+/g, '-');
}

function setMathValue(node: MarkdownNode, value: string): void {
  node.value = value;
  // remark-math copies the source into the hast it will produce; keep that copy in step.
  const hChildren = node.data?.hChildren;
  if (Array.isArray(hChildren) && hChildren[0] && typeof hChildren[0] === 'object' && 'children' in hChildren[0]) {
    (hChildren[0] as { children: unknown[] }).children = [{ type: 'text', value }];
  }
}

export function walk(node: MarkdownNode, visit: (node: MarkdownNode, parent: MarkdownNode, index: number) => void): void {
  const children = node.children;
  if (!children) return;
  for (let index = 0; index < children.length; index++) {
    const child = children[index];
    visit(child, node, index);
    // The visitor may have wrapped the child; descend into what is there now, but not into a fresh wrapper's formula twice.
    const current = children[index];
    if (current === child) walk(child, visit);
  }
}
