/**
 * What a "try it" section (TryIt.astro) hands its page: the demo the build prepared (src/components/try-it.ts),
 * as JSON in the section, read by the browser side (try-it.ts). Types only; one contract for both questions.
 */
import type { PublishedAsrInfo, PublishedCnnInfo } from '../../lib/models/published.ts';

/** Which model a section runs: Question 3's speech recognizer or Question 2's image classifier. */
export type DemoKind = 'asr' | 'cnn';

/** A published model the section runs, served by the site itself. */
export interface DemoModel<Info> {
  name: string;
  /** How the page names it: `attention`, `LSTM`, `max-pooling`, `stride-2`. */
  label: string;
  url: string;
  bytes: number;
  sha256: string;
  info: Info;
}

interface DemoBase {
  /** The run the chapter quotes. */
  quoted: { experiment: string; profile: string };
  /** The run whose weights the section runs (the quoted one, or its smoke run while that has none). */
  shown: { experiment: string; profile: string; file: string };
  fallback: boolean;
  /** What the models were trained on: `short` in every result, `sentence` in the section (components/try-it.ts). */
  training: { short: string; sentence: string };
}

export interface AsrDemo extends DemoBase {
  kind: 'asr';
  models: DemoModel<PublishedAsrInfo>[];
  samples: Array<{ index: number; id: string; url: string; sha256: string; target: string; seconds: number; transcripts: Record<string, string> }>;
  /** Why there are no sample clips (real recordings not committed), if so. */
  samplesNote: string | null;
}

export interface CnnDemo extends DemoBase {
  kind: 'cnn';
  models: DemoModel<PublishedCnnInfo>[];
  /** Test images of the committed fixture, for readers who do not draw: 784 grey bytes each, base64. */
  examples: Array<{ label: string; pixels: string }>;
}

export type Demo = AsrDemo | CnnDemo;
