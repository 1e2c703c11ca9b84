/**
 * Which source lines a run executed, from the V8 coverage that Node writes for every process of the run when
 * `NODE_V8_COVERAGE` names a folder (the variable is inherited, so worker processes write theirs too).
 *
 * V8 reports block coverage as nested byte ranges of the code it ran, each with a count; the count at a
 * position is that of the innermost range holding it, so a line inside a function that ran, in a branch that
 * did not, has count 0. tsx hands V8 the transpiled code; Node records its source map beside the coverage
 * (`source-map-cache`), which takes every mapped position back to the original file, line and column.
 *
 * A line ran when every mapped position on it ran in some process. A line with code but no mapped position (a
 * continuation of a statement begun above) shares the fate of the nearest line above that has one.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Per absolute file path: per 1-based line, per 0-based column of a mapped position, whether it ran. */
export type LineCoverage = Map<string, Map<number, Map<number, boolean>>>;

interface ScriptCoverage {
  url: string;
  functions: Array<{ ranges: Array<{ startOffset: number; endOffset: number; count: number }> }>;
}

interface CoverageFile {
  result?: ScriptCoverage[];
  'source-map-cache'?: Record<string, { lineLengths: number[]; data: { mappings: string; sources: string[] } | null }>;
}

/**
 * Reads every coverage file in `folder` and merges them: a position ran when it ran in any process. Only the
 * project's own files below `root` are mapped (packages in node_modules are not line-checked, and mapping their
 * megabytes would cost more than the rerun).
 */
export async function readCoverage(folder: string, root: string): Promise<LineCoverage> {
  const inProject = (path: string) => !relative(root, path).startsWith('..') && !path.split(sep).includes('node_modules');
  const coverage: LineCoverage = new Map();
  for (const name of (await readdir(folder)).filter((entry) => /^coverage-.*\.json$/.test(entry)).sort()) {
    const path = join(folder, name);
    let file: CoverageFile;
    try {
      file = JSON.parse(await readFile(path, 'utf8')) as CoverageFile;
    } catch (error) {
      throw new Error(`${path}: V8 coverage that is not valid JSON (${(error as Error).message})`);
    }
    for (const script of Array.isArray(file.result) ? file.result : []) {
      if (!script.url.startsWith('file:') || !inProject(fileURLToPath(script.url))) continue;
      const map = file['source-map-cache']?.[script.url];
      const positions = map?.data ? mappedPositions(map.data, map.lineLengths, script.url) : await identityPositions(script.url);
      const ranges = script.functions.flatMap((fn) => fn.ranges);
      for (const { offset, file: original, line, column } of positions) {
        const ran = countAt(ranges, offset) > 0;
        if (!coverage.has(original)) coverage.set(original, new Map());
        const lines = coverage.get(original)!;
        if (!lines.has(line)) lines.set(line, new Map());
        const columns = lines.get(line)!;
        columns.set(column, (columns.get(column) ?? false) || ran);
      }
    }
  }
  return coverage;
}

/**
 * Whether `line` of `file` ran. Lines of a file the run never loaded did not; a line without a mapped position
 * takes the verdict of the nearest mapped line above it.
 */
export function lineRan(coverage: LineCoverage, file: string, line: number): boolean {
  const lines = coverage.get(file);
  if (!lines) return false;
  for (let at = line; at >= 1; at -= 1) {
    const columns = lines.get(at);
    if (columns) return [...columns.values()].every(Boolean);
  }
  return false;
}

/** The count of the innermost range holding `offset` (0 when none does: code V8 never compiled). */
function countAt(ranges: Array<{ startOffset: number; endOffset: number; count: number }>, offset: number): number {
  let best: { startOffset: number; endOffset: number; count: number } | undefined;
  for (const range of ranges) {
    if (range.startOffset <= offset && offset < range.endOffset && (!best || range.endOffset - range.startOffset <= best.endOffset - best.startOffset))
      best = range;
  }
  return best?.count ?? 0;
}

interface Position {
  /** Offset in the code V8 ran. */
  offset: number;
  file: string;
  line: number;
  column: number;
}

/** Every segment of a source map (version 3, base64 VLQ) as an offset in the generated code and an original position. */
function mappedPositions(map: { mappings: string; sources: string[] }, lineLengths: number[], scriptUrl: string): Position[] {
  const starts: number[] = [];
  let offset = 0;
  for (const length of lineLengths) {
    starts.push(offset);
    offset += length + 1;
  }
  const files = map.sources.map((source) => fileURLToPath(new URL(source, scriptUrl)));
  const positions: Position[] = [];
  const state = { source: 0, line: 0, column: 0 };
  map.mappings.split(';').forEach((generatedLine, lineIndex) => {
    let generatedColumn = 0;
    for (const segment of generatedLine.split(',')) {
      if (!segment) continue;
      const fields = decodeVlq(segment);
      generatedColumn += fields[0];
      if (fields.length < 4) continue;
      state.source += fields[1];
      state.line += fields[2];
      state.column += fields[3];
      if (lineIndex < starts.length)
        positions.push({ offset: starts[lineIndex] + generatedColumn, file: files[state.source], line: state.line + 1, column: state.column });
    }
  });
  return positions;
}

const base64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = base64.indexOf(char);
    if (digit < 0) throw new Error(`source map: '${char}' is not a base64 digit in segment '${segment}'`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return values;
}

/** A script Node ran as it is on disk (plain JavaScript): the start of every line's first non-blank character. */
async function identityPositions(url: string): Promise<Position[]> {
  const file = fileURLToPath(url);
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return [];
  const positions: Position[] = [];
  let offset = 0;
  text.split('\n').forEach((line, index) => {
    const column = line.search(/\S/);
    if (column >= 0) positions.push({ offset: offset + column, file, line: index + 1, column });
    offset += line.length + 1;
  });
  return positions;
}
