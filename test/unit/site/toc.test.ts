import { describe, expect, it } from 'vitest';
import { tableOfContents } from '../../../src/components/table-of-contents.ts';

describe('tableOfContents', () => {
  it('nests h3s under the h2 before them and leaves out the rest', () => {
    const toc = tableOfContents([
      { depth: 3, slug: 'orphan', text: 'Orphan' },
      { depth: 2, slug: 'one', text: 'One' },
      { depth: 3, slug: 'one-a', text: 'One A' },
      { depth: 4, slug: 'deep', text: 'Deep' },
      { depth: 2, slug: 'two', text: 'Two' },
    ]);
    expect(toc).toEqual([
      { slug: 'one', text: 'One', children: [{ slug: 'one-a', text: 'One A', children: [] }] },
      { slug: 'two', text: 'Two', children: [] },
    ]);
  });
});
