import { expect } from 'vitest';
import { DataFileError } from '../../../src/lib/data/data-file-error.ts';

/** `file` is the exact path, or a pattern where several files could be the first one found wrong. */
type FileMatcher = string | RegExp;

/** Asserts `run` throws a DataFileError naming `file` whose problem matches `problem`. */
export function expectDataFileError(run: () => unknown, file: FileMatcher, problem: RegExp): DataFileError {
  try {
    run();
  } catch (error) {
    return checked(error, file, problem);
  }
  return checked(undefined, file, problem);
}

/** The async form, for loaders. */
export async function expectDataFileErrorAsync(run: () => Promise<unknown>, file: FileMatcher, problem: RegExp): Promise<DataFileError> {
  try {
    await run();
  } catch (error) {
    return checked(error, file, problem);
  }
  return checked(undefined, file, problem);
}

function checked(caught: unknown, file: FileMatcher, problem: RegExp): DataFileError {
  expect(caught, 'expected a DataFileError').toBeInstanceOf(DataFileError);
  const error = caught as DataFileError;
  if (typeof file === 'string') expect(error.file).toBe(file);
  else expect(error.file).toMatch(file);
  expect(error.message.startsWith(`${error.file}: `)).toBe(true);
  expect(error.problem).toMatch(problem);
  return error;
}
