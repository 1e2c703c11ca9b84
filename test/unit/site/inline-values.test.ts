/**
 * A value component alone on its line opens a block of its own in MDX, so a sentence written around it breaks into
 * three paragraphs on the page ("… its listening gap is", the interval, "(attention) and …"). The chapters keep
 * each inline value on a line with text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from './fixture.ts';

const inlineValue = /^<(Interval|Exponent|Metric|Count|RunFact|Scaling)\b[^>]*\/>\s*$/;

/** `file:line` of each inline value alone on its line with prose on the next: a sentence the page would split. */
function splitSentences(file: string, text: string): string[] {
  const lines = text.split('\n');
  return lines.flatMap((line, i) => (inlineValue.test(line) && /^[^\s<{]/.test(lines[i + 1] ?? '') ? [`${file}:${i + 1}`] : []));
}

describe('inline values in the chapters', () => {
  it('finds a value alone on its line inside a sentence, and not one that shares its line with text', () => {
    expect(splitSentences('a.mdx', 'the gap is\n<Interval path="x" />\n(attention) and')).toEqual(['a.mdx:2']);
    expect(splitSentences('a.mdx', 'the gap is\n<Interval path="x" /> (attention) and')).toEqual([]);
    expect(splitSentences('a.mdx', '<Metric path="x" />\n\nA new paragraph.')).toEqual([]);
  });

  it('no chapter splits a sentence around a value', () => {
    const folder = join(projectRoot, 'content');
    const files = readdirSync(folder).filter((name) => name.endsWith('.mdx'));
    expect(files.length).toBeGreaterThan(0);
    expect(files.flatMap((name) => splitSentences(`content/${name}`, readFileSync(join(folder, name), 'utf8')))).toEqual([]);
  });
});
