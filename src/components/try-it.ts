/**
 * Build-time side of the chapters' "try it" sections (TryIt.astro): which published models a section runs and
 * what the page needs to know about them (src/site/client/try-demo.ts), for either question:
 *
 * - Question 3 (`model="asr"`): the run's models, and its sample clips (the first test clips, whose transcripts
 *   the snapshot lists) with the recordings the transcript tables play too (src/site/sample-audio.ts: synthetic
 *   ones re-spoken at build time, real ones only as committed and checked against the snapshot);
 * - Question 2 (`model="cnn"`): the networks at the run's chosen learning rate, and test images of the committed
 *   Fashion-MNIST fixture for readers who do not draw.
 *
 * A section shows the quoted run's weights; while that run has none yet, those of the experiment's `smoke` run,
 * and it says so. With neither, the section only says what it will do once weights are published.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { loadFashionMnistFixture } from '../lib/data/fashion-mnist.ts';
import { publishedInfo } from '../lib/models/published.ts';
import type { PublishedAsrInfo, PublishedCnnInfo, PublishedInfo } from '../lib/models/published.ts';
import type { Snapshot } from '../lib/snapshot-schema.ts';
import type { AsrDemo, CnnDemo, Demo, DemoKind, DemoModel } from '../site/client/try-demo.ts';
import { sampleAudio } from '../site/sample-audio.ts';
import { modelPath, servedBy } from '../site/served-models.ts';
import type { ServedModel } from '../site/served-models.ts';
import { projectRoot } from '../site/settings.ts';
import { loadAllSnapshots } from '../site/snapshots.ts';
import type { LoadedSnapshot } from '../site/snapshots.ts';

/** The profile whose weights a section falls back to while the quoted run has none. */
const FALLBACK_PROFILE = 'smoke';

export const tryItPropsSchema = z
  .object({
    experiment: z.string().min(1),
    /** The run the chapter quotes. */
    profile: z.string().min(1),
    /** Which published models it runs: Question 3's speech recognizers or Question 2's image classifiers. */
    model: z.enum(['asr', 'cnn']),
  })
  .strict();

/** How the page names a model: by its decoder (Question 3) or its downsampling (Question 2). */
const modelLabels: Record<string, string> = { recurrent: 'LSTM', attention: 'attention', pooled: 'max-pooling', strided: 'stride-2' };

function modelLabel(info: PublishedInfo): string {
  const key = info.kind === 'asr' ? info.config.decoder : info.config.variant;
  return modelLabels[key] ?? key;
}

/** How the page names a speech engine. */
const engineNames: Record<string, string> = { 'espeak-ng': 'espeak-ng', flite: 'Flite' };
/** How the page names a data set of images. */
const datasetNames: Record<string, string> = {
  'fashion-mnist': 'Fashion-MNIST',
  'fashion-mnist-fixture': 'a 3,000-image sample of Fashion-MNIST',
  octmnist: 'OCTMNIST',
};

/**
 * What a run's models were trained on, read from its snapshot: `short` for every result line ("espeak-ng speech",
 * "Fashion-MNIST"), `sentence` for the section, saying what that means for the reader's own input. A speech model
 * trained on synthetic speech only hears synthetic voices well; an image model knows only its data set's classes.
 */
export function describeTraining(snapshot: Snapshot, kind: DemoKind, classNames: readonly string[] = []): { short: string; sentence: string } {
  const { dataset, config } = snapshot.provenance;
  if (kind === 'cnn') {
    const name = datasetNames[dataset.id] ?? dataset.id;
    return {
      short: name,
      sentence:
        `Trained on ${name}: 28×28 grey photographs of clothing, ${classNames.length} classes (${classNames.join(', ')}). ` +
        'It knows nothing else: a digit, a letter or a face still gets one of these classes, often with high confidence.',
    };
  }
  if (dataset.id.startsWith('synthetic')) {
    const listed = Array.isArray(config.engines) ? config.engines.map(String) : ['espeak-ng'];
    const engines = listed.map((engine) => engineNames[engine] ?? engine);
    const spoken = engines.join(' and ');
    return {
      short: `${engines.join(' + ')} speech`,
      sentence:
        `Trained on synthetic speech only: sentences from the Brown corpus spoken by ${spoken}${engines.length > 1 ? ', each clip by one of them,' : ''} with varied voices, rates and pitches, never a recording of a person. ` +
        'On its sample clips it does well; a recording of your own voice (another microphone, room and accent, longer sentences) is far from anything it heard, and its transcript may be nonsense.',
    };
  }
  if (dataset.id.startsWith('ljspeech')) {
    return {
      short: 'LJ Speech recordings',
      sentence: 'Trained on a few hundred LJ Speech recordings, one woman reading non-fiction: other voices are far from anything it heard.',
    };
  }
  return { short: dataset.id, sentence: `Trained on ${dataset.id}.` };
}

/** What a published file's description names: a decoder for Question 3's models, a variant for Question 2's. */
const describedBy: Record<DemoKind, string> = { asr: 'decoder', cnn: 'variant' };

interface ShownModel {
  artifact: ServedModel['artifact'];
  info: PublishedInfo;
}

/** The run a section shows: the quoted one when it has weights of this kind, else the experiment's smoke run. */
async function shownRun(experiment: string, profile: string, kind: DemoKind): Promise<{ loaded: LoadedSnapshot; models: ShownModel[] } | null> {
  const all = await loadAllSnapshots();
  for (const candidate of [profile, FALLBACK_PROFILE]) {
    const loaded = all.find((entry) => entry.snapshot.experiment === experiment && entry.snapshot.profile === candidate);
    if (!loaded) continue;
    const models = servedBy(loaded)
      .filter(({ artifact }) => describedBy[kind] in artifact.description)
      .map(({ artifact }) => ({ artifact, info: publishedInfo(loaded.snapshot, artifact) }));
    if (models.length) return { loaded, models };
  }
  return null;
}

/** The model a section has chosen at first: the one its chapter discusses most (the attention decoder, max-pooling). */
export function initialModel(demo: Demo): string {
  const preferred = demo.models.find(({ info }) => (info.kind === 'asr' ? info.config.decoder === 'attention' : info.config.variant === 'pooled'));
  return (preferred ?? demo.models[0]).name;
}

function demoModel<Info extends PublishedInfo>({ artifact }: ShownModel, info: Info, withBase: (path: string) => string): DemoModel<Info> {
  return { name: artifact.name, label: modelLabel(info), url: withBase(modelPath(artifact)), bytes: artifact.bytes, sha256: artifact.sha256, info };
}

/** The demo of a section, or null while neither the quoted run nor its smoke run has published weights of its kind. */
export async function tryItDemo(props: z.output<typeof tryItPropsSchema>, withBase: (path: string) => string): Promise<Demo | null> {
  const shown = await shownRun(props.experiment, props.profile, props.model);
  if (!shown) return null;
  const firstInfo = shown.models[0].info;
  const base = {
    quoted: { experiment: props.experiment, profile: props.profile },
    shown: { experiment: shown.loaded.snapshot.experiment, profile: shown.loaded.snapshot.profile, file: shown.loaded.file },
    fallback: shown.loaded.snapshot.profile !== props.profile,
    training: describeTraining(shown.loaded.snapshot, props.model, firstInfo.kind === 'cnn' ? firstInfo.classNames : []),
  };
  return props.model === 'asr'
    ? { ...base, ...(await asrParts(shown.loaded, shown.models, withBase)) }
    : { ...base, ...(await cnnParts(shown.loaded, shown.models, withBase)) };
}

async function asrParts(
  loaded: LoadedSnapshot,
  shown: ShownModel[],
  withBase: (path: string) => string,
): Promise<Pick<AsrDemo, 'kind' | 'models' | 'samples' | 'samplesNote'>> {
  const models = shown.map((model) => demoModel(model, model.info as PublishedAsrInfo, withBase));
  const { clips, note } = await sampleAudio(loaded);
  const rows = loaded.snapshot.tables.samples ?? [];
  const samples = clips.map((clip) => {
    const transcripts: Record<string, string> = {};
    for (const model of models) {
      const row = rows.find((candidate) => candidate.index === clip.index && candidate.decoder === model.info.config.decoder && candidate.stage !== 'pretrain');
      if (row && typeof row.prediction === 'string') transcripts[model.name] = row.prediction;
    }
    const target = rows.find((candidate) => candidate.index === clip.index && typeof candidate.target === 'string')?.target;
    return {
      index: clip.index,
      id: clip.id,
      url: withBase(clip.path),
      sha256: clip.sha256,
      target: typeof target === 'string' ? target : clip.text,
      seconds: clip.seconds,
      transcripts,
    };
  });
  return { kind: 'asr', models, samples, samplesNote: samples.length ? null : note };
}

/** The networks at the run's chosen learning rate (metrics.bestLearningRate) when it has them, else all. */
function chosenRuns(snapshot: Snapshot, models: ShownModel[]): ShownModel[] {
  const best = snapshot.metrics.bestLearningRate;
  const chosen = models.filter((model) => model.artifact.description.learningRate === best);
  return chosen.length ? chosen : models;
}

async function cnnParts(
  loaded: LoadedSnapshot,
  shown: ShownModel[],
  withBase: (path: string) => string,
  exampleCount = 10,
): Promise<Pick<CnnDemo, 'kind' | 'models' | 'examples'>> {
  const models = chosenRuns(loaded.snapshot, shown).map((model) => demoModel(model, model.info as PublishedCnnInfo, withBase));
  // The committed fixture, by the project root: this module runs bundled, away from its source folder.
  const fixture = await loadFashionMnistFixture(join(projectRoot(), 'test', 'fixtures', 'fashion-mnist'));
  const classNames = models[0].info.classNames;
  // The fixture's images are Fashion-MNIST's: offered only to networks trained on its classes.
  const sameClasses = classNames.length === fixture.classNames.length && classNames.every((name, i) => name === fixture.classNames[i]);
  const examples = sameClasses
    ? Array.from({ length: exampleCount }, (_, i) => {
        const pixels = Uint8Array.from(fixture.test.images.subarray(i * 784, (i + 1) * 784), (value) => Math.round(value * 255));
        return { label: `test image ${i + 1} (${fixture.classNames[fixture.test.labels[i]]})`, pixels: Buffer.from(pixels).toString('base64') };
      })
    : [];
  return { kind: 'cnn', models, examples };
}
