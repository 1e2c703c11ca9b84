/**
 * Build-time side of the chapters' "try it" sections (TryAsr.astro, TryCnn.astro): which published models a
 * section runs, what the page needs to know about them, and the files the site serves for them, all from the site
 * itself:
 *
 * - `/models/<experiment>/<profile>/<name>.safetensors`: every published file a snapshot lists and the checkout
 *   holds, byte for byte (its sha256 is checked against the snapshot first: the build fails rather than serve
 *   weights their snapshot does not vouch for);
 * - a Question 3 run's sample clips (the first test clips, whose transcripts the snapshot lists) are the
 *   recordings the transcript tables play too (src/site/sample-audio.ts: synthetic ones re-spoken at build time,
 *   real ones only as committed and checked against the snapshot).
 *
 * A section shows the quoted run's weights; while that run has none yet, those of the experiment's `smoke` run,
 * and it says so. With neither, the section only says what it will do once weights are published.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadFashionMnistFixture } from '../lib/data/fashion-mnist.ts';
import { readArtifactBytes } from '../lib/models/published-files.ts';
import { publishedInfo } from '../lib/models/published.ts';
import type { PublishedAsrInfo, PublishedCnnInfo } from '../lib/models/published.ts';
import type { Artifact, Snapshot } from '../lib/snapshot-schema.ts';
import { sampleAudio } from './sample-audio.ts';
import { projectRoot } from './settings.ts';
import { loadAllSnapshots } from './snapshots.ts';
import type { LoadedSnapshot } from './snapshots.ts';

/** The profile whose weights a section falls back to while the quoted run has none. */
export const FALLBACK_PROFILE = 'smoke';

/** Where the site serves a published file, below the base. */
export function modelPath(artifact: Artifact): string {
  return `/${artifact.file}`;
}

/** A published file the site serves: listed by a snapshot, present in the checkout, under models/. */
export interface ServedModel {
  loaded: LoadedSnapshot;
  artifact: Artifact;
  /** `[experiment, profile, name]` of `models/<experiment>/<profile>/<name>.safetensors`. */
  parts: [string, string, string];
}

function served(loaded: LoadedSnapshot): ServedModel[] {
  return (loaded.snapshot.artifacts ?? []).flatMap((artifact) => {
    const match = /^models\/([^/]+)\/([^/]+)\/([^/]+)\.safetensors$/.exec(artifact.file);
    if (!match || !existsSync(join(projectRoot(), artifact.file))) return [];
    return [{ loaded, artifact, parts: [match[1], match[2], match[3]] as [string, string, string] }];
  });
}

/** Every published file the site serves. */
export async function servedModels(): Promise<ServedModel[]> {
  return (await loadAllSnapshots()).flatMap(served);
}

/** The bytes the site serves for a published file, checked against its snapshot. */
export function servedBytes(model: ServedModel): Promise<Uint8Array> {
  return readArtifactBytes(projectRoot(), model.artifact, model.loaded.file);
}

/** The run a section shows: the quoted one when it has weights of this kind, else the experiment's smoke run. */
async function shownRun(experiment: string, profile: string, kind: 'asr' | 'cnn'): Promise<{ loaded: LoadedSnapshot; models: ServedModel[] } | null> {
  const all = await loadAllSnapshots();
  const ofKind = (model: ServedModel) => (kind === 'asr' ? 'decoder' : 'variant') in model.artifact.description;
  for (const candidate of [profile, FALLBACK_PROFILE]) {
    const loaded = all.find((entry) => entry.snapshot.experiment === experiment && entry.snapshot.profile === candidate);
    const models = loaded ? served(loaded).filter(ofKind) : [];
    if (loaded && models.length) return { loaded, models };
  }
  return null;
}

interface DemoBase {
  /** The run the chapter quotes. */
  quoted: { experiment: string; profile: string };
  /** The run whose weights the section runs (the quoted one, or its smoke run while that has none). */
  shown: { experiment: string; profile: string; file: string };
  fallback: boolean;
}

export interface AsrDemo extends DemoBase {
  models: Array<{ name: string; url: string; bytes: number; sha256: string; info: PublishedAsrInfo }>;
  samples: Array<{ index: number; id: string; url: string; sha256: string; target: string; seconds: number; transcripts: Record<string, string> }>;
  /** Why there are no sample clips (real recordings not committed), if so. */
  samplesNote: string | null;
}

export interface CnnDemo extends DemoBase {
  models: Array<{ name: string; url: string; bytes: number; sha256: string; info: PublishedCnnInfo }>;
  /** Test images of the committed fixture, for readers who do not draw: 784 grey bytes each, base64. */
  examples: Array<{ label: string; pixels: string }>;
}

function base(experiment: string, profile: string, loaded: LoadedSnapshot): DemoBase {
  return {
    quoted: { experiment, profile },
    shown: { experiment: loaded.snapshot.experiment, profile: loaded.snapshot.profile, file: loaded.file },
    fallback: loaded.snapshot.profile !== profile,
  };
}

export async function asrDemo(experiment: string, profile: string, withBase: (path: string) => string): Promise<AsrDemo | null> {
  const shown = await shownRun(experiment, profile, 'asr');
  if (!shown) return null;
  const { loaded } = shown;
  const models = shown.models.map(({ artifact }) => ({
    name: artifact.name,
    url: withBase(modelPath(artifact)),
    bytes: artifact.bytes,
    sha256: artifact.sha256,
    info: publishedInfo(loaded.snapshot, artifact) as PublishedAsrInfo,
  }));
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
  return { ...base(experiment, profile, loaded), models, samples, samplesNote: samples.length ? null : note };
}

/** The networks at the run's chosen learning rate (metrics.bestLearningRate) when it has them, else all. */
function chosenRuns(snapshot: Snapshot, models: ServedModel[]): ServedModel[] {
  const best = snapshot.metrics.bestLearningRate;
  const chosen = models.filter((model) => model.artifact.description.learningRate === best);
  return chosen.length ? chosen : models;
}

export async function cnnDemo(experiment: string, profile: string, withBase: (path: string) => string, exampleCount = 10): Promise<CnnDemo | null> {
  const shown = await shownRun(experiment, profile, 'cnn');
  if (!shown) return null;
  const { loaded } = shown;
  const models = chosenRuns(loaded.snapshot, shown.models).map(({ artifact }) => ({
    name: artifact.name,
    url: withBase(modelPath(artifact)),
    bytes: artifact.bytes,
    sha256: artifact.sha256,
    info: publishedInfo(loaded.snapshot, artifact) as PublishedCnnInfo,
  }));
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
  return { ...base(experiment, profile, loaded), models, examples };
}
