/**
 * Numbered equations, figures and tables with cross-references, as one remark plugin (after remark-math, before
 * rehype-katex). Numbers restart in each chapter and follow the order of the MDX file.
 *
 * - Equations: see equations.ts (`\label{eq:name}` inside `$$ … $$`).
 * - Figures and tables: every element of a numbered component (`floatKinds`: `<VegaChart>`, `<Figure>` are
 *   figures; `<SnapshotTable>`, `<Checks>`, `<Table>` are tables) gets the next number of its kind as a `number`
 *   attribute, which the component prints before its caption. `label="fig:name"` / `label="tab:name"` makes it a
 *   link target (`#fig-name`).
 * - References are inline math that is exactly one command, as in LaTeX with cleveref: `$\eqref{eq:x}$` reads
 *   `(3)`, `$\ref{fig:y}$` reads `2`, `$\cref{tab:z}$` reads `table 1` and `$\Cref{fig:y}$` `Figure 2`; each is
 *   a link to its target. The same commands in a component's `caption` attribute become plain text (a caption
 *   is typeset as a whole and cannot hold a link).
 *
 * A reference to a label that does not exist, a duplicate label or a label of the wrong kind fails the build,
 * naming the file and the label.
 */
import { anchorId, numberEquations, walk } from './equations.ts';
import type { MarkdownNode } from './equations.ts';

export type FloatKind = 'figure' | 'table';
export type TargetKind = 'equation' | FloatKind;

export interface Target {
  kind: TargetKind;
  number: number;
  /** The element id a link points at. */
  id: string;
}

/** The components that are numbered, by kind. A new figure-like component joins by being added here. */
const floatKinds: Readonly<Record<string, FloatKind>> = {
  VegaChart: 'figure',
  Figure: 'figure',
  SnapshotTable: 'table',
  Checks: 'table',
  Table: 'table',
};

/** Labels of figures and tables start with these, so a label says what it names. */
export const labelPrefixes: Readonly<Record<FloatKind, string>> = { figure: 'fig:', table: 'tab:' };

const kindNames: Readonly<Record<TargetKind, string>> = { equation: 'equation', figure: 'figure', table: 'table' };

const referencePattern = /^\s*\\(eqref|ref|cref|Cref)\{([^{}]+)\}\s*$/;
const captionReferencePattern = /\$\s*\\(eqref|ref|cref|Cref)\{([^{}]+)\}\s*\$/g;

interface FileLike {
  path?: string;
  history?: string[];
}

/** An MDX JSX element as remark-mdx builds it. */
interface JsxNode extends MarkdownNode {
  name?: string | null;
  attributes?: JsxAttribute[];
}

interface JsxAttribute {
  type: string;
  name?: string;
  value?: unknown;
}

export function remarkCrossReferences(): (tree: unknown, file: FileLike) => void {
  // `unknown`: remark passes its own mdast Root, of which this plugin reads only the fields in MarkdownNode.
  // unified takes a returned value as a replacement tree, so return nothing.
  return (tree, file) => {
    crossReference(tree as MarkdownNode, fileName(file));
  };
}

/** The whole transform, exported for tests. Returns every target by label. */
export function crossReference(tree: MarkdownNode, file = 'the document'): Map<string, Target> {
  const targets = new Map<string, Target>();
  for (const [label, number] of numberEquations(tree, file)) targets.set(label, { kind: 'equation', number, id: anchorId(label) });
  for (const [label, target] of numberFloats(tree, file)) {
    if (targets.has(label)) throw new Error(`${file}: label "${label}" is used twice`);
    targets.set(label, target);
  }
  resolveReferences(tree, targets, file);
  return targets;
}

/** Numbers figures and tables in document order, writing `number` onto each element. Returns the labelled ones. */
export function numberFloats(tree: MarkdownNode, file = 'the document'): Map<string, Target> {
  const counts: Record<FloatKind, number> = { figure: 0, table: 0 };
  const targets = new Map<string, Target>();
  walk(tree, (node) => {
    const element = node as JsxNode;
    if (!isJsxElement(element) || !element.name || !Object.hasOwn(floatKinds, element.name)) return;
    const kind = floatKinds[element.name];
    element.attributes ??= [];
    const attributes = element.attributes;
    const where = `${file}: <${element.name}>`;
    if (attributes.some((attribute) => attribute.type === 'mdxJsxAttribute' && attribute.name === 'number')) {
      throw new Error(`${where} sets "number"; numbers are assigned in document order, give it a label instead`);
    }
    counts[kind] += 1;
    const number = counts[kind];
    attributes.push({ type: 'mdxJsxAttribute', name: 'number', value: String(number) });

    const labelAttribute = attributes.find((attribute) => attribute.type === 'mdxJsxAttribute' && attribute.name === 'label');
    if (!labelAttribute) return;
    const label = labelAttribute.value;
    if (typeof label !== 'string') throw new Error(`${where}: label must be a plain string such as label="${labelPrefixes[kind]}name"`);
    if (!label.startsWith(labelPrefixes[kind]) || label.length === labelPrefixes[kind].length) {
      throw new Error(`${where} label="${label}": a ${kind} label starts with "${labelPrefixes[kind]}", e.g. "${labelPrefixes[kind]}cost"`);
    }
    if (targets.has(label)) throw new Error(`${file}: label "${label}" is used by two ${kind}s`);
    targets.set(label, { kind, number, id: anchorId(label) });
  });
  return targets;
}

/** How a reference reads. */
export function referenceText(command: string, target: Target, label: string, file: string): string {
  switch (command) {
    case 'eqref':
      if (target.kind !== 'equation') throw new Error(`${file}: \\eqref{${label}} names a ${target.kind}; use \\ref or \\cref`);
      return `(${target.number})`;
    case 'ref':
      return String(target.number);
    case 'cref':
    case 'Cref': {
      const name = command === 'Cref' ? capitalize(kindNames[target.kind]) : kindNames[target.kind];
      return target.kind === 'equation' ? `${name} (${target.number})` : `${name} ${target.number}`;
    }
    default:
      throw new Error(`${file}: unknown reference command \\${command}`);
  }
}

function resolveReferences(tree: MarkdownNode, targets: Map<string, Target>, file = 'the document'): void {
  const find = (command: string, rawLabel: string): { target: Target; label: string } => {
    const label = rawLabel.trim();
    const target = targets.get(label);
    if (!target) {
      const known = [...targets.keys()];
      throw new Error(`${file}: \\${command}{${label}} refers to no label (labels: ${known.length > 0 ? known.join(', ') : 'none'})`);
    }
    return { target, label };
  };

  walk(tree, (node, parent, index) => {
    if (node.type === 'inlineMath' && node.value !== undefined) {
      const match = referencePattern.exec(node.value);
      if (!match) return;
      const [, command, rawLabel] = match;
      const { target, label } = find(command, rawLabel);
      const className = target.kind === 'equation' ? ['cross-ref', 'equation-ref'] : ['cross-ref'];
      parent.children![index] = {
        type: 'link',
        url: `#${target.id}`,
        data: { hProperties: { className } },
        children: [{ type: 'text', value: referenceText(command, target, label, file) }],
      };
      return;
    }
    const element = node as JsxNode;
    if (!isJsxElement(element)) return;
    for (const attribute of element.attributes ?? []) {
      if (attribute.type !== 'mdxJsxAttribute' || attribute.name !== 'caption' || typeof attribute.value !== 'string') continue;
      attribute.value = attribute.value.replace(captionReferencePattern, (_whole, command: string, rawLabel: string) => {
        const { target, label } = find(command, rawLabel);
        return referenceText(command, target, label, file);
      });
    }
  });
}

function isJsxElement(node: MarkdownNode): boolean {
  return node.type === 'mdxJsxFlowElement' || node.type === 'mdxJsxTextElement';
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function fileName(file: FileLike): string {
  return file.path ?? file.history?.at(-1) ?? 'the document';
}
