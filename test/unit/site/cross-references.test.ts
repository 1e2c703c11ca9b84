/** Figure and table numbering and cross-references, on mdast trees as remark-mdx and remark-math build them. */
import { describe, expect, it } from 'vitest';
import { crossReference, numberFloats, referenceText } from '../../../src/site/plugins/cross-references.ts';
import type { MarkdownNode } from '../../../src/site/plugins/equations.ts';
import { floatNumbering, floatPropsSchema } from '../../../src/site/floats.ts';
import { parseProps } from '../../../src/site/props.ts';

type Attributes = Record<string, string | { expression: string }>;

function jsx(name: string, attributes: Attributes = {}): MarkdownNode {
  return {
    type: 'mdxJsxFlowElement',
    name,
    attributes: Object.entries(attributes).map(([key, value]) =>
      typeof value === 'string'
        ? { type: 'mdxJsxAttribute', name: key, value }
        : { type: 'mdxJsxAttribute', name: key, value: { type: 'mdxJsxAttributeValueExpression', value: value.expression } },
    ),
    children: [],
  } as MarkdownNode;
}
const display = (value: string): MarkdownNode => ({ type: 'math', value, data: {} });
const inline = (value: string): MarkdownNode => ({ type: 'inlineMath', value });
const paragraph = (...children: MarkdownNode[]): MarkdownNode => ({ type: 'paragraph', children });
const attribute = (node: MarkdownNode, name: string) =>
  (node as unknown as { attributes: { name: string; value: unknown }[] }).attributes.find((item) => item.name === name)?.value;

describe('numberFloats', () => {
  it('numbers figures and tables separately, in document order, labelled or not', () => {
    const tree: MarkdownNode = {
      type: 'root',
      children: [
        jsx('VegaChart', { label: 'fig:cost' }),
        jsx('SnapshotTable'),
        jsx('Metric'),
        jsx('Figure', { label: 'fig:diagram' }),
        jsx('Checks', { label: 'tab:checks' }),
        jsx('Table'),
      ],
    };
    const targets = numberFloats(tree, 'content/q9.mdx');
    expect([...targets]).toEqual([
      ['fig:cost', { kind: 'figure', number: 1, id: 'fig-cost' }],
      ['fig:diagram', { kind: 'figure', number: 2, id: 'fig-diagram' }],
      ['tab:checks', { kind: 'table', number: 2, id: 'tab-checks' }],
    ]);
    expect(tree.children!.map((node) => attribute(node, 'number'))).toEqual(['1', '1', undefined, '2', '2', '3']);
  });

  it('fails on a label of the wrong kind, a duplicate, an expression label or a hand-set number', () => {
    const run =
      (...children: MarkdownNode[]) =>
      () =>
        numberFloats({ type: 'root', children }, 'content/q9.mdx');
    expect(run(jsx('VegaChart', { label: 'tab:cost' }))).toThrow(
      'content/q9.mdx: <VegaChart> label="tab:cost": a figure label starts with "fig:", e.g. "fig:cost"',
    );
    expect(run(jsx('SnapshotTable', { label: 'fig:x' }))).toThrow('a table label starts with "tab:"');
    expect(run(jsx('Figure', { label: 'fig:a' }), jsx('VegaChart', { label: 'fig:a' }))).toThrow('content/q9.mdx: label "fig:a" is used by two figures');
    expect(run(jsx('Figure', { label: { expression: 'name' } }))).toThrow('label must be a plain string');
    expect(run(jsx('Table', { number: '4' }))).toThrow('<Table> sets "number"; numbers are assigned in document order');
  });
});

describe('crossReference', () => {
  it('turns \\ref, \\cref, \\Cref and \\eqref into links that read like LaTeX with cleveref', () => {
    const tree: MarkdownNode = {
      type: 'root',
      children: [
        paragraph(
          inline('\\Cref{fig:cost}'),
          inline('\\cref{tab:flops}'),
          inline('\\ref{fig:cost}'),
          inline('\\eqref{eq:a}'),
          inline('\\cref{eq:a}'),
          inline('x^2'),
        ),
        display('a = b \\label{eq:a}'),
        jsx('VegaChart', { label: 'fig:cost' }),
        jsx('SnapshotTable', { label: 'tab:flops' }),
      ],
    };
    const targets = crossReference(tree, 'content/q9.mdx');
    expect([...targets.keys()]).toEqual(['eq:a', 'fig:cost', 'tab:flops']);
    const links = tree.children![0].children!;
    expect(links.slice(0, 5).map((link) => [link.url, link.children![0].value])).toEqual([
      ['#fig-cost', 'Figure 1'],
      ['#tab-flops', 'table 1'],
      ['#fig-cost', '1'],
      ['#eq-a', '(1)'],
      ['#eq-a', 'equation (1)'],
    ]);
    expect(links[0].data).toEqual({ hProperties: { className: ['cross-ref'] } });
    expect(links[3].data).toEqual({ hProperties: { className: ['cross-ref', 'equation-ref'] } });
    expect(links[5]).toEqual(inline('x^2'));
  });

  it('resolves references in captions to plain text, before or after the target', () => {
    const chart = jsx('VegaChart', { caption: 'As $\\Cref{tab:flops}$ counts, and as in $\\eqref{eq:a}$ for $L$.' });
    const tree: MarkdownNode = { type: 'root', children: [chart, display('a \\label{eq:a}'), jsx('SnapshotTable', { label: 'tab:flops' })] };
    crossReference(tree, 'content/q9.mdx');
    expect(attribute(chart, 'caption')).toBe('As Table 1 counts, and as in (1) for $L$.');
  });

  it('fails on an unknown label, naming the file and the labels there are', () => {
    const tree: MarkdownNode = { type: 'root', children: [jsx('Figure', { label: 'fig:a' }), paragraph(inline('\\cref{fig:b}'))] };
    expect(() => crossReference(tree, 'content/q9.mdx')).toThrow('content/q9.mdx: \\cref{fig:b} refers to no label (labels: fig:a)');
    const captioned: MarkdownNode = { type: 'root', children: [jsx('Figure', { caption: 'see $\\ref{tab:x}$' })] };
    expect(() => crossReference(captioned, 'content/q9.mdx')).toThrow('\\ref{tab:x} refers to no label (labels: none)');
  });

  it('refuses \\eqref for a figure, and a label shared by an equation and a figure', () => {
    expect(() => referenceText('eqref', { kind: 'figure', number: 1, id: 'fig-a' }, 'fig:a', 'f.mdx')).toThrow(
      'f.mdx: \\eqref{fig:a} names a figure; use \\ref or \\cref',
    );
    const tree: MarkdownNode = { type: 'root', children: [display('a \\label{fig:a}'), jsx('Figure', { label: 'fig:a' })] };
    expect(() => crossReference(tree, 'f.mdx')).toThrow('f.mdx: label "fig:a" is used twice');
  });
});

describe('float props', () => {
  it('prints the number before the caption and makes the id from the label', () => {
    expect(floatNumbering('figure', { label: 'fig:cost', number: '2' })).toEqual({ heading: 'Figure 2.', id: 'fig-cost' });
    expect(floatNumbering('table', {})).toEqual({ heading: undefined, id: undefined });
  });

  it('rejects a label of the wrong kind with the prop and the value', () => {
    expect(() => parseProps('SnapshotTable', floatPropsSchema('table').strict(), { label: 'fig:x' })).toThrow(
      'prop "label": must be a table label such as "tab:cost" (letters, digits, _ . -) (got "fig:x")',
    );
    expect(() => parseProps('Figure', floatPropsSchema('figure').strict(), { number: 'two' })).toThrow(
      'prop "number": is assigned by the cross-reference plugin',
    );
  });
});
