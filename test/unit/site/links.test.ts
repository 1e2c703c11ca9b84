/** Base-aware internal links, for a site mounted at the root or below a path (GitHub Pages project sites). */
import { describe, expect, it } from 'vitest';
import { basePrefix, withBase } from '../../../src/site/links.ts';
import { rehypeBaseLinks } from '../../../src/site/plugins/base-links.ts';

describe('withBase', () => {
  it('prefixes site-absolute paths with the base, once', () => {
    expect(withBase('/provenance/#x', '/hw2-report/')).toBe('/hw2-report/provenance/#x');
    expect(withBase('/', '/hw2-report/')).toBe('/hw2-report/');
    expect(withBase('/hw2-report/q1/', '/hw2-report/')).toBe('/hw2-report/q1/');
    expect(withBase('/hw2-reports/', '/hw2-report/')).toBe('/hw2-report/hw2-reports/');
  });

  it('leaves paths alone at the root, and never touches relative, fragment or other-site links', () => {
    expect(withBase('/q1/', '/')).toBe('/q1/');
    expect(withBase('#eq-1', '/hw2-report/')).toBe('#eq-1');
    expect(withBase('q1/', '/hw2-report/')).toBe('q1/');
    expect(withBase('//cdn.example/x.js', '/hw2-report/')).toBe('//cdn.example/x.js');
    expect(withBase('https://example.org/', '/hw2-report/')).toBe('https://example.org/');
    expect(basePrefix('/')).toBe('');
  });
});

describe('rehypeBaseLinks', () => {
  it('rewrites links written in the prose, and nothing else', () => {
    const tree = {
      type: 'root',
      children: [
        {
          type: 'element',
          tagName: 'a',
          properties: { href: '/q2/#tab-accuracy' },
          children: [{ type: 'element', tagName: 'img', properties: { src: '/figures/a.svg' }, children: [] }],
        },
        { type: 'element', tagName: 'a', properties: { href: '#eq-1' }, children: [] },
        { type: 'element', tagName: 'div', properties: { href: '/not-a-link' }, children: [] },
      ],
    };
    rehypeBaseLinks({ base: '/hw2-report/' })(tree);
    const [first, second, third] = tree.children;
    expect(first.properties.href).toBe('/hw2-report/q2/#tab-accuracy');
    expect(first.children[0].properties.src).toBe('/hw2-report/figures/a.svg');
    expect(second.properties.href).toBe('#eq-1');
    expect(third.properties.href).toBe('/not-a-link');
  });
});
