/** What the command-line scripts share: a mistake on the command line is one line on stderr and exit status 2. */

/** A mistake on the command line: reported in one line, without a stack. */
export class UsageError extends Error {}

/** Runs a script's `main` and exits with its status; a `UsageError` prints its message and exits 2, anything else throws. */
export async function runScript(main: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    process.exitCode = 2;
  }
}
