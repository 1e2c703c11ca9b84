/**
 * The settings an experiment's numbers may depend on, read here and nowhere else: how runs go (profile, update
 * mode, workers, memory, CI, debugging), the compute backend, and the data sets. The experiments import this module,
 * so it is hashed into every snapshot; the site's and the browser tests' settings live apart, in ./site-settings.ts,
 * so editing them stales no snapshot. Parsing, the rules every variable follows and the one error that lists every
 * bad value are ./environment.ts's.
 *
 * `readSettings(env)` is pure and throws a SettingsError; `settings()` is what the project calls.
 */
import { availableParallelism, homedir, totalmem } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { booleanAccepts, ciDefinition, debugDefinition, flag, path, settingsReader } from './environment.ts';
import type { SettingDefinition } from './environment.ts';

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
}

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
    accepts: booleanAccepts,
    default: '`0`',
    meaning: 'update mode: a run that passes its thresholds rewrites its committed snapshot (refused under CI)',
  },
  HW2_FORCE: {
    schema: flag(false),
    accepts: booleanAccepts,
    default: '`0`',
    meaning: "in update mode, run even when the input hash equals the committed snapshot's",
  },
  HW2_ALLOW_DIRTY: {
    schema: flag(false),
    accepts: booleanAccepts,
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
  CI: ciDefinition,
  HW2_DEBUG: debugDefinition,
  TFJS_BACKEND: {
    schema: z.enum(backendRequests).optional(),
    accepts: backendRequests.map((name) => `\`${name}\``).join(', '),
    default: '`auto`',
    meaning: 'the tfjs backend: `auto` tries tfjs-node-gpu, then tfjs-node, then the JavaScript `cpu` backend',
  },
  TFJS_FAST_KERNELS: {
    schema: flag(true),
    accepts: booleanAccepts,
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
} satisfies Record<string, SettingDefinition>;

const reader = settingsReader(
  definitions,
  (values): Settings => ({
    experimentProfile: values.EXPERIMENT_PROFILE ?? 'smoke',
    update: values.HW2_UPDATE,
    force: values.HW2_FORCE,
    allowDirty: values.HW2_ALLOW_DIRTY,
    workers: values.HW2_WORKERS ?? availableParallelism(),
    maxMemory: values.HW2_MAX_MEMORY ?? totalmem(),
    ci: values.CI,
    debug: values.HW2_DEBUG,
    backend: values.TFJS_BACKEND ?? 'auto',
    fastKernels: values.TFJS_FAST_KERNELS,
    python: values.PYTHON,
    fashionMnistDir: values.FASHION_MNIST_DIR ?? DEFAULT_FASHION_MNIST_DIR,
    octmnistNpz: values.OCTMNIST_NPZ ?? join(homedir(), '.medmnist', 'octmnist.npz'),
    ljspeechDir: values.LJSPEECH_DIR,
  }),
);

/** Reads and validates every setting from `env`; throws a SettingsError naming every bad one. */
export const readSettings = reader.read;
/** The settings of this process (cached until one of the variables changes). */
export const settings = reader.current;
/** The settings as data, in README order: name, accepted values, default, meaning (the site's follow them). */
export const settingsTable = reader.table;

const memoryUnits: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** `8G`, `8GB`, `8GiB`, `1.5g`, `512M`, `123456` -> bytes (whole, at least 1); anything else -> undefined. */
export function parseMemorySize(value: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:([KMGT])(?:i?B)?|B)?\s*$/i.exec(value);
  if (!match) return undefined;
  const bytes = Math.floor(Number(match[1]) * memoryUnits[(match[2] ?? '').toUpperCase()]);
  return bytes >= 1 && Number.isSafeInteger(bytes) ? bytes : undefined;
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
