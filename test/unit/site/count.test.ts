/**
 * `<Count>` adds up counts a snapshot records, so prose never types a total; and the chapters type none of the
 * counts their runs record (a clip or parameter count typed by hand goes stale when the run changes).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countPropsSchema, renderCount } from '../../../src/components/count.ts';
import { parseSnapshot } from '../../../src/lib/harness/snapshot.ts';
import { parseProps } from '../../../src/site/props.ts';
import { toySnapshot } from '../../support/snapshots.ts';
import { projectRoot } from './fixture.ts';

const file = 'snapshots/toy/smoke.json';
const clips = ['metrics.train-clips', 'metrics.validation-clips', 'metrics.test-clips'];
const render = (metrics: Record<string, number>, props: Record<string, unknown> = {}) =>
  renderCount(toySnapshot({ metrics }), file, parseProps('Count', countPropsSchema, { experiment: 'toy', of: clips, ...props }));

describe('Count', () => {
  it('adds up the counts it names, with thousands separators and an optional noun', () => {
    const split = { 'train-clips': 1100, 'validation-clips': 29, 'test-clips': 29 };
    expect(render(split)).toMatchObject({ text: '1,158', value: 1158, source: `${file} → ${clips.join(' + ')}` });
    expect(render(split, { noun: 'clip' }).text).toBe('1,158\u00a0clips');
  });

  it('refuses a part that is not a count, or is missing, naming the file and the key', () => {
    expect(() => render({ 'train-clips': 1.5, 'validation-clips': 1, 'test-clips': 1 })).toThrow(`${file}: "metrics.train-clips" is 1.5, not a count`);
    expect(() => render({ 'train-clips': 1 })).toThrow(`${file}: no key "metrics.validation-clips"`);
    expect(() => parseProps('Count', countPropsSchema, { experiment: 'toy', of: [] })).toThrow(/<Count> .*prop "of"/);
  });
});

/** The runs a chapter quotes: its `export const x = { experiment: '…', profile: '…' }` lines. */
function quotedRuns(mdx: string): string[] {
  return [...mdx.matchAll(/experiment: '([a-z0-9-]+)',?\s*(?:\/\/[^\n]*\n\s*)?profile: '([a-z0-9-]+)'/g)].map((match) => `${match[1]}/${match[2]}`);
}

/** The chapter's own words: no front matter, imports, exports, JSX tags, math, code or comments. */
function prose(mdx: string): string {
  return mdx
    .replace(/^---[\s\S]*?---/, '')
    .replace(/^(import|export) [\s\S]*?;$/gm, '')
    .replace(/\{\/\*[\s\S]*?\*\/\}/g, '')
    .replace(/<svg[\s\S]*?<\/svg>/g, '')
    .replace(/<[A-Za-z][^<>]*?\/?>|<\/[A-Za-z]+>/g, ' ')
    .replace(/<[A-Z][\s\S]*?\/>/g, ' ')
    .replace(/\$\$[\s\S]*?\$\$|\$[^$]*\$/g, ' ')
    .replace(/`[^`]*`/g, ' ');
}

describe('the chapters', () => {
  it('type none of the counts their runs record (from 100 up: clips, images, parameters)', () => {
    const found: string[] = [];
    for (const name of readdirSync(join(projectRoot, 'content')).filter((entry) => entry.endsWith('.mdx'))) {
      const mdx = readFileSync(join(projectRoot, 'content', name), 'utf8');
      const words = prose(mdx);
      for (const run of quotedRuns(mdx)) {
        const path = `snapshots/${run}.json`;
        const { metrics } = parseSnapshot(readFileSync(join(projectRoot, path), 'utf8'), path);
        for (const [key, value] of Object.entries(metrics)) {
          if (typeof value !== 'number' || !Number.isInteger(value) || value < 100) continue;
          const typed = new RegExp(`(?<![\\w.,])(${value}|${value.toLocaleString('en-US')})(?![\\w,]\\d|\\.\\d)`);
          if (typed.test(words)) found.push(`content/${name}: ${value} typed by hand (${path} → metrics.${key})`);
        }
      }
    }
    expect(found).toEqual([]);
  });
});
