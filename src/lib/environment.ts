/**
 * How the project reads environment variables: each is declared once (how it is parsed, and how the README's
 * "Settings" table describes it) in one of two modules, and a module's variables are read and validated all at
 * once, so a bad value stops the run before anything trains or builds, with one error that lists every problem.
 *
 * - ./settings.ts: what an experiment's numbers may depend on (compute, data, how runs go). It is imported by the
 *   experiments, so it is hashed into every snapshot.
 * - ./site-settings.ts: where the site reads from and how the browser tests run. No experiment imports it, so
 *   editing a site setting stales no snapshot.
 *
 * Rules shared by all variables (the README's table is checked against both modules' tables by a test):
 * - unset means the default; a variable set to the empty string is an error (unset it to get the default), so
 *   `FASHION_MNIST_DIR=` never falls back silently. The one exception is CI, below.
 * - booleans accept exactly `0`, `1`, `true`, `false`; `yes`, `on`, `TRUE` are errors.
 * - CI follows the common convention (std-env, ci-info): set and not `false`/`0` (any case) means CI. Empty counts
 *   as not CI, as in those libraries, so `CI= npm run experiments:update` clears an inherited CI=true.
 */
import { z } from 'zod';

/** One row of the README's settings table. */
export interface SettingDoc {
  name: string;
  /** What values are accepted, in the README's words (also quoted by errors). */
  accepts: string;
  /** The value when unset, in the README's words. */
  default: string;
  meaning: string;
}

/** A variable: how it is parsed (unset arrives as undefined) and how the README describes it. */
export type SettingDefinition = Omit<SettingDoc, 'name'> & { schema: z.ZodTypeAny };

export interface SettingProblem {
  name: string;
  /** The value it had (a problem is always about a set variable). */
  value: string;
  message: string;
}

export class SettingsError extends Error {
  readonly problems: readonly SettingProblem[];

  constructor(problems: readonly SettingProblem[]) {
    const lines = problems.map((problem) => `  ${problem.message}`);
    super(`${problems.length === 1 ? 'an environment setting is' : `${problems.length} environment settings are`} invalid:\n${lines.join('\n')}`);
    this.name = 'SettingsError';
    this.problems = problems;
  }
}

const booleanWords = ['0', '1', 'true', 'false'] as const;
export const booleanAccepts = '`0`, `1`, `true`, `false`';

/** A boolean variable, `fallback` when unset. */
export const flag = (fallback: boolean) =>
  z
    .enum(booleanWords)
    .optional()
    .transform((value) => (value === undefined ? fallback : value === '1' || value === 'true'));

const nonEmpty = z.string().refine((value) => value.trim() !== '');
/** A file or folder path, or a command name: any text but the empty string. */
export const path = nonEmpty.optional();
/** The site's folders were always trimmed and written without trailing slashes (messages quote them). */
export const folder = (fallback: string) => path.transform((value) => (value === undefined ? fallback : value.trim().replace(/\/+$/, '')));

/** CI, read by both modules: the experiments never rewrite snapshots under CI, the browser tests demand a browser. */
export const ciDefinition = {
  schema: z
    .string()
    .optional()
    .transform((value) => value !== undefined && !['', 'false', '0'].includes(value.trim().toLowerCase())),
  accepts: 'any value; unset, empty, `0` and `false` (any case) mean not CI',
  default: 'not CI',
  meaning: 'continuous integration: snapshots are never rewritten, a missing browser fails the browser tests',
} satisfies SettingDefinition;

/** HW2_DEBUG, shared by the settings and the failure reports of every command (../failure.ts). */
export const debugDefinition = {
  schema: flag(false),
  accepts: booleanAccepts,
  default: '`0`',
  meaning: 'a command that fails prints the stack trace after its one-line message',
} satisfies SettingDefinition;

type Parsed<Definitions extends Record<string, SettingDefinition>> = { [Name in keyof Definitions]: z.output<Definitions[Name]['schema']> };

export interface SettingsReader<Settings> {
  /** Reads and validates every variable from `env`; throws a SettingsError naming every bad one. */
  read(env: Record<string, string | undefined>): Settings;
  /**
   * The settings of this process, read from process.env on first use and then reused. They are read again only
   * when one of the variables changed since (tests stub the environment), so callers never see stale values.
   */
  current(): Settings;
  /** The variables as data, in README order: name, accepted values, default, meaning. */
  table: readonly SettingDoc[];
}

/**
 * A module's reader: `definitions` in README order, and `build` turning their parsed values into its settings.
 * `table` leaves out the variables another module's table already lists (`shared`).
 */
export function settingsReader<Definitions extends Record<string, SettingDefinition>, Settings>(
  definitions: Definitions,
  build: (values: Parsed<Definitions>) => Settings,
  shared: readonly (keyof Definitions)[] = [],
): SettingsReader<Settings> {
  const names = Object.keys(definitions) as (keyof Definitions & string)[];
  const schema = z.object(Object.fromEntries(names.map((name) => [name, definitions[name].schema])));
  const read = (env: Record<string, string | undefined>): Settings => {
    const parsed = schema.safeParse(env);
    if (!parsed.success) {
      const bad = new Set(parsed.error.issues.map((issue) => issue.path[0]));
      throw new SettingsError(names.filter((name) => bad.has(name)).map((name) => problem(name, String(env[name]), definitions[name].accepts)));
    }
    return build(parsed.data as Parsed<Definitions>);
  };
  let cached: { key: string; settings: Settings } | undefined;
  return {
    read,
    current() {
      const key = JSON.stringify(names.map((name) => process.env[name] ?? null));
      if (cached?.key !== key) cached = { key, settings: read(process.env) };
      return cached.settings;
    },
    table: names
      .filter((name) => !shared.includes(name))
      .map((name) => {
        const { accepts, default: fallback, meaning } = definitions[name];
        return { name, accepts, default: fallback, meaning };
      }),
  };
}

function problem(name: string, value: string, accepts: string): SettingProblem {
  const got = value.trim() === '' ? `is empty (${JSON.stringify(value)}); unset it for the default` : `is ${JSON.stringify(value)}`;
  return { name, value, message: `${name} ${got}; it accepts ${accepts.replaceAll('`', '')}` };
}
