/**
 * The one error every data reader throws for bad input: it names the file and the problem, so a run that
 * stops on corrupt data says which file to replace and why.
 */
export class DataFileError extends Error {
  readonly file: string;
  readonly problem: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.name = 'DataFileError';
    this.file = file;
    this.problem = problem;
  }
}
