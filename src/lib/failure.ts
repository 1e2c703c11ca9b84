/**
 * How a command reports a failure it expects (a mistake on its command line, a bad setting, a missing data set, a
 * file it cannot read): one line per problem on stderr, prefixed with the command's name, and an exit status of
 * 2 for usage (bad arguments or settings, something asked for that is refused) or 1 for a run that failed. The
 * stack trace follows only with HW2_DEBUG=1: the messages name the file, setting or value at fault, and a stack
 * says where in the code, which the person running the command does not need.
 *
 * The scripts use it through scripts/cli.ts; vitest.config.ts and astro.config.mjs through `settingsAtStartup`, so
 * a bad setting stops them with its message instead of their config loader's stack.
 */
import { SettingsError, settings } from './settings.ts';
import type { Settings } from './settings.ts';

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

function debugging(): boolean {
  try {
    return settings().debug;
  } catch {
    return false;
  }
}

/**
 * The settings, for a tool's config file: a bad setting prints its problems (one line each, prefixed with `tool`)
 * and exits 2 before the tool starts.
 */
export function settingsAtStartup(tool: string): Settings {
  try {
    return settings();
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`${reportFailure(tool, error).text}\n`);
    process.exit(2);
  }
}
