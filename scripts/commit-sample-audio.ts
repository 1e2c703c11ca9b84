/**
 * Copies a few real LJ Speech recordings that the Question 3 snapshots show as samples into the site
 * (`content/audio/ljspeech/<id>.wav`, with their sha256 in its manifest.json), so the transcript tables can play
 * them (src/site/sample-audio.ts reads them through src/lib/data/committed-clips.ts). Only clips a snapshot lists in `tables.sampleClips` are copied, and only when the
 * file hashes to the snapshot's `wavSha256`; LJ Speech is public domain.
 *
 *   npx tsx scripts/commit-sample-audio.ts [--from <LJSpeech-1.1 folder>] [--count 3] [--ids LJ001-0001,LJ001-0002]
 *
 * --from defaults to LJSPEECH_DIR. Without --ids, the clips listed by the most snapshots come first (the real-only
 * and the transfer runs test on the same held-out clips), then in sample order. The manifest is rewritten to list
 * exactly the chosen clips; WAVs of the folder it no longer lists are removed.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/lib/fs/atomic.ts';
import { parseSnapshot } from '../src/lib/harness/snapshot.ts';
import { settings } from '../src/lib/settings.ts';
import { siteSettings } from '../src/lib/site-settings.ts';
import { COMMITTED_AUDIO_DIR, MAX_COMMITTED_CLIPS, committedManifestSchema } from '../src/lib/data/committed-clips.ts';
import type { CommittedManifest } from '../src/lib/data/committed-clips.ts';
import { sha256 } from '../src/lib/provenance/hash.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

const { values } = parseArgs({
  options: {
    from: { type: 'string' },
    count: { type: 'string', default: String(MAX_COMMITTED_CLIPS) },
    ids: { type: 'string' },
  },
  strict: true,
});

function fail(message: string): never {
  console.error(`commit-sample-audio: ${message}`);
  process.exit(1);
}

const from = values.from ?? settings().ljspeechDir;
if (!from) fail('no LJ Speech folder: pass --from <LJSpeech-1.1 folder> or set LJSPEECH_DIR');
const count = Number(values.count);
if (!Number.isInteger(count) || count < 1 || count > MAX_COMMITTED_CLIPS) fail(`--count must be 1..${MAX_COMMITTED_CLIPS}, got ${values.count}`);

// Every sample recording the snapshots vouch for: id -> sha256, and in how many snapshots.
const listed = new Map<string, { sha256: string; snapshots: string[]; order: number }>();
const snapshotsDir = join(root, siteSettings().snapshotsDir);
for (const experiment of await readdir(snapshotsDir)) {
  if (!experiment.startsWith('q3-')) continue;
  for (const name of (await readdir(join(snapshotsDir, experiment))).filter((file) => file.endsWith('.json'))) {
    const file = join(snapshotsDir, experiment, name);
    const snapshot = parseSnapshot(await readFile(file, 'utf8'), file);
    for (const [order, row] of (snapshot.tables.sampleClips ?? []).entries()) {
      if (typeof row.id !== 'string' || typeof row.wavSha256 !== 'string') fail(`${file}: tables.sampleClips row ${order} has no id or wavSha256`);
      const entry = listed.get(row.id) ?? { sha256: row.wavSha256, snapshots: [], order };
      if (entry.sha256 !== row.wavSha256) fail(`${row.id}: ${file} records sha256 ${row.wavSha256}, ${entry.snapshots[0]} ${entry.sha256}`);
      entry.snapshots.push(`${experiment}/${name}`);
      entry.order = Math.min(entry.order, order);
      listed.set(row.id, entry);
    }
  }
}
if (listed.size === 0) fail('no snapshot lists sample recordings (tables.sampleClips); run the real-speech experiments first');

const ids = values.ids
  ? values.ids.split(',').map((id) => id.trim())
  : [...listed.entries()]
      .sort(([, a], [, b]) => b.snapshots.length - a.snapshots.length || a.order - b.order)
      .slice(0, count)
      .map(([id]) => id);
if (ids.length > MAX_COMMITTED_CLIPS) fail(`at most ${MAX_COMMITTED_CLIPS} recordings may be committed, got ${ids.length}`);

const folder = join(root, COMMITTED_AUDIO_DIR);
await mkdir(folder, { recursive: true });
const manifest: CommittedManifest = { source: 'LJ Speech 1.1 (public domain, https://keithito.com/LJ-Speech-Dataset/): wavs/<id>.wav, unchanged', clips: [] };
for (const id of ids) {
  const entry = listed.get(id);
  if (!entry) fail(`${id} is not a sample recording of any snapshot (${[...listed.keys()].join(', ')})`);
  const source = join(from, 'wavs', `${id}.wav`);
  const bytes = new Uint8Array(await readFile(source));
  if (sha256(bytes) !== entry.sha256) fail(`${source} has sha256 ${sha256(bytes)}, but the snapshots record ${entry.sha256}: not the recording the runs heard`);
  await writeFileAtomic(join(folder, `${id}.wav`), bytes);
  manifest.clips.push({ id, sha256: entry.sha256, bytes: bytes.length });
  console.log(`${id}: ${bytes.length} bytes, sha256 ${entry.sha256} (listed by ${entry.snapshots.join(', ')})`);
}
committedManifestSchema.parse(manifest);
await writeFileAtomic(join(folder, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
for (const name of await readdir(folder)) {
  if (name.endsWith('.wav') && !ids.includes(name.slice(0, -4))) await rm(join(folder, name));
}
console.log(`${COMMITTED_AUDIO_DIR}/manifest.json lists ${manifest.clips.length} recording(s)`);
