import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeTraining } from '../../../src/components/try-it.ts';
import { parseSnapshot } from '../../../src/lib/harness/snapshot.ts';
import type { Snapshot } from '../../../src/lib/snapshot-schema.ts';
import { describeModel } from '../../../src/site/client/try-section.ts';
import { projectRoot } from './fixture.ts';

function committed(id: string): Snapshot {
  const file = `snapshots/${id}.json`;
  return parseSnapshot(readFileSync(join(projectRoot, file), 'utf8'), file);
}

describe('what a "try it" section says its models were trained on', () => {
  it('speech: the engines of the synthetic corpus, read from the run (espeak-ng, and Flite where the run used it)', () => {
    const listening = describeTraining(committed('q3-asr/listening'), 'asr');
    expect(listening.short).toBe('espeak-ng speech');
    expect(listening.sentence).toMatch(/^Trained on synthetic speech only: sentences from the Brown corpus spoken by espeak-ng with varied/);
    expect(listening.sentence).toContain('your own voice');
    expect(describeTraining(committed('q3-asr/smoke'), 'asr').short).toBe('espeak-ng + Flite speech');
    expect(describeTraining(committed('q3-ljspeech/listening'), 'asr').short).toBe('LJ Speech recordings');
  });

  it('images: the data set and its classes, all of them', () => {
    const classes = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
    const training = describeTraining(committed('q2-cnn/full'), 'cnn', classes);
    expect(training.short).toBe('Fashion-MNIST');
    expect(training.sentence).toContain(`10 classes (${classes.join(', ')})`);
  });

  it('every result names the model, its run and seed, and its training', () => {
    const demo = { shown: { experiment: 'q3-asr', profile: 'listening' }, training: { short: 'espeak-ng speech' } };
    expect(describeModel(demo, { label: 'attention', info: { kind: 'asr', seed: 1 } })).toBe(
      'the attention decoder of run q3-asr/listening, seed 1, trained on espeak-ng speech',
    );
    expect(describeModel({ ...demo, training: { short: 'Fashion-MNIST' } }, { label: 'max-pooling', info: { kind: 'cnn', seed: 2 } })).toBe(
      'the max-pooling network of run q3-asr/listening, seed 2, trained on Fashion-MNIST',
    );
  });
});
