/**
 * Every environment variable the project reads, read here and nowhere else, and validated all at once: a bad
 * value stops the run before anything trains or builds, with one error that lists every problem.
 *
 * Rules shared by all variables (the README's "Settings" table is checked against `settingsTable` by a test):
 * - unset means the default; a variable set to the empty string is an error (unset it to get the default), so
 *   `FASHION_MNIST_DIR=` never falls back silently. The one exception is CI, below.
 * - booleans accept exactly `0`, `1`, `true`, `false`; `yes`, `on`, `TRUE` are errors.
 * - CI follows the common convention (std-env, ci-info): set and not `false`/`0` (any case) means CI. Empty counts
 *   as not CI, as in those libraries, so `CI= npm run experiments:update` clears an inherited CI=true.
 *
 * `readSettings(env)` is pure and throws a SettingsError; `settings()` is what the project calls.
 */
import { availableParallelism, homedir, totalmem } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

export const backendRequests = ['auto', 'node-gpu', 'node', 'cpu'] as const;
export type BackendRequest = (typeof backendRequests)[number];

/** Debian's `dataset-fashion-mnist` package installs the four IDX files here. */
export const DEFAULT_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export interface Settings {
  // Experiments
  /** EXPERIMENT_PROFILE: the profile to run; check it against the declared ones with `checkProfile`. */
  experimentProfile: string;
  /** HW2_UPDATE: update mode (rewrite committed snapshots) instead of check mode. */
  update: boolean;
  /** HW2_FORCE: in update mode, run even when the input hash is unchanged. */
  force: boolean;
  /** HW2_ALLOW_DIRTY: allow writing baselines from a git tree with uncommitted changes. */
  allowDirty: boolean;
  /** HW2_WORKERS: how many processes run an experiment's independent parts at once (>= 1). */
  workers: number;
  /** HW2_MAX_MEMORY: bytes the run's training processes may use together (Q3 picks its micro-batch from it). */
  maxMemory: number;
  /** CI: running under continuous integration (snapshots are never rewritten, missing tools fail). */
  ci: boolean;
  /** HW2_DEBUG: a command that fails prints the error's stack after its one-line message. */
  debug: boolean;
  // Compute
  /** TFJS_BACKEND: which tfjs backend to load. */
  backend: BackendRequest;
  /** TFJS_FAST_KERNELS: on the cpu backend, replace the stock kernels with the project's fast ones. */
  fastKernels: boolean;
  /** PYTHON: the Python that runs PyTorch in the kernel benchmark; unset tries python3 on the PATH. */
  python: string | undefined;
  // Data
  /** FASHION_MNIST_DIR: the folder of the four Fashion-MNIST IDX files. */
  fashionMnistDir: string;
  /** OCTMNIST_NPZ: MedMNIST's octmnist.npz. */
  octmnistNpz: string;
  /** LJSPEECH_DIR: no default; the LJ Speech suites are skipped without it. */
  ljspeechDir: string | undefined;
  // Site
  /** SNAPSHOTS_DIR, trimmed, without trailing slashes: the folder the site's snapshot collection loads. */
  snapshotsDir: string;
  /** CHAPTERS_DIR, likewise: the folder of the write-up's MDX chapters. */
  chaptersDir: string;
  /** SITE_BASE, normalized to `/`, or `/<path>/`: where the site is mounted. */
  siteBase: string;
  /** SITE_URL: the site's absolute URL, for absolute links; none by default. */
  siteUrl: string | undefined;
  /** ASTRO_CACHE_DIR: Astro's cache folder (test builds keep theirs apart). */
  astroCacheDir: string;
  // End-to-end tests
  /** SITE_DIST: the built site the browser tests serve. */
  siteDist: string;
  /** CHROMIUM_PATH: the Chromium executable the browser tests drive. */
  chromiumPath: string;
}

/** One row of the README's settings table. */
export interface SettingDoc {
  name: string;
  /** What values are accepted, in the README's words (also quoted by errors). */
  accepts: string;
  /** The value when unset, in the README's words. */
  default: string;
  meaning: string;
}

// Each variable: how it is parsed (unset arrives as undefined) and how the README describes it.
const booleanWords = ['0', '1', 'true', 'false'] as const;
const flag = (fallback: boolean) =>
  z
    .enum(booleanWords)
    .optional()
    .transform((value) => (value === undefined ? fallback : value === '1' || value === 'true'));
const nonEmpty = z.string().refine((value) => value.trim() !== '');
const path = nonEmpty.optional();
/** The site's folders were always trimmed and written without trailing slashes (messages quote them). */
const folder = (fallback: string) => path.transform((value) => (value === undefined ? fallback : value.trim().replace(/\/+$/, '')));

const definitions = {
  EXPERIMENT_PROFILE: {
    schema: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)
      .optional(),
    accepts: 'a profile name (letters, digits, `.`, `_`, `-`) that the experiments declare',
    default: '`smoke`',
    meaning: 'the profile every experiment runs at',
  },
  HW2_UPDATE: {
    schema: flag(false),
    accepts: '`0`, `1`, `true`, `false`',
    default: '`0`',
    meaning: 'update mode: a run that passes its thresholds rewrites its committed snapshot (refused under CI)',
  },
  HW2_FORCE: {
    schema: flag(false),
    accepts: '`0`, `1`, `true`, `false`',
    default: '`0`',
    meaning: "in update mode, run even when the input hash equals the committed snapshot's",
  },
  HW2_ALLOW_DIRTY: {
    schema: flag(false),
    accepts: '`0`, `1`, `true`, `false`',
    default: '`0`',
    meaning: 'allow writing baselines from a git tree with uncommitted changes',
  },
  HW2_WORKERS: {
    schema: z
      .string()
      .regex(/^[1-9][0-9]*$/)
      .transform(Number)
      .refine(Number.isSafeInteger)
      .optional(),
    accepts: 'a positive integer',
    default: 'the number of cores (`os.availableParallelism()`)',
    meaning: 'how many processes run the independent parts of an experiment (seeds, parts) at once; results do not depend on it',
  },
  HW2_MAX_MEMORY: {
    schema: z
      .string()
      .transform((value, context) => {
        const bytes = parseMemorySize(value);
        if (bytes === undefined) context.addIssue({ code: 'custom', message: 'not a memory size' });
        return bytes ?? 0;
      })
      .optional(),
    accepts: 'a size in bytes, or with a unit `K`, `M`, `G` or `T` (powers of 1024; `8G`, `8GB`, `8GiB`, `1.5G`, `512M` all work)',
    default: "the machine's memory (`os.totalmem()`)",
    meaning:
      'memory the training processes of a run may use together (each of `HW2_WORKERS` gets its share): Q3 computes each batch in micro-batches that fit, by the estimate in `src/lib/train/asr-memory.ts`, unless the profile sets `microBatch`',
  },
  CI: {
    schema: z.string().optional(),
    accepts: 'any value; unset, empty, `0` and `false` (any case) mean not CI',
    default: 'not CI',
    meaning: 'continuous integration: snapshots are never rewritten, a missing browser fails the browser tests',
  },
  HW2_DEBUG: {
    schema: flag(false),
    accepts: '`0`, `1`, `true`, `false`',
    default: '`0`',
    meaning: 'a command that fails prints the stack trace after its one-line message',
  },
  TFJS_BACKEND: {
    schema: z.enum(backendRequests).optional(),
    accepts: backendRequests.map((name) => `\`${name}\``).join(', '),
    default: '`auto`',
    meaning: 'the tfjs backend: `auto` tries tfjs-node-gpu, then tfjs-node, then the JavaScript `cpu` backend',
  },
  TFJS_FAST_KERNELS: {
    schema: flag(true),
    accepts: '`0`, `1`, `true`, `false`',
    default: '`1`',
    meaning: "on the cpu backend, the project's fast kernels replace the stock ones",
  },
  PYTHON: {
    schema: path,
    accepts: 'a Python executable (name or path)',
    default: '`python3` on the PATH, then `/usr/bin/python3`',
    meaning: 'the Python with PyTorch that `npm run bench` compares against',
  },
  FASHION_MNIST_DIR: {
    schema: path,
    accepts: 'a folder path',
    default: `\`${DEFAULT_FASHION_MNIST_DIR}\``,
    meaning: 'the four Fashion-MNIST IDX files (Q2 `full`)',
  },
  OCTMNIST_NPZ: {
    schema: path,
    accepts: 'a file path',
    default: '`~/.medmnist/octmnist.npz`',
    meaning: "MedMNIST's `octmnist.npz` (Q2 `octmnist`)",
  },
  LJSPEECH_DIR: {
    schema: path,
    accepts: 'a folder path',
    default: 'none (the LJ Speech suites are skipped)',
    meaning: 'an LJSpeech-1.1 folder, or part of one in the same layout (Q3)',
  },
  SNAPSHOTS_DIR: {
    schema: folder('snapshots'),
    accepts: 'a folder path, relative to the project root or absolute',
    default: '`snapshots`',
    meaning: 'the snapshots the site is built from (tests point it at fixtures)',
  },
  CHAPTERS_DIR: {
    schema: folder('content'),
    accepts: 'a folder path, relative to the project root or absolute',
    default: '`content`',
    meaning: "the write-up's MDX chapters the site is built from",
  },
  SITE_BASE: {
    schema: path,
    accepts: 'a URL path; `x`, `/x`, `/x/` all mean `/x/`',
    default: '`/`',
    meaning: 'where the site is mounted (the Pages workflow sets `/<repository>/`); also where the browser tests serve it',
  },
  SITE_URL: {
    schema: z
      .string()
      .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol))
      .optional(),
    accepts: 'an absolute `http(s)://` URL',
    default: 'none',
    meaning: "the site's address, for absolute URLs",
  },
  ASTRO_CACHE_DIR: {
    schema: path,
    accepts: 'a folder path',
    default: '`./node_modules/.astro`',
    meaning: "Astro's cache (test builds keep theirs apart)",
  },
  SITE_DIST: {
    schema: path,
    accepts: 'a folder path, relative to the project root or absolute',
    default: '`dist`',
    meaning: 'the built site the browser tests serve',
  },
  CHROMIUM_PATH: {
    schema: path,
    accepts: 'an executable path',
    default: '`/usr/bin/chromium`',
    meaning: 'the Chromium the browser tests drive',
  },
} as const satisfies Record<string, Omit<SettingDoc, 'name'> & { schema: z.ZodTypeAny }>;

type Definitions = typeof definitions;
export type SettingName = keyof Definitions;

const settingNames = Object.keys(definitions) as SettingName[];

/** The settings as data, in README order: name, accepted values, default, meaning. */
export const settingsTable: readonly SettingDoc[] = settingNames.map((name) => {
  const { accepts, default: fallback, meaning } = definitions[name];
  return { name, accepts, default: fallback, meaning };
});

const envSchema = z.object(
  Object.fromEntries(settingNames.map((name) => [name, definitions[name].schema])) as { [Name in SettingName]: Definitions[Name]['schema'] },
);

export interface SettingProblem {
  name: SettingName;
  /** The value it had (a problem is always about a set variable). */
  value: string;
  message: string;
}

export class SettingsError extends Error {
  readonly problems: readonly SettingProblem[];

  constructor(problems: SettingProblem[]) {
    const lines = problems.map((problem) => `  ${problem.message}`);
    super(`${problems.length === 1 ? 'an environment setting is' : `${problems.length} environment settings are`} invalid:\n${lines.join('\n')}`);
    this.name = 'SettingsError';
    this.problems = problems;
  }
}

/** Reads and validates every setting from `env`; throws a SettingsError naming every bad one. */
export function readSettings(env: Record<string, string | undefined> = process.env): Settings {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const names = new Set(parsed.error.issues.map((issue) => issue.path[0] as SettingName));
    throw new SettingsError(settingNames.filter((name) => names.has(name)).map((name) => problem(name, String(env[name]))));
  }
  const values = parsed.data;
  return {
    experimentProfile: values.EXPERIMENT_PROFILE ?? 'smoke',
    update: values.HW2_UPDATE,
    force: values.HW2_FORCE,
    allowDirty: values.HW2_ALLOW_DIRTY,
    workers: values.HW2_WORKERS ?? availableParallelism(),
    maxMemory: values.HW2_MAX_MEMORY ?? totalmem(),
    ci: isCi(values.CI),
    debug: values.HW2_DEBUG,
    backend: values.TFJS_BACKEND ?? 'auto',
    fastKernels: values.TFJS_FAST_KERNELS,
    python: values.PYTHON,
    fashionMnistDir: values.FASHION_MNIST_DIR ?? DEFAULT_FASHION_MNIST_DIR,
    octmnistNpz: values.OCTMNIST_NPZ ?? join(homedir(), '.medmnist', 'octmnist.npz'),
    ljspeechDir: values.LJSPEECH_DIR,
    snapshotsDir: values.SNAPSHOTS_DIR,
    chaptersDir: values.CHAPTERS_DIR,
    siteBase: normalizeBase(values.SITE_BASE),
    siteUrl: values.SITE_URL,
    astroCacheDir: values.ASTRO_CACHE_DIR ?? './node_modules/.astro',
    siteDist: values.SITE_DIST ?? 'dist',
    chromiumPath: values.CHROMIUM_PATH ?? '/usr/bin/chromium',
  };
}

function problem(name: SettingName, value: string): SettingProblem {
  const { accepts } = definitions[name];
  const got = value.trim() === '' ? `is empty (${JSON.stringify(value)}); unset it for the default` : `is ${JSON.stringify(value)}`;
  return { name, value, message: `${name} ${got}; it accepts ${accepts.replaceAll('`', '')}` };
}

const memoryUnits: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** `8G`, `8GB`, `8GiB`, `1.5g`, `512M`, `123456` -> bytes (whole, at least 1); anything else -> undefined. */
export function parseMemorySize(value: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:([KMGT])(?:i?B)?|B)?\s*$/i.exec(value);
  if (!match) return undefined;
  const bytes = Math.floor(Number(match[1]) * memoryUnits[(match[2] ?? '').toUpperCase()]);
  return bytes >= 1 && Number.isSafeInteger(bytes) ? bytes : undefined;
}

function isCi(value: string | undefined): boolean {
  return value !== undefined && !['', 'false', '0'].includes(value.trim().toLowerCase());
}

/** `hw2-report`, `/hw2-report`, `/hw2-report/` -> `/hw2-report/`; unset or `/` -> `/`. */
function normalizeBase(value: string | undefined): string {
  const trimmed = (value ?? '').trim().replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}/` : '/';
}

let cached: { key: string; settings: Settings } | undefined;

/**
 * The settings of this process, read from process.env on first use and then reused. They are read again only
 * when one of the variables changed since (tests stub the environment), so callers never see stale values.
 */
export function settings(): Settings {
  const key = JSON.stringify(settingNames.map((name) => process.env[name] ?? null));
  if (cached?.key !== key) cached = { key, settings: readSettings(process.env) };
  return cached.settings;
}

export interface ProfileCheck {
  /** Set when no experiment declares the profile: an error message naming the profiles that exist. */
  unknown?: string;
  /** The experiments that do not declare the profile (all of them when it is unknown). */
  missing: string[];
}

/**
 * Checks a requested profile against what each experiment declares (`{ 'q2-cnn': ['smoke', 'full', ...] }`).
 * A profile no experiment has is a typo; one that only some have means the others do not run at it.
 */
export function checkProfile(profile: string, declared: Record<string, readonly string[]>): ProfileCheck {
  const missing = Object.keys(declared).filter((experiment) => !declared[experiment].includes(profile));
  const known = [...new Set(Object.values(declared).flat())].sort();
  if (known.includes(profile)) return { missing };
  return { unknown: `EXPERIMENT_PROFILE=${profile} is not a profile of any experiment; profiles: ${known.join(', ') || 'none'}`, missing };
}
