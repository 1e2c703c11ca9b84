/**
 * Provenance without noise: a page says once, near its title, which runs it quotes and whether each is fresh,
 * attested or stale (src/site/freshness.ts); a figure or table says it again only where its run's state differs
 * from the page's, and a number only when its run is stale (an exception worth marking where it appears). The
 * marks beside numbers and in captions are hidden from screen readers, which hear the page's line once.
 *
 * The components that quote a snapshot note its run here while the page renders (`noteQuotedRun`, keyed by the
 * page's `Astro.locals`, one object per rendered page); `<PageFreshness>` renders the page body first, then reads
 * what it quoted and writes the line above it.
 */
import type { FreshnessState } from './freshness.ts';
import type { LoadedSnapshot } from './snapshots.ts';

const runsByPage = new WeakMap<object, Map<string, LoadedSnapshot>>();

/** Records that the page being rendered (`locals`: its `Astro.locals`) quotes the run behind `loaded`. */
export function noteQuotedRun(locals: object, loaded: LoadedSnapshot): void {
  const runs = runsByPage.get(locals) ?? new Map<string, LoadedSnapshot>();
  if (!runs.has(loaded.id)) runs.set(loaded.id, loaded);
  runsByPage.set(locals, runs);
}

/** The runs the page has quoted so far, in the order it first quoted them. */
export function quotedRuns(locals: object): LoadedSnapshot[] {
  return [...(runsByPage.get(locals)?.values() ?? [])];
}

const severity: Record<FreshnessState, number> = { fresh: 0, attested: 1, stale: 2 };

/** The page's state: the one most of its runs share; on a tie, the worse, so a stale run is never outvoted. */
export function pageState(states: readonly FreshnessState[]): FreshnessState | undefined {
  const counts = new Map<FreshnessState, number>();
  for (const state of states) counts.set(state, (counts.get(state) ?? 0) + 1);
  return [...counts].sort(([a, countA], [b, countB]) => countB - countA || severity[b] - severity[a])[0]?.[0];
}

/** What each state means, one sentence each, for the page's line (no colon: it follows the list of runs). */
export const stateMeanings: Record<FreshnessState, string> = {
  fresh: 'A fresh run’s source files are all unchanged since it ran.',
  attested: 'An attested run’s source files have changed since, and a rerun of its experiment under today’s code reproduced its committed results exactly.',
  stale: 'A stale run’s source files have changed since and no rerun has vouched for its numbers, so each of them is marked “stale” where it appears.',
};

export interface PageFreshness {
  state: FreshnessState | undefined;
  runs: { id: string; state: FreshnessState }[];
  /** The meanings of the states present, in the order fresh, attested, stale. */
  meanings: string[];
}

export function pageFreshness(runs: readonly { id: string; freshness: { state: FreshnessState } }[]): PageFreshness {
  const states = runs.map((run) => run.freshness.state);
  const present = (Object.keys(severity) as FreshnessState[]).filter((state) => states.includes(state));
  return {
    state: pageState(states),
    runs: runs.map((run) => ({ id: run.id, state: run.freshness.state })),
    meanings: present.map((state) => stateMeanings[state]),
  };
}

/**
 * The attribute that marks a figure's or table's freshness in its caption. A caption's mark is rendered for
 * every float, then removed where its state is the page's (`keepDifferingMarks`), except a stale one: a stale
 * figure stays marked.
 */
export const floatMarkAttribute = 'data-float-freshness';

/** `html` (a rendered page body) without the caption marks that repeat the page's state; stale marks stay. */
export function keepDifferingMarks(html: string, state: FreshnessState | undefined): string {
  const mark = new RegExp(`<span [^>]*${floatMarkAttribute}="(fresh|attested|stale)"[^>]*>[^<]*</span>`, 'g');
  return html.replace(mark, (whole, markState: FreshnessState) => (markState === state && markState !== 'stale' ? '' : whole));
}
