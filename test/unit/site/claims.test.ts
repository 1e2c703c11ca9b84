/**
 * The claims of the original and their computed verdicts: every quote is the original's own words, every rule judges
 * as its header says on toy snapshots, every claim judges on the committed snapshots, and no front-page headline
 * asserts more than its claim's verdict allows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '../../../src/lib/harness/snapshot.ts';
import type { Snapshot } from '../../../src/lib/snapshot-schema.ts';
import { claims } from '../../../src/site/claims.ts';
import { allowedAssertions, headlineFor, keyResults } from '../../../src/site/key-results.ts';
import type { Rule, RunRef, SnapshotReader } from '../../../src/site/verdicts.ts';
import { evidenceText, judge, verdicts } from '../../../src/site/verdicts.ts';
import { toySnapshot } from '../../support/snapshots.ts';
import { projectRoot } from './fixture.ts';

const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();
const original = normalise(readFileSync(join(projectRoot, 'test/fixtures/original/ORIGINAL.md'), 'utf8'));

/** The committed snapshot of a run, as the front page reads it. */
const committed: SnapshotReader = ({ experiment, profile }) => {
  const file = `snapshots/${experiment}/${profile}.json`;
  try {
    return { snapshot: parseSnapshot(readFileSync(join(projectRoot, file), 'utf8'), file), file };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

const toy = (overrides: Partial<Snapshot>): SnapshotReader => {
  const snapshot = toySnapshot(overrides);
  return () => ({ snapshot, file: 'snapshots/toy/smoke.json' });
};
const run: RunRef = { experiment: 'toy', profile: 'smoke' };
const summary = (values: number[]) => {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  return { n: values.length, mean, sd: 0.01, min: Math.min(...values), max: Math.max(...values), low: mean - 0.02, high: mean + 0.02 };
};
const comparison = (id: string, low: number, high: number) => ({
  id,
  description: id,
  a: 'a',
  b: 'b',
  perSeed: [],
  n: 3,
  mean: (low + high) / 2,
  sd: 0.01,
  min: low,
  max: high,
  low,
  high,
});
const withSeeds = (
  aggregates: Snapshot['seeds'] extends infer S ? (S extends { aggregates: infer A } ? A : never) : never,
  comparisons: ReturnType<typeof comparison>[] = [],
) => toy({ seeds: { list: [1, 2, 3], shown: 1, perSeed: [], aggregates, comparisons } });

describe('claims of the original', () => {
  it('quote the original verbatim (whitespace-normalised)', () => {
    for (const claim of claims) expect(original, `claim ${claim.id}`).toContain(normalise(claim.quote));
  });

  it('have unique ids and a section of this report to read', () => {
    expect(new Set(claims.map((claim) => claim.id)).size).toBe(claims.length);
    for (const claim of claims) expect(claim.section).toMatch(/^\/(q1|q2|q3|reported)\/#[a-z0-9-]+$/);
  });

  it('cover Q1.1 to Q1.4, every Q2 accuracy and count, and both Q3 decoders', () => {
    const ids = claims.map((claim) => claim.id);
    for (const id of ['q1-cost', 'q1-feature-dimension', 'q1-feature-dimension-k', 'q1-softmax-of-features', 'q1-linear-route', 'q2-best-rate']) {
      expect(ids).toContain(id);
    }
    for (const id of [
      'q2-ordering-lr0.1',
      'q2-ordering-lr0.01',
      'q2-ordering-lr0.001',
      'q2-parameters',
      'q3-recurrent-test',
      'q3-attention-test',
      'q3-decoders-ranked',
    ]) {
      expect(ids).toContain(id);
    }
  });

  it('judge Q1.1 on the operation count of the committed run: reproduced, with the measured exponent beside it', () => {
    const claim = claims.find((candidate) => candidate.id === 'q1-cost')!;
    const judged = judge(claim.rule, committed, claim.awaiting);
    expect(judged.verdict).toBe('reproduced');
    expect(judged.evidence.map((evidence) => evidence.words)).toEqual(['exponent of the operation count', 'exponent of the measured time']);
    expect(judged.evidence[0].source).toBe('snapshots/q1-linear-attention/full.json → tables.flops (L, softmaxFlops)');
    expect(judged.evidence[1].source).toBe('snapshots/q1-linear-attention/full.json → timings.values.slopeSoftmax, slopeSoftmaxSd, sweeps');
  });

  it('each judge on the committed snapshots, with evidence for every verdict but "not run"', () => {
    for (const claim of claims) {
      const judgement = judge(claim.rule, committed, claim.awaiting);
      expect(verdicts).toContain(judgement.verdict);
      if (judgement.verdict !== 'not run') expect(judgement.evidence.length, claim.id).toBeGreaterThan(0);
      for (const evidence of judgement.evidence) expect(evidence.source).toMatch(/^snapshots\/.+\.json → /);
    }
  });
});

describe('verdict rules', () => {
  it('count: equal reproduces, different corrects', () => {
    const rule: Rule = { kind: 'count', quoted: 7, ours: { ...run, metric: 'M' } };
    expect(judge(rule, toy({ metrics: { M: 7 } })).verdict).toBe('reproduced');
    expect(judge(rule, toy({ metrics: { M: 13 } })).verdict).toBe('corrected');
  });

  it('equal-counts: a quoted difference between counts that are equal here is corrected', () => {
    const rule: Rule = {
      kind: 'equal-counts',
      quoted: [291452, 224892],
      ours: [
        { ...run, metric: 'a' },
        { ...run, metric: 'b' },
      ],
    };
    expect(judge(rule, toy({ metrics: { a: 5, b: 5 } })).verdict).toBe('corrected');
    expect(judge(rule, toy({ metrics: { a: 6, b: 5 } })).verdict).toBe('reproduced');
  });

  it('exponent: the quoted value inside the t interval of the sweeps reproduces', () => {
    const rule: Rule = { kind: 'exponent', quoted: 2, ours: { ...run, key: 'slope' } };
    const values = (slope: number, sd: number) => toy({ timings: { startedAt: '', seconds: {}, values: { slope, slopeSd: sd, sweeps: 5 }, curves: {} } });
    // t(0.975, 4) = 2.776, so the half-width is 2.776 × sd / √5 = 1.24 sd.
    expect(judge(rule, values(2.03, 0.03)).verdict).toBe('reproduced');
    expect(judge(rule, values(2.05, 0.03)).verdict).toBe('not reproduced');
  });

  it('count-exponent: the log-log slope of a tabulated count equal to the quoted exponent reproduces, another corrects', () => {
    const rule: Rule = { kind: 'count-exponent', quoted: 2, tolerance: 0.01, ours: { ...run, path: 'tables.flops', x: 'L', y: 'ops' } };
    const counts = (power: number) => toy({ tables: { flops: [256, 512, 1024, 2048].map((L) => ({ L, ops: 4 * L ** power })) } });
    const judged = judge(rule, counts(2));
    expect(judged.verdict).toBe('reproduced');
    expect(judged.evidence).toHaveLength(1);
    expect(judged.evidence[0]).toMatchObject({ words: 'exponent of the operation count', source: 'snapshots/toy/smoke.json → tables.flops (L, ops)' });
    expect(judged.evidence[0].value).toBeCloseTo(2, 12);
    expect(judge(rule, counts(2.02)).verdict).toBe('corrected');
    expect(() => judge(rule, toy({}))).toThrow(/no key "tables\.flops"/);
  });

  it('count-exponent: the measured exponent is evidence beside the count, never the judge', () => {
    const rule: Rule = {
      kind: 'count-exponent',
      quoted: 2,
      tolerance: 0.01,
      ours: { ...run, path: 'tables.flops', x: 'L', y: 'ops' },
      timing: { ...run, key: 'slope' },
    };
    // A timed exponent whose interval leaves out 2 (the old rule's "not reproduced") does not move the verdict.
    const snapshot = toy({
      tables: { flops: [256, 512, 1024].map((L) => ({ L, ops: L ** 2 })) },
      timings: { startedAt: '', seconds: {}, values: { slope: 2.05, slopeSd: 0.01, sweeps: 5 }, curves: {} },
    });
    const judged = judge(rule, snapshot);
    expect(judged.verdict).toBe('reproduced');
    expect(judged.evidence.map((evidence) => evidence.words)).toEqual(['exponent of the operation count', 'exponent of the measured time']);
    expect(judged.evidence[1]).toMatchObject({ value: 2.05, spread: 'interval', n: 5, of: 'sweeps' });
    expect(judged.evidence[1].low!).toBeGreaterThan(2);
    expect(evidenceText(judged.evidence[0])).toBe('2');
  });

  it('ordering: an interval that includes zero is undecided; one that leaves it out agrees or not with the quoted sign', () => {
    const rule: Rule = { kind: 'ordering', quoted: [0.8355, 0.8242], ours: { ...run, comparison: 'd' }, sameData: false };
    expect(judge(rule, withSeeds({}, [comparison('d', 0.016, 0.022)])).verdict).toBe('consistent');
    expect(judge(rule, withSeeds({}, [comparison('d', -0.005, 0.026)])).verdict).toBe('undecided');
    expect(judge(rule, withSeeds({}, [comparison('d', -0.03, -0.01)])).verdict).toBe('inconsistent');
    expect(judge({ ...rule, sameData: true }, withSeeds({}, [comparison('d', 0.016, 0.022)])).verdict).toBe('reproduced');
  });

  it('values: on the same data, the quoted numbers must lie within the range our seeds reached', () => {
    const rule: Rule = { kind: 'values', quoted: [0.71], ours: [{ ...run, metric: 'j' }], sameData: true };
    expect(judge(rule, withSeeds({ j: summary([0.7, 0.715, 0.72]) })).verdict).toBe('reproduced');
    expect(judge(rule, withSeeds({ j: summary([0.72, 0.73, 0.74]) })).verdict).toBe('not reproduced');
    expect(judge({ ...rule, sameData: false }, withSeeds({ j: summary([0.7, 0.715, 0.72]) })).verdict).toBe('not comparable');
  });

  it('choice: every seed making the quoted choice on other data is consistent', () => {
    const rule: Rule = { kind: 'choice', quoted: 0.01, ours: { ...run, metric: 'lr' }, sameData: false };
    expect(judge(rule, withSeeds({ lr: summary([0.01, 0.01, 0.01]) })).verdict).toBe('consistent');
    expect(judge(rule, withSeeds({ lr: summary([0.01, 0.1, 0.01]) })).verdict).toBe('inconsistent');
  });

  it('check: settles the claim only when the check passed', () => {
    const rule: Rule = { kind: 'check', ours: { ...run, check: 'c' }, verdict: 'corrected', because: 'b' };
    const check = (passed: boolean) => toy({ checks: [{ id: 'c', name: 'c', passed, tolerance: 1e-6, worstError: 1e-9 }] });
    expect(judge(rule, check(true)).verdict).toBe('corrected');
    expect(() => judge(rule, check(false))).toThrow(/check "c" failed/);
  });

  it('a missing run is "not run" only when the claim says what it awaits; a missing key fails', () => {
    const rule: Rule = { kind: 'count', quoted: 7, ours: { ...run, metric: 'M' } };
    expect(judge(rule, () => undefined, 'a GPU host').verdict).toBe('not run');
    expect(() => judge(rule, () => undefined)).toThrow(/snapshots\/toy\/smoke\.json: a claim's rule reads this run and it has no snapshot/);
    expect(() => judge(rule, toy({ metrics: {} }))).toThrow(/no key "metrics\.M"/);
  });

  it('evidence reads with the decimals its spread supports', () => {
    const source = 'snapshots/x.json → seeds.comparisons[d]';
    expect(evidenceText({ label: 'd', value: 0.018912, low: 0.01621, high: 0.02152, spread: 'interval', n: 3, of: 'seeds', source }, true)).toBe(
      '+0.0189 (95% CI +0.0162 to +0.0215, 3\u00a0seeds)',
    );
    expect(evidenceText({ label: 'n', value: 225618, low: 225618, high: 225618, n: 3, of: 'seeds', source })).toBe('225,618');
    expect(evidenceText({ label: 'lr', value: 0.01, low: 0.01, high: 0.01, n: 3, of: 'seeds', source })).toBe('0.01 (every one of 3 seeds)');
  });
});

describe('key results', () => {
  it('assert no more than the verdict of their claim allows, for every verdict they are written for', () => {
    for (const result of keyResults) {
      expect(claims.map((claim) => claim.id)).toContain(result.claim);
      for (const [verdict, headline] of Object.entries(result.headlines)) {
        expect(allowedAssertions[verdict as keyof typeof allowedAssertions], `${result.id} for "${verdict}"`).toContain(headline!.asserts);
      }
    }
  });

  it('speak of the operation count, not of time, where their claim is judged on a count', () => {
    for (const result of keyResults) {
      const claim = claims.find((candidate) => candidate.id === result.claim)!;
      if (claim.rule.kind !== 'count-exponent') continue;
      for (const [verdict, headline] of Object.entries(result.headlines)) {
        expect(headline!.text, `${result.id} for "${verdict}"`).toMatch(/operation count/);
        expect(headline!.text, `${result.id} for "${verdict}"`).not.toMatch(/\btime\b/);
      }
    }
  });

  it('have a headline for the verdict their claim has now', () => {
    for (const result of keyResults) {
      const claim = claims.find((candidate) => candidate.id === result.claim)!;
      expect(() => headlineFor(result, judge(claim.rule, committed, claim.awaiting).verdict)).not.toThrow();
    }
  });
});
