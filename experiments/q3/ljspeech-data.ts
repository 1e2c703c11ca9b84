/**
 * q3-ljspeech's data: the real LJ Speech clips the folder holds (subset mode), at most the first `realLimit`, split
 * in consecutive blocks by metadata order; for the transfer arm, espeak-ng speech of LJ transcripts drawn from the
 * homework's training range minus the held-out rows; and the held-out clips the report may play.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AsrData } from '../../src/lib/data/asr-data.ts';
import { consecutiveBlocks, speechSplit, splitCounts } from '../../src/lib/data/asr-split.ts';
import { LJ_SPEECH_SPLITS, loadLjSpeech, loadLjSpeechTranscripts, readLjLayout } from '../../src/lib/data/ljspeech.ts';
import type { SpeechDataset } from '../../src/lib/data/speech-corpus.ts';
import type { Transcript } from '../../src/lib/data/synthetic-speech.ts';
import { speakTranscripts } from '../../src/lib/data/synthetic-speech.ts';
import type { LoadedData, RunEffects } from '../../src/lib/harness/experiment.ts';
import { hashJson, sha256 } from '../../src/lib/provenance/hash.ts';
import { Random } from '../../src/lib/random.ts';
import type { Row } from '../../src/lib/snapshot-schema.ts';
import type { LjConfig } from './config.ts';
import { cacheFolder, espeakVersion, idRange, progressReporter, speakerDescription, speechFeatures } from './data.ts';

type Config = LjConfig;

export interface LjData {
  kind: 'split';
  real: SpeechDataset;
  splits: { train: number[]; validation: number[]; test: number[] };
  synthetic: SpeechDataset | null;
  description: Row[];
  syntheticTranscripts: Row[];
  sampleClips: Row[];
}

export function realData(data: LjData): AsrData {
  return {
    train: speechSplit(data.real, data.splits.train, 'real train'),
    validation: speechSplit(data.real, data.splits.validation, 'real validation'),
    test: speechSplit(data.real, data.splits.test, 'real test'),
  };
}

export async function ljData(config: Config, effects: RunEffects | undefined): Promise<LoadedData<LjData>> {
  const cache = cacheFolder(effects);
  const corpus = await loadLjSpeech({ dir: config.ljspeechDir, subset: true, log: effects?.log });
  const clips = config.realLimit ? corpus.clips.slice(0, config.realLimit) : corpus.clips;
  const counts = splitCounts(clips.length, config.trainFraction, config.validationFraction);
  const real = await speechFeatures(clips, config, effects, 'log-mel (real)');
  const splits = consecutiveBlocks(counts);
  const describe = (positions: number[]) => {
    const chosen = positions.map((position) => clips[position]);
    return `${positions.length} clips, ${idRange(chosen.map((clip) => clip.id))} (metadata rows ${chosen[0].index}-${chosen.at(-1)!.index})`;
  };
  const [trainStart, trainEnd] = LJ_SPEECH_SPLITS.train;
  const insideTrainingRange = clips.every((clip) => clip.index >= trainStart && clip.index < trainEnd);
  const description: Row[] = [
    { key: 'source', value: 'real: LJ Speech 1.1 recordings in LJSPEECH_DIR (subset mode: rows whose WAV exists)' },
    { key: 'available', value: `${corpus.clips.length} of ${corpus.rows} rows have audio (${idRange(corpus.clips.map((clip) => clip.id))})` },
    { key: 'used', value: `${clips.length} clips${config.realLimit ? ` (the first ${config.realLimit})` : ''}` },
    { key: 'train', value: describe(splits.train) },
    { key: 'validation', value: describe(splits.validation) },
    { key: 'test', value: describe(splits.test) },
    { key: 'inside the homework training range 0-9825', value: insideTrainingRange },
    { key: 'metadata sha256 (with ids in use)', value: corpus.hash },
    { key: 'real clips sha256 (ids, texts, wav bytes)', value: real.hash },
  ];
  const heldOut = new Set([...splits.validation, ...splits.test].map((position) => clips[position].index));

  let synthetic: SpeechDataset | null = null;
  let syntheticHash: string | null = null;
  const syntheticTranscripts: Row[] = [];
  if (config.arms.includes('synthetic-then-real')) {
    const { rows, hash: metadataHash } = await loadLjSpeechTranscripts({ dir: config.ljspeechDir });
    const pool = rows.filter((row) => row.index >= trainStart && row.index < trainEnd && !heldOut.has(row.index));
    if (config.pretrainClips > pool.length)
      throw new Error(`q3-ljspeech: pretrainClips ${config.pretrainClips} is more than the ${pool.length} transcripts available`);
    const order = new Random(config.corpusSeed).permutation(pool.length);
    // Metadata order, so the corpus (and its hash) does not depend on how the draw is stored.
    const chosen = Array.from(order.subarray(0, config.pretrainClips), (i) => pool[i]).sort((a, b) => a.index - b.index);
    const transcripts: Transcript[] = chosen.map((row) => ({ id: row.id, text: row.text, normalizedText: row.normalizedText }));
    const idsHash = hashJson(chosen.map((row) => row.id));
    const dir = join(cache, 'speech', `lj-espeak-${idsHash.slice(0, 16)}-s${config.corpusSeed}`);
    effects?.log(`synthetic LJ transcripts in ${dir}`);
    const spoken = await speakTranscripts(transcripts, { dir, seed: config.corpusSeed, onProgress: progressReporter(effects, 'espeak-ng') });
    if (!spoken.cached) effects?.log(`spoke ${spoken.clips} clips in ${spoken.seconds.toFixed(1)} s (${spoken.clipsPerSecond?.toFixed(1)} clips/s)`);
    const layout = await readLjLayout(dir, { id: 'ljspeech-transcripts-espeak' });
    synthetic = await speechFeatures(layout.clips, config, effects, 'log-mel (synthetic)');
    syntheticHash = hashJson({ corpus: spoken.hash, features: synthetic.hash });
    for (const row of chosen) syntheticTranscripts.push({ id: row.id, index: row.index });
    const heldOutRows = [...heldOut].sort((a, b) => a - b);
    description.push(
      {
        key: 'synthetic',
        value: `${chosen.length} LJ Speech transcripts (normalized column) spoken by espeak-ng (@echogarden/espeak-ng-emscripten ${espeakVersion()}; ${speakerDescription()}, drawn per clip with seed ${config.corpusSeed})`,
      },
      {
        key: 'synthetic pool',
        value: `metadata rows ${trainStart}-${trainEnd} minus the ${heldOut.size} held-out real rows ${heldOutRows[0]}-${heldOutRows.at(-1)} (${pool.length} transcripts); drawn with seed ${config.corpusSeed}, listed in the table syntheticTranscripts`,
      },
      { key: 'synthetic ids sha256', value: idsHash },
      { key: 'synthetic corpus sha256 (metadata, wav bytes)', value: spoken.hash },
      { key: 'synthetic audio seconds', value: spoken.audioSeconds },
      { key: 'full metadata.csv sha256', value: metadataHash },
    );
  }

  const heldOutIds = [...splits.validation, ...splits.test].map((position) => clips[position].id);
  const dataset = {
    id: 'ljspeech-1.1-subset',
    description:
      `LJ Speech 1.1 real recordings (subset mode): ${clips.length} clips ${idRange(clips.map((clip) => clip.id))}, ${insideTrainingRange ? 'all' : 'not all'} inside the homework's training range 0-9825; ` +
      `split by metadata order: train ${describe(splits.train)}, validation ${describe(splits.validation)}, test ${describe(splits.test)}` +
      (synthetic ? `; plus ${synthetic.size} espeak-ng clips of LJ transcripts from rows 0-9825 excluding the held-out ${idRange(heldOutIds)}` : '') +
      '.',
    hash: hashJson({ metadata: corpus.hash, real: real.hash, counts, synthetic: syntheticHash }),
  };
  // The held-out clips whose transcripts the snapshot shows, with the sha256 of their WAV files: the report may
  // only play a recording that hashes to this.
  const sampleClips: Row[] = [];
  for (const position of splits.test.slice(0, config.samples)) {
    const clip = clips[position];
    sampleClips.push({ id: clip.id, index: clip.index, text: clip.normalizedText, wavSha256: sha256(await readFile(clip.wavPath)) });
  }
  return { dataset, data: { kind: 'split', real, splits, synthetic, description, syntheticTranscripts, sampleClips } };
}
