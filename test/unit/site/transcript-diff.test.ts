/** The build-time transcript diff behind <TranscriptDiff>: the edit script, its two sides, and reading rows from a snapshot. */
import { describe, expect, it } from 'vitest';
import { diffCharacters, diffSides, matchedShare, renderTranscripts, transcriptDiffPropsSchema, visibleText } from '../../../src/components/transcript-diff.ts';
import type { DiffPart } from '../../../src/components/transcript-diff.ts';
import { parseProps } from '../../../src/site/props.ts';
import { loadFixture, q3SmokeFile } from './fixture.ts';

/** Replays an edit script: the kept and deleted text must give the target, the kept and inserted the prediction. */
function replay(parts: DiffPart[]): { target: string; prediction: string } {
  return {
    target: parts
      .filter((part) => part.op !== 'insert')
      .map((part) => part.text)
      .join(''),
    prediction: parts
      .filter((part) => part.op !== 'delete')
      .map((part) => part.text)
      .join(''),
  };
}

const kept = (parts: DiffPart[]) => parts.filter((part) => part.op === 'equal').reduce((sum, part) => sum + Array.from(part.text).length, 0);

describe('diffCharacters', () => {
  it('marks nothing in identical texts', () => {
    expect(diffCharacters('he has', 'he has')).toEqual([{ op: 'equal', text: 'he has' }]);
    expect(diffCharacters('', '')).toEqual([]);
  });

  it('marks a missed word as deleted and a spurious one as inserted', () => {
    expect(diffCharacters('but it would not come.', 'but it not come.')).toEqual([
      { op: 'equal', text: 'but it ' },
      { op: 'delete', text: 'would ' },
      { op: 'equal', text: 'not come.' },
    ]);
    expect(diffCharacters('he has', 'he was has')).toEqual([
      { op: 'equal', text: 'he ' },
      { op: 'insert', text: 'was ' },
      { op: 'equal', text: 'has' },
    ]);
  });

  it('writes a substitution as the deletion followed by the insertion', () => {
    expect(diffCharacters('bath', 'both')).toEqual([
      { op: 'equal', text: 'b' },
      { op: 'delete', text: 'a' },
      { op: 'insert', text: 'o' },
      { op: 'equal', text: 'th' },
    ]);
  });

  it('handles an empty side and a prediction of only spaces', () => {
    expect(diffCharacters('abc', '')).toEqual([{ op: 'delete', text: 'abc' }]);
    expect(diffCharacters('', 'abc')).toEqual([{ op: 'insert', text: 'abc' }]);
    const parts = diffCharacters('and was in', '          ');
    expect(replay(parts)).toEqual({ target: 'and was in', prediction: '          ' });
    expect(kept(parts)).toBe(2); // the two spaces of the target
  });

  it('always replays to both texts, keeps a longest common subsequence, and never repeats an operation', () => {
    const pairs: [string, string][] = [
      ['nevertheless, there is no bath.', 'the an as an the an the an the a'],
      ['payne did not notice him.', 'the he h h a t he we wes.'],
      ['abcabba', 'cbabac'],
      ['kitten', 'sitting'],
    ];
    // Longest common subsequence lengths, worked by hand for the short pairs.
    const lcs: Record<string, number> = { 'abcabba|cbabac': 4, 'kitten|sitting': 4 };
    for (const [target, prediction] of pairs) {
      const parts = diffCharacters(target, prediction);
      expect(replay(parts), `${target} / ${prediction}`).toEqual({ target, prediction });
      for (let i = 1; i < parts.length; i++) expect(parts[i].op === parts[i - 1].op, `${target}: parts ${i - 1} and ${i}`).toBe(false);
      expect(parts.every((part) => part.text.length > 0)).toBe(true);
      const key = `${target}|${prediction}`;
      if (key in lcs) expect(kept(parts), key).toBe(lcs[key]);
    }
  });

  it('treats characters as code points', () => {
    expect(diffCharacters('naïve', 'naive')).toEqual([
      { op: 'equal', text: 'na' },
      { op: 'delete', text: 'ï' },
      { op: 'insert', text: 'i' },
      { op: 'equal', text: 've' },
    ]);
  });
});

describe('diffSides, matchedShare, visibleText', () => {
  it('splits a diff into the target with its misses and the prediction with its extras', () => {
    const sides = diffSides(diffCharacters('bath', 'both'));
    expect(sides.target).toEqual([
      { op: 'equal', text: 'b' },
      { op: 'delete', text: 'a' },
      { op: 'equal', text: 'th' },
    ]);
    expect(sides.prediction).toEqual([
      { op: 'equal', text: 'b' },
      { op: 'insert', text: 'o' },
      { op: 'equal', text: 'th' },
    ]);
  });

  it('measures the matched share against the longer text', () => {
    expect(matchedShare(diffCharacters('bath', 'both'))).toBe(3 / 4);
    expect(matchedShare(diffCharacters('abc', 'abcdef'))).toBe(3 / 6);
    expect(matchedShare(diffCharacters('', ''))).toBe(1);
    expect(matchedShare(diffCharacters('abc', ''))).toBe(0);
  });

  it('makes spaces inside a mark visible, and leaves unmarked text alone', () => {
    expect(visibleText({ op: 'insert', text: 'was was ' })).toBe('was\u2423was\u2423');
    expect(visibleText({ op: 'equal', text: 'he has' })).toBe('he has');
  });
});

describe('renderTranscripts', () => {
  const base = loadFixture();
  const snapshot = {
    ...base,
    tables: {
      ...base.tables,
      samples: [
        { decoder: 'recurrent', index: 0, target: 'but it would not come.', prediction: 'but it not come.' },
        { decoder: 'attention', index: 0, target: 'he has', prediction: '' },
        { decoder: 'attention', index: 1, target: 'no', prediction: 'no' },
      ],
      broken: [{ decoder: 'recurrent', target: 'abc', prediction: null }],
    },
  };
  const file = q3SmokeFile;
  const props = (extra: object) => parseProps('TranscriptDiff', transcriptDiffPropsSchema, { experiment: 'q3-asr', profile: 'smoke', ...extra });

  it('reads tables.samples by default, filters rows and shows the chosen columns', () => {
    const rendered = renderTranscripts(snapshot, file, props({ where: { decoder: 'attention' }, columns: [{ key: 'index', label: 'clip' }] }));
    expect(rendered.source).toBe(`${file} → tables.samples`);
    expect(rendered.headings).toEqual(['clip']);
    expect(rendered.rows.map((row) => row.cells)).toEqual([['0'], ['1']]);
    expect(rendered.rows[0].prediction).toEqual([]);
    expect(rendered.rows[0].target).toEqual([{ op: 'delete', text: 'he has' }]);
    expect(rendered.rows[1].matched).toBe(1);
  });

  it('limits the rows', () => {
    expect(renderTranscripts(snapshot, file, props({ limit: 2 })).rows).toHaveLength(2);
  });

  it('fails naming the file and the problem', () => {
    expect(() => renderTranscripts(snapshot, file, props({ where: { decoder: 'lstm' } }))).toThrow(`${file} → tables.samples: no row has decoder = "lstm"`);
    expect(() => renderTranscripts(snapshot, file, props({ path: 'tables.broken' }))).toThrow(
      `${file} → tables.broken: "prediction" is null, expected a transcript`,
    );
    expect(() => renderTranscripts(snapshot, file, props({ columns: [{ key: 'stage', label: 'stage' }] }))).toThrow('row 0 has no column "stage"');
    expect(() => renderTranscripts(snapshot, file, props({ path: 'tables.missing' }))).toThrow(`${file}: no key "tables.missing"`);
  });

  it('rejects unknown props', () => {
    expect(() => props({ colums: [] })).toThrow('unknown prop "colums"');
  });
});
