/**
 * What the command-line scripts share: a failure is reported as src/lib/failure.ts says (one line per problem, exit
 * 2 for usage and bad settings, 1 for a failed run, the stack only with HW2_DEBUG=1).
 */
import { reportFailure } from '../src/lib/failure.ts';

export { UsageError } from '../src/lib/failure.ts';

/** Runs a script's `main` and sets the exit status: its result, or on a throw the failure's (see the header). */
export async function runScript(name: string, main: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    const { text, code } = reportFailure(name, error);
    process.stderr.write(`${text}\n`);
    process.exitCode = code;
  }
}
