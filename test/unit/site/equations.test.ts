import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { crossReference } from '../../../src/site/plugins/cross-references.ts';
import { anchorId, numberEquations } from '../../../src/site/plugins/equations.ts';
import type { MarkdownNode } from '../../../src/site/plugins/equations.ts';

/** A display-math node as remark-math builds it, hast copy included. */
function display(value: string): MarkdownNode {
  return {
    type: 'math',
    value,
    data: { hName: 'pre', hChildren: [{ type: 'element', tagName: 'code', properties: {}, children: [{ type: 'text', value }] }] },
  };
}
const inline = (value: string): MarkdownNode => ({ type: 'inlineMath', value });
const paragraph = (...children: MarkdownNode[]): MarkdownNode => ({ type: 'paragraph', children });

describe('numberEquations', () => {
  it('numbers display equations in order, links labels, and leaves references to cross-references.ts', () => {
    const tree: MarkdownNode = {
      type: 'root',
      children: [
        display('a = b \\label{eq:first}'),
        paragraph({ type: 'text', value: 'see ' }, inline('\\eqref{eq:second}'), inline('x^2')),
        display('c = d \\notag'),
        display('e = f\n\\label{eq:second}'),
      ],
    };
    const numbers = numberEquations(tree, 'content/test.mdx');
    expect([...numbers]).toEqual([
      ['eq:first', 1],
      ['eq:second', 2],
    ]);
    const [first, text, unnumbered, second] = tree.children!;
    expect(first).toMatchObject({ type: 'equation', data: { hProperties: { id: 'eq-first' } } });
    expect(first.children![0].value).toBe('a = b\n\\tag{1}');
    // The hast copy that rehype-katex renders is kept in step with the value.
    expect(JSON.stringify(first.children![0].data)).toContain('a = b\\n\\\\tag{1}');
    expect(unnumbered).toMatchObject({ type: 'math', value: 'c = d' });
    expect(second.children![0].value).toBe('e = f\n\\tag{2}');
    expect(text.children![1]).toEqual(inline('\\eqref{eq:second}'));
  });

  it('produces TeX that KaTeX renders with the number', () => {
    const tree: MarkdownNode = { type: 'root', children: [display('x = 1 \\label{eq:x}')] };
    numberEquations(tree);
    const html = katex.renderToString(tree.children![0].children![0].value!, { displayMode: true, throwOnError: true });
    expect(html).toContain('tag');
    expect(html).toContain('(1)');
  });

  it('fails on an unknown reference, naming the file and the label', () => {
    const tree: MarkdownNode = { type: 'root', children: [display('a \\label{eq:a}'), paragraph(inline('\\eqref{eq:b}'))] };
    expect(() => crossReference(tree, 'content/q1.mdx')).toThrow('content/q1.mdx: \\eqref{eq:b} refers to no label (labels: eq:a)');
  });

  it('fails on duplicate labels and on labels of unnumbered equations', () => {
    expect(() => numberEquations({ type: 'root', children: [display('a \\label{eq:a}'), display('b \\label{eq:a}')] }, 'f.mdx')).toThrow(
      'f.mdx: \\label{eq:a} is used by two equations',
    );
    expect(() => numberEquations({ type: 'root', children: [display('a \\label{eq:a} \\notag')] })).toThrow('says \\notag');
    expect(() => numberEquations({ type: 'root', children: [display('a \\label{eq:a} \\tag{A}')] })).toThrow('has its own \\tag');
  });

  it('makes ids that are safe in URLs', () => {
    expect(anchorId('eq:softmax row')).toBe('eq-softmax-row');
  });
});
