/**
 * Provenance without noise (src/site/page-freshness.ts): the runs a page quotes, noted once each per page; the page's
 * state (the one most of its runs share, the worse on a tie); the caption marks kept only where they differ from it,
 * and a stale one always.
 */
import { describe, expect, it } from 'vitest';
import type { FreshnessState } from '../../../src/site/freshness.ts';
import { keepDifferingMarks, noteQuotedRun, pageFreshness, pageState, quotedRuns, stateMeanings } from '../../../src/site/page-freshness.ts';
import type { LoadedSnapshot } from '../../../src/site/snapshots.ts';

const run = (id: string, state: FreshnessState) => ({ id, freshness: { state } }) as LoadedSnapshot;
const mark = (state: FreshnessState) =>
  `<span class="freshness-mark" aria-hidden="true" data-freshness-mark="x/y" data-float-freshness="${state}">${state}</span>`;

describe('the page freshness', () => {
  it('notes each run once per page, in the order first quoted, and keeps pages apart', () => {
    const page = {};
    const other = {};
    noteQuotedRun(page, run('q2-cnn/full', 'stale'));
    noteQuotedRun(page, run('q1-linear-attention/full', 'fresh'));
    noteQuotedRun(page, run('q2-cnn/full', 'stale'));
    noteQuotedRun(other, run('q3-asr/listening', 'attested'));
    expect(quotedRuns(page).map((loaded) => loaded.id)).toEqual(['q2-cnn/full', 'q1-linear-attention/full']);
    expect(quotedRuns(other).map((loaded) => loaded.id)).toEqual(['q3-asr/listening']);
    expect(quotedRuns({})).toEqual([]);
  });

  it('takes the state most runs share, and the worse on a tie', () => {
    expect(pageState(['fresh', 'fresh', 'stale'])).toBe('fresh');
    expect(pageState(['fresh', 'stale'])).toBe('stale');
    expect(pageState(['attested', 'fresh'])).toBe('attested');
    expect(pageState([])).toBeUndefined();
  });

  it('explains the states present, once each, in a fixed order', () => {
    const summary = pageFreshness([run('a/b', 'stale'), run('c/d', 'fresh'), run('e/f', 'stale')]);
    expect(summary).toEqual({
      state: 'stale',
      runs: [
        { id: 'a/b', state: 'stale' },
        { id: 'c/d', state: 'fresh' },
        { id: 'e/f', state: 'stale' },
      ],
      meanings: [stateMeanings.fresh, stateMeanings.stale],
    });
    // The line follows a list of runs after a colon: its sentences carry none of their own.
    for (const meaning of Object.values(stateMeanings)) expect(meaning).not.toContain(':');
  });

  it('drops the caption marks that repeat the page state, keeps those that differ and every stale one', () => {
    const body = `<p>a ${mark('fresh')}</p><p>b ${mark('attested')}</p><p>c ${mark('stale')}</p>`;
    expect(keepDifferingMarks(body, 'fresh')).toBe(`<p>a </p><p>b ${mark('attested')}</p><p>c ${mark('stale')}</p>`);
    expect(keepDifferingMarks(body, 'stale')).toBe(body);
    expect(keepDifferingMarks(body, 'attested')).toBe(`<p>a ${mark('fresh')}</p><p>b </p><p>c ${mark('stale')}</p>`);
    // A number's mark (no float attribute) is never touched here.
    const number = '<span class="freshness-mark" aria-hidden="true" data-freshness-mark="x/y">stale</span>';
    expect(keepDifferingMarks(number, 'stale')).toBe(number);
  });
});
