/** The build-time logic behind <AblationTable>: issue 18's levers against the held-out voice and real-LJ gaps. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Available } from '../../../src/components/ablation-table.ts';
import { ablationTablePropsSchema, renderAblation } from '../../../src/components/ablation-table.ts';
import { parseSnapshot } from '../../../src/lib/harness/snapshot.ts';
import { parseProps } from '../../../src/site/props.ts';
import { projectRoot } from './fixture.ts';

function load(id: string): Available {
  const file = `snapshots/${id}.json`;
  return { snapshot: parseSnapshot(readFileSync(join(projectRoot, file), 'utf8'), file), file };
}

/** The committed snapshots the tests read: the generalisation CI run, the runs it and the table name. */
function available(ids = ['q3-generalisation/smoke', 'q3-asr/listening', 'q3-ljspeech-transfer/listening', 'q3-ljspeech-transfer/cv-smoke']) {
  return new Map(ids.map((id) => [id, structuredClone(load(id))]));
}

const props = (rows: unknown[], extra: Record<string, unknown> = {}) =>
  parseProps('AblationTable', ablationTablePropsSchema, { generalisation: { experiment: 'q3-generalisation', profile: 'smoke' }, rows, ...extra });

const generalisationRow = (decoder: string, test: string) =>
  load('q3-generalisation/smoke').snapshot.tables.generalisation.find(
    (row) => row.model === 'q3-asr/listening' && row.decoder === decoder && row.test === test,
  )!;

const signed = (value: number) => `${value > 0 ? '+' : value < 0 ? '\u2212' : ''}${Math.abs(value).toFixed(3)}`;

describe('renderAblation', () => {
  it("reads a scored run's held-out voice and real-LJ gaps per decoder, with intervals, clips and one seed", () => {
    const table = renderAblation(available(), props([{ lever: 'engines', setting: 'espeak-ng only', run: 'q3-asr/listening' }]));
    expect(table.quoted.sort()).toEqual(['q3-asr/listening', 'q3-generalisation/smoke']);
    expect(table.rows.map((row) => row.decoder)).toEqual(['LSTM', 'attention']);
    const heldOut = generalisationRow('attention', 'held-out-voice');
    const real = generalisationRow('attention', 'real-lj');
    expect(table.rows[1]).toEqual({
      lever: 'engines',
      setting: 'espeak-ng only',
      run: 'q3-asr/listening',
      decoder: 'attention',
      heldOut: {
        gap: signed(heldOut.gap as number),
        interval: `${signed(heldOut.gapLow as number)} to ${signed(heldOut.gapHigh as number)}`,
        clips: '30',
        above: (heldOut.gapLow as number) > 0,
      },
      real: { gap: signed(real.gap as number), interval: `${signed(real.gapLow as number)} to ${signed(real.gapHigh as number)}`, clips: '3', above: false },
      seeds: '1',
    });
  });

  it('says "not run" for a run without a snapshot and "not scored" for one the generalisation run does not list', () => {
    const table = renderAblation(
      available(),
      props([
        { lever: 'engines', setting: '+ Flite voices and augmentation', run: 'q3-asr/multi-engine' },
        { lever: 'pre-training', setting: '{provenance.config.pretrainClips} synthetic clips', run: 'q3-ljspeech-transfer/listening' },
      ]),
    );
    expect(table.rows[0]).toEqual({
      lever: 'engines',
      setting: '+ Flite voices and augmentation',
      run: 'q3-asr/multi-engine',
      decoder: '–',
      heldOut: { note: 'not run (no snapshot q3-asr/multi-engine yet)' },
      real: { note: 'not run (no snapshot q3-asr/multi-engine yet)' },
      seeds: '–',
    });
    expect(table.rows[1].setting).toBe('3,400 synthetic clips');
    expect(table.rows[1].heldOut).toEqual({ note: 'not scored (q3-generalisation/smoke does not list q3-ljspeech-transfer/listening)' });
    const without = renderAblation(available(['q3-asr/listening']), props([{ lever: 'engines', setting: 'espeak-ng only', run: 'q3-asr/listening' }]));
    expect(without.rows[0].real).toEqual({ note: 'not run (no snapshot q3-generalisation/smoke yet)' });
  });

  it("reads a cross-validated run's pooled real-LJ gap and its seeds from the run itself", () => {
    const cv = load('q3-ljspeech-transfer/cv-smoke').snapshot.metrics;
    const table = renderAblation(
      available(),
      props([{ lever: 'length', setting: 'full length', run: 'q3-ljspeech-transfer/cv-smoke', source: 'cross-validation' }]),
    );
    expect(table.rows[0].heldOut).toEqual({ note: 'not scored (cross-validated: no real clip is left unheard)' });
    expect(table.rows[0].real).toMatchObject({
      gap: signed(cv['synthetic-then-real-recurrent-listening-gap-jaccard']),
      interval: `${signed(cv['synthetic-then-real-recurrent-listening-gap-jaccard-low'])} to ${signed(cv['synthetic-then-real-recurrent-listening-gap-jaccard-high'])}`,
      clips: '24',
    });
    expect(table.rows[0].seeds).toBe('1');
  });

  it('fails the build when a snapshot that exists lacks a value the table reads', () => {
    const row = [{ lever: 'engines', setting: 'espeak-ng only', run: 'q3-asr/listening' }];
    const missingRow = available();
    const generalisation = missingRow.get('q3-generalisation/smoke')!.snapshot;
    generalisation.tables.generalisation = generalisation.tables.generalisation.filter(
      (candidate) => !(candidate.decoder === 'attention' && candidate.test === 'real-lj'),
    );
    expect(() => renderAblation(missingRow, props(row))).toThrow(
      'snapshots/q3-generalisation/smoke.json → tables.generalisation: 0 rows of model q3-asr/listening, decoder attention and test real-lj, expected 1',
    );
    const outside = available();
    for (const candidate of outside.get('q3-generalisation/smoke')!.snapshot.tables.generalisation) candidate.gapLow = 1;
    expect(() => renderAblation(outside, props(row))).toThrow('lies outside its interval');
    const cv = available();
    delete cv.get('q3-ljspeech-transfer/cv-smoke')!.snapshot.metrics['synthetic-then-real-attention-listening-gap-jaccard-low'];
    expect(() => renderAblation(cv, props([{ lever: 'length', setting: 'full', run: 'q3-ljspeech-transfer/cv-smoke', source: 'cross-validation' }]))).toThrow(
      'snapshots/q3-ljspeech-transfer/cv-smoke.json: no key "metrics.synthetic-then-real-attention-listening-gap-jaccard-low"',
    );
    expect(() => renderAblation(available(), props([{ lever: 'x', setting: '{provenance.config.nope}', run: 'q3-asr/listening' }]))).toThrow(
      'snapshots/q3-asr/listening.json: no key "provenance.config.nope"',
    );
    expect(() => props([{ lever: 'x', setting: 'y', run: 'q3-asr' }])).toThrow('must be <experiment>/<profile>');
  });
});
