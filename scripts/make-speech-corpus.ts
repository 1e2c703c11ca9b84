/**
 * Makes a synthetic speech corpus in LJ Speech's layout, optionally computes its log-mel features into a cache,
 * and prints what each step cost.
 *
 *   npx tsx scripts/make-speech-corpus.ts --dir .cache/speech/brown-200 --count 200 [--seed 1] [--min 20] [--max 97]
 *   npx tsx scripts/make-speech-corpus.ts --dir .cache/speech/lj-0-100 --lj 0:100      (LJ Speech's own transcripts,
 *                                                                                        from LJSPEECH_DIR)
 *   add --features <cacheDir> [--frames 2754] to extract features afterwards;
 *   --features-only <LJ layout dir> skips generation and only extracts (e.g. the real LJ Speech subset).
 */
import { parseArgs } from 'node:util';
import { loadLjSpeechTranscripts, readLjLayout } from '../src/lib/data/ljspeech.ts';
import { createSpeechDataset } from '../src/lib/data/speech-corpus.ts';
import { generateSyntheticCorpus, type SyntheticCorpusInfo, speakTranscripts } from '../src/lib/data/synthetic-speech.ts';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    seed: { type: 'string', default: '1' },
    count: { type: 'string', default: '100' },
    min: { type: 'string', default: '20' },
    max: { type: 'string', default: '97' },
    lj: { type: 'string' },
    features: { type: 'string' },
    'features-only': { type: 'string' },
    frames: { type: 'string', default: '2754' },
  },
  strict: true,
});

function integer(name: string, text: string | undefined): number {
  const value = Number(text);
  if (!Number.isInteger(value)) throw new Error(`--${name} must be an integer, got ${text}`);
  return value;
}

function progressLine(label: string) {
  let last = 0;
  return (done: number, total: number) => {
    const now = performance.now();
    if (done === total || now - last > 2000) {
      last = now;
      process.stderr.write(`${label} ${done}/${total}\n`);
    }
  };
}

let corpusDir = values['features-only'];
if (!corpusDir) {
  if (!values.dir) throw new Error('--dir is required (or --features-only <dir>)');
  const seed = integer('seed', values.seed);
  let info: SyntheticCorpusInfo;
  if (values.lj) {
    const match = /^(\d+):(\d+)$/.exec(values.lj);
    if (!match) throw new Error(`--lj must be start:end (metadata row indices), got ${values.lj}`);
    const { rows } = await loadLjSpeechTranscripts();
    const chosen = rows.filter((row) => row.index >= Number(match[1]) && row.index < Number(match[2]));
    info = await speakTranscripts(chosen, { dir: values.dir, seed, onProgress: progressLine('speak') });
  } else {
    info = await generateSyntheticCorpus({
      dir: values.dir,
      seed,
      count: integer('count', values.count),
      minChars: integer('min', values.min),
      maxChars: integer('max', values.max),
      onProgress: progressLine('speak'),
    });
  }
  console.log(
    `corpus ${info.dir}: ${info.clips} clips, ${info.audioSeconds.toFixed(1)} s of speech, hash ${info.hash.slice(0, 16)}` +
      (info.cached ? ' (cached)' : `, generated in ${info.seconds.toFixed(1)} s = ${info.clipsPerSecond?.toFixed(2)} clips/s`),
  );
  corpusDir = values.dir;
}

const cacheDir = values.features;
if (cacheDir || values['features-only']) {
  const corpus = await readLjLayout(corpusDir, { subset: true, log: (line) => console.log(line) });
  const started = performance.now();
  const dataset = await createSpeechDataset(corpus.clips, {
    frames: integer('frames', values.frames),
    cacheDir: cacheDir ?? null,
    onProgress: progressLine('features'),
  });
  const seconds = (performance.now() - started) / 1000;
  const { computed, cached, computeSeconds, audioSeconds } = dataset.stats;
  const rate =
    computed > 0 ? ` (${(computed / computeSeconds).toFixed(1)} clips/s, ${(audioSeconds / computeSeconds).toFixed(0)}x real time in the transform)` : '';
  console.log(
    `features: ${computed} computed${rate}, ${cached} cached; ${seconds.toFixed(1)} s in all including reading and hashing; dataset hash ${dataset.hash.slice(0, 16)}`,
  );
}
