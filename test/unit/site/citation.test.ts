import { describe, expect, it } from 'vitest';
import { bibtex, citationTags, dateInWords, references } from '../../../src/site/citation.ts';

describe('citation', () => {
  it('writes dates as a person does', () => {
    expect(dateInWords('2026-11-30')).toBe('30 November 2026');
    expect(() => dateInWords('30/11/2026')).toThrow(/not a date/);
  });

  it('gives BibTeX with author, date, URL and the commit', () => {
    const entry = bibtex({ day: '2026-11-30', commit: 'abc123', url: 'https://example.org/hw2/' });
    for (const field of ['author       = {', 'year         = {2026}', 'month        = {11}', 'url          = {https://example.org/hw2/}', 'commit abc123']) {
      expect(entry).toContain(field);
    }
    expect(bibtex({ day: '2026-11-30', commit: 'abc', url: undefined })).not.toContain('url');
  });

  it('tags every page for citation managers', () => {
    const names = citationTags({ pageTitle: 'Q1', day: '2026-11-30', url: 'https://example.org/q1/' }).map((tag) => tag.name);
    expect(names).toEqual(expect.arrayContaining(['citation_title', 'citation_author', 'citation_publication_date', 'citation_public_url']));
  });

  it('lists the works the report rests on, each published one with a link', () => {
    const ids = references.map((reference) => reference.id);
    for (const id of ['homework', 'original', 'ljspeech', 'fashion-mnist', 'medmnist', 'espeak-ng', 'textdistance', 'pytorch', 'tensorflow-js'])
      expect(ids).toContain(id);
    for (const reference of references.filter((candidate) => candidate.id !== 'homework')) expect(reference.url).toMatch(/^(https:\/\/|#)/);
  });
});
