/** The build-time logic behind <ListeningTable>: the shuffled-audio control of a Q3 run, grouped by decoder. */
import { describe, expect, it } from 'vitest';
import { listeningTablePropsSchema, renderListening } from '../../../src/components/listening-table.ts';
import { parseProps } from '../../../src/site/props.ts';
import { loadQ3Smoke, q3SmokeFile } from './fixture.ts';

const file = q3SmokeFile;
const smoke = loadQ3Smoke();
const props = (extra: Record<string, unknown> = {}) =>
  parseProps('ListeningTable', listeningTablePropsSchema, { experiment: 'q3-asr', profile: 'smoke', ...extra });

describe('renderListening', () => {
  it('groups the measures by decoder, with the gain signed and its interval', () => {
    const table = renderListening(smoke, file, props());
    expect(table.source).toBe(`${file} → tables.listening`);
    expect(table.groups.map((group) => group.decoder)).toEqual(['LSTM', 'attention']);
    const lstm = table.groups[0].rows;
    expect(lstm.map((row) => [row.measure, row.direction])).toEqual([
      ['Jaccard', 'higher'],
      ['cosine', 'higher'],
      ['Damerau-Levenshtein', 'higher'],
      ['CER', 'lower'],
      ['WER', 'lower'],
    ]);
    const row = (measure: string) => smoke.tables.listening!.find((candidate) => candidate.decoder === 'recurrent' && candidate.measure === measure)!;
    const jaccard = row('Jaccard');
    expect(lstm[0]).toEqual({
      measure: 'Jaccard',
      direction: 'higher',
      right: (jaccard.rightAudio as number).toFixed(3),
      shuffled: (jaccard.shuffledAudio as number).toFixed(3),
      gap: `\u2212${Math.abs(jaccard.gap as number).toFixed(3)}`,
      interval: `\u2212${Math.abs(jaccard.gapLow as number).toFixed(3)} to +${(jaccard.gapHigh as number).toFixed(3)}`,
      helps: false,
    });
    // The error rates' gain is wrong minus right, as recorded: positive where the right audio lowers the error.
    const cerGap = row('CER').gap as number;
    expect(lstm[3].gap).toBe(`${cerGap >= 0 ? '+' : '\u2212'}${Math.abs(cerGap).toFixed(3)}`);
    expect(Number(row('CER').shuffledAudio) - Number(row('CER').rightAudio)).toBeCloseTo(row('CER').gap as number, 8); // the snapshot keeps 10 significant digits
  });

  it('marks an interval wholly above zero, and keeps the chosen measures in their order', () => {
    const snapshot = structuredClone(smoke);
    const jaccard = snapshot.tables.listening!.find((row) => row.decoder === 'attention' && row.measure === 'Jaccard')!;
    Object.assign(jaccard, { rightAudio: 0.8, shuffledAudio: 0.3, gap: 0.5, gapLow: 0.41, gapHigh: 0.58 });
    const table = renderListening(snapshot, file, props({ measures: ['WER', 'Jaccard'], digits: 2 }));
    expect(table.groups[1].rows).toEqual([
      expect.objectContaining({ measure: 'WER', helps: false }),
      { measure: 'Jaccard', direction: 'higher', right: '0.80', shuffled: '0.30', gap: '+0.50', interval: '+0.41 to +0.58', helps: true },
    ]);
  });

  it('fails naming the file and the problem', () => {
    const snapshot = structuredClone(smoke);
    snapshot.tables.twice = ['fine-tune', 'pretrain'].flatMap((stage) => snapshot.tables.listening!.map((row) => ({ ...row, stage })));
    expect(() => renderListening(snapshot, file, props({ path: 'tables.twice' }))).toThrow(
      `${file} → tables.twice: 2 rows of decoder "recurrent" and measure "Jaccard", expected 1 (narrow them with \`where\`)`,
    );
    expect(renderListening(snapshot, file, props({ path: 'tables.twice', where: { stage: 'pretrain' } })).groups).toHaveLength(2);
    expect(() => renderListening(smoke, file, props({ measures: ['BLEU'] }))).toThrow('0 rows of decoder "recurrent" and measure "BLEU"');
    snapshot.tables.odd = snapshot.tables.listening!.map((row) => ({ ...row, measure: 'BLEU' })).slice(0, 1);
    expect(() => renderListening(snapshot, file, props({ path: 'tables.odd' }))).toThrow('measure "BLEU" is not one the table knows');
    snapshot.tables.outside = snapshot.tables.listening!.map((row) => ({ ...row, gapLow: 1 }));
    expect(() => renderListening(snapshot, file, props({ path: 'tables.outside' }))).toThrow('lies outside its interval');
    expect(() => renderListening(smoke, file, props({ where: { decoder: 'lstm' } }))).toThrow(`${file} → tables.listening: no row has decoder = "lstm"`);
  });
});
