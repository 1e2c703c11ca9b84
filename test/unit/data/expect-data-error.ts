import { expect } from 'vitest';
import { DataFileError } from '../../../src/lib/data/data-file-error.ts';

/** Asserts `run` throws a DataFileError naming `file` whose problem matches `problem`. */
export function expectDataFileError(run: () => unknown, file: string, problem: RegExp): DataFileError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected a DataFileError').toBeInstanceOf(DataFileError);
  const error = caught as DataFileError;
  expect(error.file).toBe(file);
  expect(error.message.startsWith(`${file}: `)).toBe(true);
  expect(error.problem).toMatch(problem);
  return error;
}

/** The async form, for loaders. */
export async function expectDataFileErrorAsync(run: () => Promise<unknown>, file: string, problem: RegExp): Promise<DataFileError> {
  let caught: unknown;
  try {
    await run();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'expected a DataFileError').toBeInstanceOf(DataFileError);
  const error = caught as DataFileError;
  expect(error.file).toBe(file);
  expect(error.message.startsWith(`${file}: `)).toBe(true);
  expect(error.problem).toMatch(problem);
  return error;
}
