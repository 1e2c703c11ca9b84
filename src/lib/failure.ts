/**
 * How a command reports a failure it expects (a mistake on its command line, a bad setting, a missing data set, a
 * file it cannot read): one line per problem on stderr, prefixed with the command's name, and an exit status of
 * 2 for usage (bad arguments or settings, something asked for that is refused) or 1 for a run that failed. The
 * stack trace follows only with HW2_DEBUG=1: the messages name the file, setting or value at fault, and a stack
 * says where in the code, which the person running the command does not need.
 *
 * The scripts use it through scripts/cli.ts; vitest.config.ts and astro.config.mjs through `settingsAtStartup`, so
 * a bad setting stops them with its message instead of their config loader's stack. It reads no settings module
 * itself (only HW2_DEBUG, declared in ./environment.ts): the site's build uses it without the hashed settings.
 */
import { debugDefinition, SettingsError, settingsReader } from './environment.ts';

/** A mistake in how a command was asked (arguments, or a request refused): exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface FailureReport {
  /** What goes to stderr: one line per problem (then the stack with HW2_DEBUG=1). */
  text: string;
  code: 1 | 2;
}

// Errors that mean a bug rather than bad input: their message alone rarely says what to do.
const programmingErrors = [TypeError, ReferenceError, RangeError];

/**
 * The report of `error` thrown by `tool`. A UsageError's message is printed as written (it carries its own prefix
 * and usage lines); other messages get `tool: ` unless they start with it. `debug` defaults to HW2_DEBUG.
 */
export function reportFailure(tool: string, error: unknown, debug = debugging()): FailureReport {
  if (error instanceof SettingsError) {
    // Each problem names its variable, value and what it accepts; a stack would only show the config loader.
    return { text: error.problems.map((problem) => `${tool}: ${problem.message}`).join('\n'), code: 2 };
  }
  const message = error instanceof Error ? error.message : String(error);
  const usage = error instanceof UsageError;
  let text = usage || message.startsWith(`${tool}: `) ? message : `${tool}: ${message}`;
  if (debug && error instanceof Error && error.stack) text += `\n${error.stack}`;
  else if (programmingErrors.some((kind) => error instanceof kind)) text += ' (a bug: HW2_DEBUG=1 prints where)';
  return { text, code: usage ? 2 : 1 };
}

const debug = settingsReader({ HW2_DEBUG: debugDefinition }, (values) => values.HW2_DEBUG);

function debugging(): boolean {
  try {
    return debug.current();
  } catch {
    return false;
  }
}

/**
 * Validates settings for a tool's config file, each of `readers` (`settings`, `siteSettings`): a bad setting in
 * any prints every problem (one line each, prefixed with `tool`) and exits 2 before the tool starts.
 */
export function settingsAtStartup(tool: string, ...readers: (() => unknown)[]): void {
  const problems = readers.flatMap((read) => {
    try {
      read();
      return [];
    } catch (error) {
      if (!(error instanceof SettingsError)) throw error;
      return error.problems;
    }
  });
  if (problems.length === 0) return;
  process.stderr.write(`${reportFailure(tool, new SettingsError(problems)).text}\n`);
  process.exit(2);
}
