/** What the provenance page says about one snapshot: the run's facts as label/value rows, and its config. */
import type { PartTimes, Snapshot } from '../lib/snapshot-schema.ts';
import { formatCount, formatNumber } from './format.ts';

export interface Fact {
  label: string;
  value: string;
  /** Hashes and ids are set in monospace. */
  code?: boolean;
}

export function provenanceFacts(snapshot: Snapshot): Fact[] {
  const { provenance, timings } = snapshot;
  const { tfjs, git, dataset } = provenance;
  const backend = tfjs.backend === tfjs.tfjsBackend ? tfjs.backend : `${tfjs.backend} (tfjs backend ${tfjs.tfjsBackend})`;
  return [
    { label: 'Experiment', value: snapshot.experiment, code: true },
    { label: 'Profile', value: snapshot.profile, code: true },
    { label: 'Data set', value: dataset.id, code: true },
    { label: 'Description', value: readableDescription(dataset.description) },
    { label: 'Data hash', value: dataset.hash, code: true },
    { label: 'Backend', value: backend },
    { label: 'Fast kernels', value: tfjs.fastKernels ? 'on' : 'off' },
    { label: 'TensorFlow.js', value: tfjs.version },
    { label: 'Node.js', value: provenance.node },
    { label: 'CPU', value: provenance.cpu },
    { label: 'Git commit', value: `${git.commit}${git.dirty ? ' (with uncommitted changes)' : ''}`, code: true },
    { label: 'Seed', value: String(provenance.seed) },
    { label: 'Input hash', value: provenance.inputHash, code: true },
    { label: 'Started', value: timings.startedAt },
    { label: 'Duration', value: formatSeconds(timings.seconds) },
    ...(timings.parts?.length ? [{ label: 'Part time', value: formatPartTimes(timings.parts) }] : []),
  ];
}

/**
 * `5.6 h summed over 4 parts (longest 1.4 h), in 6 sessions`: what the parts cost, each over every process that
 * worked on it; parts finished before their time was kept are named as not timed.
 */
export function formatPartTimes(parts: PartTimes): string {
  const timed = parts.flatMap((part) => (part.seconds === null ? [] : [part.seconds]));
  const untimed = parts.length - timed.length;
  const missing = untimed === 0 ? '' : `; ${formatCount(untimed, 'part')} not timed (finished before part times were kept)`;
  if (timed.length === 0) return `not recorded${missing}`;
  const sum = timed.reduce((total, seconds) => total + seconds, 0);
  const sessions = parts.reduce((total, part) => total + part.sessions, 0);
  return `${formatElapsed(sum)} summed over ${formatCount(timed.length, 'part')} (longest ${formatElapsed(Math.max(...timed))}), in ${formatCount(sessions, 'session')}${missing}`;
}

/** `total 38.3 s (data 0.53 ms, run 38.3 s)`: the total first, then the phases in the snapshot's order. */
export function formatSeconds(seconds: Record<string, number>): string {
  const phases = Object.entries(seconds).filter(([phase]) => phase !== 'total');
  const total = seconds.total;
  const parts = phases.map(([phase, value]) => `${phase} ${formatElapsed(value)}`).join(', ');
  if (total === undefined) return parts || 'not recorded';
  return phases.length > 0 ? `total ${formatElapsed(total)} (${parts})` : `total ${formatElapsed(total)}`;
}

/** A time in the unit a reader expects: `0.53 ms`, `38.3 s`, `12.5 min`, `3.2 h`; never a power of ten. */
function formatElapsed(seconds: number): string {
  if (seconds < 1e-3) return formatNumber(seconds * 1e6, { style: 'fixed', digits: 0, unit: 'µs' });
  if (seconds < 1) return formatNumber(seconds * 1e3, { digits: 2, unit: 'ms' });
  if (seconds < 120) return formatNumber(seconds, { digits: 3, unit: 's' });
  if (seconds < 2 * 3600) return formatNumber(seconds / 60, { style: 'fixed', digits: 1, unit: 'min' });
  return formatNumber(seconds / 3600, { style: 'fixed', digits: 1, unit: 'h' });
}

/** The resolved config as rows: a key and its value as compact JSON (a nested value stays on one line). */
export function configRows(config: Record<string, unknown>): { key: string; value: string }[] {
  return Object.keys(config)
    .sort()
    .map((key) => ({ key, value: JSON.stringify(config[key]) ?? 'undefined' }));
}

/** The first 12 hex digits: enough to tell hashes apart on the page; the full one is in the title. */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

/**
 * A data set's description as prose, formatted at render time (the experiments write the descriptions, and the
 * snapshots record them as written: changing them there would change the recorded data). Three habits of program
 * output are undone:
 * - a flag written as `phrase: true` (`all inside the homework's training range 0-9825: true;`) becomes the phrase
 *   (true) or its negation (false);
 * - a heading followed by a colon (`LJ Speech 1.1 real recordings (subset mode): 385 clips …`) takes a dash, so the
 *   description's one colon is left for the list it introduces;
 * - an integer of four or more digits takes the site's thousands separators (`4000 sentences` reads `4,000`), unless
 *   it is part of an identifier (`LJ002-0200`, `BRN-03401`: letters before, or a leading zero) or a year.
 */
export function readableDescription(description: string): string {
  const flagsRead = description.replace(/([^,;:()]+?):\s*(true|false)(?=[;,.)]|\s*$)/g, (_whole, phrase: string, flag: string) =>
    flag === 'true' ? phrase : `${phrase.match(/^\s*/)![0]}not ${phrase.trimStart()}`,
  );
  const headed = flagsRead.split(':').length > 2 ? flagsRead.replace(/^((?:[^:;,.]|\d\.\d){1,80}):\s/, '$1 — ') : flagsRead;
  return headed.replace(/(?<![\p{L}\d_/@#.,]|\p{L}-)[1-9]\d{3,}(?![\d\p{L}_]|[.,]\d)/gu, (digits) =>
    /^(19|20)\d\d$/.test(digits) ? digits : digits.replace(/\B(?=(\d{3})+$)/g, ','),
  );
}
