/** A table of contents from a chapter's headings: its sections (h2) with their subsections (h3). */

export interface Heading {
  depth: number;
  slug: string;
  text: string;
}

export interface TocEntry {
  slug: string;
  text: string;
  children: TocEntry[];
}

/** h2s become entries and the h3s after each their children; anything deeper, or an h3 before any h2, is left out. */
export function tableOfContents(headings: readonly Heading[]): TocEntry[] {
  const entries: TocEntry[] = [];
  for (const heading of headings) {
    if (heading.depth === 2) entries.push({ slug: heading.slug, text: heading.text, children: [] });
    else if (heading.depth === 3 && entries.length > 0) entries.at(-1)!.children.push({ slug: heading.slug, text: heading.text, children: [] });
  }
  return entries;
}
